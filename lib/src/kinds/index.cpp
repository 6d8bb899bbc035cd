#include "retort/kinds/index.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "retort/sql.hpp"

namespace retort {

namespace {

void put(ordered_json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}

std::string key_sql(const IndexKey& k) {
  std::string out = k.column ? quote_ident(*k.column) : "(" + k.expression.value_or("") + ")";
  if (k.opclass) out += " " + *k.opclass;
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
    put(kj, "opclass", k.opclass);
    if (k.descending) kj["descending"] = true;
    if (k.nulls_first) kj["nulls_first"] = *k.nulls_first;
    keys.push_back(std::move(kj));
  }
  j["keys"] = std::move(keys);
  if (!ix.include.empty()) j["include"] = ix.include;
  put(j, "where", ix.where);
  return j;
}

void from_json(const JsonCursor& c, Index& ix) {
  c.allow_keys({"name", "unique", "method", "keys", "include", "where"});
  ix.name = c.string_at("name");
  ix.unique = c.bool_or("unique", false);
  if (auto m = c.find("method")) ix.method = m->as_string();
  for (const auto& k : c.at("keys").elements()) {
    k.allow_keys({"column", "expression", "opclass", "descending", "nulls_first"});
    IndexKey key;
    key.column = k.optional_string("column");
    key.expression = k.optional_string("expression");
    if (key.column.has_value() == key.expression.has_value())
      k.fail("an object with exactly one of \"column\" and \"expression\"");
    key.opclass = k.optional_string("opclass");
    key.descending = k.bool_or("descending", false);
    if (auto nf = k.find("nulls_first"); nf && !nf->is_null()) key.nulls_first = nf->as_bool();
    ix.keys.push_back(std::move(key));
  }
  if (ix.keys.empty()) c.at("keys").fail("a non-empty array of index keys");
  ix.include = c.strings_or_empty("include");
  ix.where = c.optional_string("where");
}

std::string IndexKind::add_sql(const QualifiedName& table, const Item& ix) {
  std::string keys;
  for (const auto& k : ix.keys) keys += (keys.empty() ? "" : ", ") + key_sql(k);
  std::string out = fmt::format("CREATE {}INDEX {} ON {}", ix.unique ? "UNIQUE " : "",
                                quote_ident(ix.name), qualified(table));
  if (ix.method != "btree") out += " USING " + ix.method;
  out += " (" + keys + ")";
  if (!ix.include.empty()) out += " INCLUDE (" + quote_list(ix.include) + ")";
  if (ix.where) out += " WHERE " + *ix.where;
  return out;
}
std::string IndexKind::drop_sql(const QualifiedName& t, const Item& ix) {
  return "DROP INDEX " + qualified({t.schema, ix.name});
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

}  // namespace retort
