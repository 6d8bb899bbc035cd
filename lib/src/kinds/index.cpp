#include "retort/kinds/index.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "../catalog.hpp"
#include "retort/kinds/table.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

void put(ordered_json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}

std::string key_sql(const IndexKey& k) {
  std::string out = k.column ? quote_ident(*k.column) : "(" + k.expression.value_or("") + ")";
  if (k.collation) out += " COLLATE " + *k.collation;
  if (k.opclass) out += " " + *k.opclass;
  if (k.opclass && !k.opclass_options.empty())
    out += "(" + fmt::format("{}", fmt::join(k.opclass_options, ", ")) + ")";
  if (k.descending) out += " DESC";
  // Only spell NULLS when it differs from the direction's default.
  if (k.nulls_first && *k.nulls_first != k.descending)
    out += *k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return out;
}

}  // namespace

ordered_json to_json(const Index& ix) {
  ordered_json j;
  j["name"] = ix.name;
  if (ix.unique) j["unique"] = true;
  j["method"] = ix.method;
  ordered_json keys = ordered_json::array();
  for (const auto& k : ix.keys) {
    ordered_json kj;
    put(kj, "column", k.column);
    put(kj, "expression", k.expression);
    put(kj, "collation", k.collation);
    put(kj, "opclass", k.opclass);
    if (!k.opclass_options.empty()) kj["opclass_options"] = k.opclass_options;
    if (k.descending) kj["descending"] = true;
    if (k.nulls_first) kj["nulls_first"] = *k.nulls_first;
    keys.push_back(std::move(kj));
  }
  j["keys"] = std::move(keys);
  if (!ix.include.empty()) j["include"] = ix.include;
  put(j, "where", ix.where);
  if (ix.nulls_not_distinct) j["nulls_not_distinct"] = true;
  if (!ix.options.empty()) j["options"] = ix.options;
  if (ix.invalid) j["invalid"] = true;
  put(j, "renamed_from", ix.renamed_from.value);
  return j;
}

void from_json(const JsonCursor& c, Index& ix) {
  c.allow_keys({"name", "unique", "method", "keys", "include", "where", "nulls_not_distinct",
                "options", "invalid", "renamed_from"});
  ix.name = c.string_at("name");
  ix.unique = c.bool_or("unique", false);
  if (auto m = c.find("method")) ix.method = m->as_string();
  for (const auto& k : c.at("keys").elements()) {
    k.allow_keys({"column", "expression", "collation", "opclass", "opclass_options", "descending",
                  "nulls_first"});
    IndexKey key;
    key.column = k.optional_string("column");
    key.expression = k.optional_string("expression");
    if (key.column.has_value() == key.expression.has_value())
      k.fail("an object with exactly one of \"column\" and \"expression\"");
    key.collation = k.optional_string("collation");
    key.opclass = k.optional_string("opclass");
    key.opclass_options = k.strings_or_empty("opclass_options");
    if (!key.opclass_options.empty() && !key.opclass)
      k.at("opclass_options").fail("no \"opclass_options\" without an \"opclass\"");
    key.descending = k.bool_or("descending", false);
    if (auto nf = k.find("nulls_first"); nf && !nf->is_null()) key.nulls_first = nf->as_bool();
    ix.keys.push_back(std::move(key));
  }
  if (ix.keys.empty()) c.at("keys").fail("a non-empty array of index keys");
  ix.include = c.strings_or_empty("include");
  ix.where = c.optional_string("where");
  ix.nulls_not_distinct = c.bool_or("nulls_not_distinct", false);
  ix.options = c.strings_or_empty("options");
  ix.invalid = c.bool_or("invalid", false);
  ix.renamed_from.value = c.optional_string("renamed_from");
}

std::string IndexKind::add_sql(const QualifiedName& table, const Item& ix) {
  std::string keys;
  for (const auto& k : ix.keys) keys += (keys.empty() ? "" : ", ") + key_sql(k);
  std::string out = fmt::format("CREATE {}INDEX {} ON {}", ix.unique ? "UNIQUE " : "",
                                quote_ident(ix.name), qualified(table));
  if (ix.method != "btree") out += " USING " + ix.method;
  out += " (" + keys + ")";
  if (!ix.include.empty()) out += " INCLUDE (" + quote_list(ix.include) + ")";
  if (ix.nulls_not_distinct) out += " NULLS NOT DISTINCT";
  out += with_options_sql(ix.options);
  if (ix.where) out += " WHERE " + *ix.where;
  return out;
}
std::string IndexKind::drop_sql(const QualifiedName& t, const Item& ix) {
  return "DROP INDEX " + qualified({t.schema, ix.name});
}
std::vector<std::string> IndexKind::add_online_sql(const QualifiedName& t, const Item& ix) {
  auto sql = add_sql(t, ix);
  return {sql.insert(sql.find("INDEX ") + 6, "CONCURRENTLY ")};
}
std::vector<std::string> IndexKind::drop_online_sql(const QualifiedName& t, const Item& ix) {
  return {"DROP INDEX CONCURRENTLY " + qualified({t.schema, ix.name})};
}
std::string IndexKind::describe_add(const QualifiedName& t, const Item& ix) {
  return fmt::format("create {}index {} on {}", ix.unique ? "unique " : "", ix.name, display(t));
}
// A key expression may use any column.
bool IndexKind::uses_any(const Item& ix, const std::set<std::string>& columns) {
  if (columns.empty()) return false;
  auto used = [&](const std::string& c) { return columns.contains(c); };
  return std::any_of(ix.keys.begin(), ix.keys.end(),
                     [&](const IndexKey& k) {
                       return k.expression.has_value() || (k.column && used(*k.column));
                     }) ||
         std::any_of(ix.include.begin(), ix.include.end(), used);
}

namespace catalog {

// One row per index key (INCLUDE columns too), joined flat rather than aggregated in a subquery
// per index. Indexes that back a constraint are part of that constraint, not listed here. (NOT
// IN becomes one hashed subplan; pg_constraint has no index on conindid for a NOT EXISTS.)
const char* const kIndexesQuery = R"(
SELECT i.indexrelid, i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts, k.o, k.n,
       a.attname,
       CASE WHEN k.n = 0 THEN pg_get_indexdef(i.indexrelid, k.o::int, true) END,
       CASE WHEN k.o <= i.indnkeyatts THEN i.indoption[k.o - 1] END,
       CASE WHEN k.o <= i.indnkeyatts AND (NOT oc.opcdefault OR ia.attoptions IS NOT NULL)
            THEN CASE WHEN ocn.nspname = 'pg_catalog' THEN quote_ident(oc.opcname)
                      ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
       END,
       CASE WHEN k.o = 1 THEN pg_get_expr(i.indpred, i.indrelid, true) END,
       i.indnullsnotdistinct,
       CASE WHEN k.o = 1 THEN array_to_json(ic.reloptions) END,
       CASE WHEN k.o <= i.indnkeyatts THEN array_to_json(ia.attoptions) END,
       CASE WHEN k.o <= i.indnkeyatts
             AND (i.indcollation::oid[])[k.o - 1] NOT IN (0, coalesce(a.attcollation, 100))
            THEN (i.indcollation::oid[])[k.o - 1]::regcollation::text END,
       NOT i.indisvalid
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n AND k.n > 0
LEFT JOIN pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.o
LEFT JOIN pg_opclass oc ON oc.oid = (i.indclass::oid[])[k.o - 1]
LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con
                           WHERE con.contype IN ('p', 'u', 'x'))
  AND ic.relkind IN ('i', 'I') AND NOT ic.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

// Index keys arrive one per row; they are gathered per index, in key order.
void read_indexes(Catalog& catalog, const pqxx::result& rows) {
  struct IndexRef {
    TableRef* table;
    Index index;
    std::size_t key_count = 0;
    std::vector<std::pair<int, IndexKey>> keys;
    std::vector<std::pair<int, std::string>> include;
  };
  std::unordered_map<std::uint32_t, IndexRef> by_index;
  std::vector<std::uint32_t> index_order;
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[1]);
    if (!ref) continue;
    auto [it, fresh] = by_index.try_emplace(oid(row[0]));
    IndexRef& ix = it->second;
    if (fresh) {
      index_order.push_back(it->first);
      ix.table = ref;
      ix.index.name = row[2].c_str();
      ix.index.unique = boolean(row[3]);
      ix.index.method = row[4].c_str();
      ix.key_count = static_cast<std::size_t>(integer(row[5]));
      ix.index.nulls_not_distinct = boolean(row[13]);
      ix.index.invalid = boolean(row[17]);
    }
    auto position = static_cast<int>(integer(row[6]));
    bool is_column = integer(row[7]) != 0;
    if (static_cast<std::size_t>(position) > ix.key_count) {  // an INCLUDE column
      ix.include.emplace_back(position, row[8].c_str());
      continue;
    }
    if (position == 1) {
      ix.index.where = text(row[12]);
      ix.index.options = names(row[14]);
    }
    IndexKey key;
    if (is_column)
      key.column = row[8].c_str();
    else
      key.expression = row[9].c_str();
    key.opclass = text(row[11]);
    key.opclass_options = names(row[15]);
    key.collation = text(row[16]);
    int option = row[10].is_null() ? 0 : static_cast<int>(integer(row[10]));
    key.descending = option & 1;
    bool nulls_first = option & 2;
    // Only a NULLS placement that differs from the direction's default is recorded.
    if (nulls_first != key.descending) key.nulls_first = nulls_first;
    ix.keys.emplace_back(position, std::move(key));
  }
  for (auto index_oid : index_order) {
    auto& ix = by_index.at(index_oid);
    auto by_position = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::sort(ix.keys.begin(), ix.keys.end(), by_position);
    std::sort(ix.include.begin(), ix.include.end(), by_position);
    for (auto& [_, key] : ix.keys) ix.index.keys.push_back(std::move(key));
    for (auto& [_, column] : ix.include) ix.index.include.push_back(std::move(column));
    ix.table->table->indexes.push_back(std::move(ix.index));
  }
}

}  // namespace catalog

}  // namespace retort
