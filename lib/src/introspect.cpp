#include "retort/introspect.hpp"

#include <fmt/format.h>

#include <future>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

// pg_catalog rather than information_schema: its views are slow on large catalogs and lack
// indexes, enums and identity details anyway. One query per object kind, filtered by schema.

constexpr const char* kTablesQuery = R"(
SELECT c.oid, n.nspname, c.relname, obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname <> $2
)";

// Identity and serial sequences are found through pg_depend: 'i' (internal) for identity,
// 'a' (auto) for a sequence OWNED BY the column. Defaults cannot refer to columns, so they are
// deparsed without their table (relid 0), which spares opening every relation; generated
// expressions need it.
constexpr const char* kColumnsQuery = R"(
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END),
       a.attidentity, a.attgenerated, ds.description, t.typname,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, s.deptype
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass
  AND ds.objsubid = a.attnum
LEFT JOIN (SELECT dep.refobjid, dep.refobjsubid, dep.deptype, seq.*
           FROM pg_depend dep JOIN pg_sequence seq ON seq.seqrelid = dep.objid
           WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
             AND dep.deptype IN ('a', 'i')) s
  ON s.refobjid = a.attrelid AND s.refobjsubid = a.attnum
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
)";

constexpr const char* kConstraintsQuery = R"(
SELECT con.conrelid, con.conname, con.contype, con.conkey, fn.nspname, fc.relname,
       CASE WHEN con.contype = 'f' THEN
         (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
            JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) END,
       con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred,
       CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid, true) END,
       coalesce(i.indnullsnotdistinct, false)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u')
WHERE n.nspname = ANY($1::text[]) AND con.contype IN ('p', 'u', 'c', 'f')
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND con.conparentid = 0
)";

// Indexes that back a constraint are part of that constraint, not listed here. (NOT IN becomes
// one hashed subplan; pg_constraint has no index on conindid for a per-row NOT EXISTS.)
constexpr const char* kIndexesQuery = R"(
SELECT i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts,
       (SELECT json_agg(json_build_array(
                  k.n, a.attname,
                  CASE WHEN k.n = 0 THEN pg_get_indexdef(i.indexrelid, k.o::int, true) END,
                  CASE WHEN k.o <= i.indnkeyatts THEN i.indoption[k.o - 1] END,
                  CASE WHEN k.o <= i.indnkeyatts AND NOT oc.opcdefault
                       THEN CASE WHEN ocn.nspname = 'pg_catalog' THEN quote_ident(oc.opcname)
                                 ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
                  END) ORDER BY k.o)
          FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
          LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n AND k.n > 0
          LEFT JOIN pg_opclass oc ON oc.oid = (i.indclass::oid[])[k.o - 1]
          LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace),
       pg_get_expr(i.indpred, i.indrelid, true)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con
                           WHERE con.contype IN ('p', 'u', 'x'))
  AND ic.relkind IN ('i', 'I') AND NOT ic.relispartition
)";

constexpr const char* kEnumsQuery = R"(
SELECT n.nspname, t.typname, json_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1::text[])
GROUP BY n.nspname, t.typname
)";

// A text[] literal of the schema names, sent as one parameter.
std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::optional<std::string> text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}

bool boolean(const pqxx::field& f) { return !f.is_null() && f.c_str()[0] == 't'; }

std::int64_t integer(const pqxx::field& f) { return std::strtoll(f.c_str(), nullptr, 10); }

std::vector<std::string> names(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  for (const auto& v : nlohmann::json::parse(f.c_str())) out.push_back(v.get<std::string>());
  return out;
}

// "{2,1}" (an int2[] of attnums) -> the columns' names, in that order.
std::vector<std::string> column_names(const pqxx::field& f, const std::vector<int>& attnums,
                                      const Table& t) {
  std::vector<std::string> out;
  const char* p = f.c_str();
  while (*p) {
    if (*p < '0' || *p > '9') {
      ++p;
      continue;
    }
    int n = 0;
    while (*p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
    for (std::size_t i = 0; i < attnums.size(); ++i)
      if (attnums[i] == n) out.push_back(t.columns[i].name);
  }
  return out;
}

FkAction action(char code) {
  switch (code) {
    case 'r':
      return FkAction::restrict;
    case 'c':
      return FkAction::cascade;
    case 'n':
      return FkAction::set_null;
    case 'd':
      return FkAction::set_default;
    default:
      return FkAction::no_action;
  }
}

// Whether `s` is one parenthesized expression, "(a) AND (b)" being two.
bool wrapped(const std::string& s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0 && i + 1 != s.size()) return false;
  }
  return depth == 0;
}

// "CHECK ((qty > 0))" -> "qty > 0"
std::string check_expression(std::string def) {
  if (def.starts_with("CHECK ")) def = def.substr(6);
  if (auto nv = def.rfind(" NOT VALID"); nv != std::string::npos && nv + 10 == def.size())
    def = def.substr(0, nv);
  while (wrapped(def)) def = def.substr(1, def.size() - 2);
  return def;
}

// Identity options equal to PostgreSQL's defaults for the type are left out, so a model that
// says just "identity" compares equal.
Identity identity_of(const pqxx::row& r, const std::string& typname) {
  Identity id;
  id.always = r[6].c_str()[0] == 'a';
  std::int64_t type_max = typname == "int2"   ? std::numeric_limits<std::int16_t>::max()
                          : typname == "int4" ? std::numeric_limits<std::int32_t>::max()
                                              : std::numeric_limits<std::int64_t>::max();
  std::int64_t type_min = typname == "int2"   ? std::numeric_limits<std::int16_t>::min()
                          : typname == "int4" ? std::numeric_limits<std::int32_t>::min()
                                              : std::numeric_limits<std::int64_t>::min();
  if (r[10].is_null()) return id;
  auto start = integer(r[10]), inc = integer(r[11]), min = integer(r[12]), max = integer(r[13]),
       cache = integer(r[14]);
  std::int64_t def_min = inc > 0 ? 1 : type_min, def_max = inc > 0 ? type_max : -1;
  std::int64_t def_start = inc > 0 ? min : max;
  if (inc != 1) id.increment = inc;
  if (min != def_min) id.min_value = min;
  if (max != def_max) id.max_value = max;
  if (start != def_start) id.start = start;
  if (cache != 1) id.cache = cache;
  id.cycle = boolean(r[15]);
  return id;
}

constexpr const char* kSchemasQuery =
    "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])";

}  // namespace

std::string introspection_script(const std::vector<std::string>& schemas) {
  std::string out = "SET search_path = '';\n";
  auto fill = [&](std::string sql) {
    auto replace = [&](const std::string& from, const std::string& to) {
      for (auto p = sql.find(from); p != std::string::npos; p = sql.find(from, p + to.size()))
        sql.replace(p, from.size(), to);
    };
    replace("$1", quote_literal(array_literal(schemas)));
    replace("$2", quote_literal(kVersionTable));
    return sql;
  };
  for (const char* q :
       {kSchemasQuery, kTablesQuery, kColumnsQuery, kConstraintsQuery, kIndexesQuery, kEnumsQuery})
    out += fill(q) + ";\n";
  return out;
}

Schema introspect(pqxx::transaction_base& tx, const std::vector<std::string>& schemas,
                  std::size_t* query_count, MissingSchema missing,
                  pqxx::transaction_base* columns_tx) {
  std::size_t queries = 0;
  auto run = [&](const char* sql, auto&&... params) {
    ++queries;
    return tx.exec_params(sql, params...);
  };
  const auto wanted = array_literal(schemas);
  std::future<pqxx::result> columns;
  if (columns_tx) {
    queries += 2;
    columns = std::async(std::launch::async, [columns_tx, &wanted] {
      columns_tx->exec("SET LOCAL search_path = ''");
      return columns_tx->exec_params(kColumnsQuery, wanted);
    });
  }
  tx.exec("SET LOCAL search_path = ''");
  ++queries;

  Schema schema;
  {
    auto r = run(kSchemasQuery, wanted);
    for (const auto& row : r) {
      std::string name = row[0].c_str();
      schema.schemas[name].name = name;
    }
    for (const auto& s : schemas)
      if (!schema.schemas.contains(s) && missing == MissingSchema::error)
        throw Error(fmt::format("schema \"{}\" does not exist in the database", s));
  }

  // Tables by oid, for the per-object queries to find their table, with their columns' attnums
  // (constraints name their columns by attnum).
  struct TableRef {
    Table* table;
    std::vector<int> attnums;  // parallel to table->columns
  };
  std::unordered_map<std::string, TableRef> by_oid;
  for (const auto& row : run(kTablesQuery, wanted, kVersionTable)) {
    auto& ns = schema.schemas[row[1].c_str()];
    auto& t = ns.tables[row[2].c_str()];
    t.name = row[2].c_str();
    t.comment = text(row[3]);
    by_oid.emplace(row[0].c_str(), TableRef{&t, {}});
  }
  std::unordered_map<std::string, TableRef>::iterator it;

  // The other queries go out while the column query runs on the helper; results are read after.
  auto constraints = run(kConstraintsQuery, wanted);
  auto indexes = run(kIndexesQuery, wanted);
  auto enums = run(kEnumsQuery, wanted);

  for (const auto& row : columns_tx ? columns.get() : run(kColumnsQuery, wanted)) {
    it = by_oid.find(row[0].c_str());
    if (it == by_oid.end()) continue;
    Column c;
    c.name = row[2].c_str();
    c.type = row[3].c_str();
    c.nullable = !boolean(row[4]);
    c.default_expr = text(row[5]);
    c.comment = text(row[8]);
    std::string typname = row[9].c_str();
    char identity = row[6].c_str()[0];
    char generated = row[7].c_str()[0];
    if (generated == 's') {
      c.generated = c.default_expr;
      c.default_expr.reset();
    }
    if (identity == 'a' || identity == 'd') {
      c.identity = identity_of(row, typname);
    } else if (!row[16].is_null() && row[16].c_str()[0] == 'a' && c.default_expr &&
               c.default_expr->starts_with("nextval(") &&
               (typname == "int2" || typname == "int4" || typname == "int8")) {
      c.serial = true;
      c.default_expr.reset();
    }
    it->second.table->columns.push_back(std::move(c));
    it->second.attnums.push_back(static_cast<int>(integer(row[1])));
  }

  for (const auto& row : constraints) {
    it = by_oid.find(row[0].c_str());
    if (it == by_oid.end()) continue;
    Table& t = *it->second.table;
    std::string name = row[1].c_str();
    auto columns = column_names(row[3], it->second.attnums, t);
    switch (row[2].c_str()[0]) {
      case 'p':
        t.primary_key = PrimaryKey{name, columns};
        break;
      case 'u':
        t.uniques.push_back({name, columns, boolean(row[12])});
        break;
      case 'c':
        t.checks.push_back({name, check_expression(row[11].c_str())});
        break;
      case 'f': {
        ForeignKey fk;
        fk.name = name;
        fk.columns = columns;
        fk.ref_table = {row[4].c_str(), row[5].c_str()};
        fk.ref_columns = names(row[6]);
        fk.on_delete = action(row[7].c_str()[0]);
        fk.on_update = action(row[8].c_str()[0]);
        fk.deferrable = boolean(row[9]);
        fk.initially_deferred = boolean(row[10]);
        t.foreign_keys.push_back(std::move(fk));
        break;
      }
    }
  }

  for (const auto& row : indexes) {
    it = by_oid.find(row[0].c_str());
    if (it == by_oid.end()) continue;
    Index ix;
    ix.name = row[1].c_str();
    ix.unique = boolean(row[2]);
    ix.method = row[3].c_str();
    auto key_count = static_cast<std::size_t>(integer(row[4]));
    auto keys = nlohmann::json::parse(row[5].c_str());
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const auto& key = keys[k];
      bool is_column = key[0].get<int>() != 0;
      if (k >= key_count) {  // INCLUDE columns
        ix.include.push_back(key[1].get<std::string>());
        continue;
      }
      IndexKey ik;
      if (is_column)
        ik.column = key[1].get<std::string>();
      else
        ik.expression = key[2].get<std::string>();
      if (!key[4].is_null()) ik.opclass = key[4].get<std::string>();
      int option = key[3].is_null() ? 0 : key[3].get<int>();
      ik.descending = option & 1;
      bool nulls_first = option & 2;
      // Only a NULLS placement that differs from the direction's default is recorded.
      if (nulls_first != ik.descending) ik.nulls_first = nulls_first;
      ix.keys.push_back(std::move(ik));
    }
    ix.where = text(row[6]);
    it->second.table->indexes.push_back(std::move(ix));
  }

  for (const auto& row : enums) {
    auto& ns = schema.schemas[row[0].c_str()];
    Enum e{row[1].c_str(), names(row[2])};
    ns.enums.emplace(e.name, std::move(e));
  }

  schema.normalize();
  if (query_count) *query_count += queries;
  return schema;
}

}  // namespace retort

namespace retort {

SnapshotPair::SnapshotPair(pqxx::connection_base& main, pqxx::connection_base& helper)
    : m_main(main), m_helper(helper) {
  auto id = m_main.exec("SELECT pg_export_snapshot()")[0][0].as<std::string>();
  m_helper.exec("SET TRANSACTION SNAPSHOT " + m_helper.quote(id));
}

}  // namespace retort
