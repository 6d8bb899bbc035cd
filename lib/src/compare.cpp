#include "retort/compare.hpp"

#include <fmt/format.h>

#include <map>

#include "retort/introspect.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

// Which parts of a target table need the server's opinion: those that differ as text.
struct Probe {
  QualifiedName table;
  std::string temp_name;
  std::vector<std::string> checks;   // names
  std::vector<std::size_t> indexes;  // positions in the target table's index list
  bool columns = false;
};

bool columns_differ(const Table& cur, const Table& t) {
  for (const auto& c : t.columns) {
    const Column* o = cur.find_column(c.name);
    if (o && (o->type != c.type || !same_default(o->default_expr, c.default_expr) ||
              o->generated != c.generated || o->identity != c.identity))
      return true;
  }
  return false;
}

std::string probe_sql(const Probe& p, const Table& t, const std::string& temp_schema) {
  std::vector<std::string> items;
  for (const auto& c : t.columns) {
    Column copy = c;
    copy.comment.reset();
    copy.serial = false;  // a temp table cannot own the sequence retort would create
    items.push_back(column_definition(copy));
  }
  for (const auto& name : p.checks)
    for (const auto& ck : t.checks)
      if (ck.name == name) items.push_back(constraint_clause(ck));
  std::string sql = "CREATE TEMPORARY TABLE " + quote_ident(p.temp_name) + " (";
  for (std::size_t i = 0; i < items.size(); ++i) sql += (i ? ", " : "") + items[i];
  sql += ");\n";
  for (auto i : p.indexes) {
    Index ix = t.indexes[i];
    ix.name = p.temp_name + "_i" + std::to_string(i);
    sql += create_index_sql({temp_schema, p.temp_name}, ix) + ";\n";
  }
  return sql;
}

// Schemas and enum types the target needs for its probes to be created at all.
void prepare_types(pqxx::transaction_base& tx, const Schema& current, const Schema& target) {
  std::string sql;
  for (const auto& [name, ns] : target.schemas) {
    if (!current.schemas.contains(name)) sql += create_schema_sql(name) + ";\n";
    for (const auto& [ename, e] : ns.enums) {
      const Enum* old = current.find_enum({name, ename});
      if (!old) {
        sql += create_enum_sql({name, ename}, e.labels) + ";\n";
        continue;
      }
      for (const auto& l : e.labels)
        if (std::find(old->labels.begin(), old->labels.end(), l) == old->labels.end())
          sql += "ALTER TYPE " + qualified({name, ename}) + " ADD VALUE IF NOT EXISTS " +
                 quote_literal(l) + ";\n";
    }
  }
  if (!sql.empty()) tx.exec(sql);
}

}  // namespace

Schema restrict_to(const Schema& schema, const std::vector<std::string>& scope) {
  Schema out;
  for (const auto& name : scope)
    if (auto it = schema.schemas.find(name); it != schema.schemas.end()) out.schemas.insert(*it);
  return out;
}

Schema canonicalize(pqxx::dbtransaction& tx, const Schema& current, const Schema& target) {
  std::vector<Probe> probes;
  for (const auto& [sname, ns] : target.schemas)
    for (const auto& [tname, t] : ns.tables) {
      const Table* cur = current.find_table({sname, tname});
      if (!cur) continue;
      Probe p{{sname, tname}, fmt::format("retort_probe_{}", probes.size()), {}, {}, false};
      p.columns = columns_differ(*cur, t);
      for (const auto& ck : t.checks) {
        auto it = std::find_if(cur->checks.begin(), cur->checks.end(),
                               [&](const auto& c) { return c.name == ck.name; });
        if (it == cur->checks.end() || it->expression != ck.expression) p.checks.push_back(ck.name);
      }
      for (std::size_t i = 0; i < t.indexes.size(); ++i) {
        auto it = std::find_if(cur->indexes.begin(), cur->indexes.end(),
                               [&](const auto& x) { return x.name == t.indexes[i].name; });
        if (it == cur->indexes.end() || !(*it == t.indexes[i])) p.indexes.push_back(i);
      }
      if (p.columns || !p.checks.empty() || !p.indexes.empty()) probes.push_back(std::move(p));
    }
  if (probes.empty()) return target;

  tx.exec("SET LOCAL search_path = ''");
  {
    // Enum labels added here cannot be used before commit; probes using them fail below and
    // keep the target's own text, which is then compared as it is.
    pqxx::subtransaction sp(tx, "retort_types");
    try {
      prepare_types(sp, current, target);
      sp.commit();
    } catch (const std::exception&) {
      sp.abort();
    }
  }
  tx.exec("CREATE TEMPORARY TABLE retort_probe_anchor ()");
  auto temp_schema =
      tx.exec("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()")[0][0]
          .as<std::string>();

  std::vector<bool> created(probes.size(), false);
  std::string all;
  for (const auto& p : probes) all += probe_sql(p, *target.find_table(p.table), temp_schema);
  bool batch_ok = false;
  {
    pqxx::subtransaction sp(tx, "retort_probes");
    try {
      sp.exec(all);
      sp.commit();
      batch_ok = true;
    } catch (const std::exception&) {
      sp.abort();
    }
  }
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (batch_ok) {
      created[i] = true;
      continue;
    }
    pqxx::subtransaction sp(tx, "retort_probe");
    try {
      sp.exec(probe_sql(probes[i], *target.find_table(probes[i].table), temp_schema));
      sp.commit();
      created[i] = true;
    } catch (const std::exception&) {
      sp.abort();
    }
  }

  Schema probed = introspect(tx, {temp_schema});
  Schema out = target;
  const auto& temp_tables = probed.schemas[temp_schema].tables;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (!created[i]) continue;
    const auto& p = probes[i];
    auto it = temp_tables.find(p.temp_name);
    if (it == temp_tables.end()) continue;
    const Table& canon = it->second;
    Table& t = *out.find_table(p.table);
    for (auto& c : t.columns) {
      const Column* pc = canon.find_column(c.name);
      if (!pc) continue;
      c.type = pc->type;
      if (!c.serial) c.default_expr = pc->default_expr;
      c.generated = pc->generated;
      c.identity = pc->identity;
    }
    for (auto& ck : t.checks)
      for (const auto& pck : canon.checks)
        if (pck.name == ck.name) ck.expression = pck.expression;
    for (auto idx : p.indexes) {
      auto name = p.temp_name + "_i" + std::to_string(idx);
      for (const auto& pix : canon.indexes)
        if (pix.name == name) {
          auto real_name = t.indexes[idx].name;
          t.indexes[idx] = pix;
          t.indexes[idx].name = real_name;
        }
    }
  }
  return out;
}

Comparison compare(pqxx::connection_base& conn, const std::vector<std::string>& scope,
                   const Schema& target) {
  Comparison cmp;
  {
    pqxx::work tx(conn);
    cmp.current = introspect(tx, scope, nullptr, MissingSchema::skip);
    cmp.target = canonicalize(tx, cmp.current, restrict_to(target, scope));
    tx.abort();
  }
  std::map<QualifiedName, bool> rows;
  DiffOptions options;
  options.has_rows = [&](const QualifiedName& table) {
    auto it = rows.find(table);
    if (it != rows.end()) return it->second;
    if (!cmp.current.find_table(table)) return rows[table] = false;
    pqxx::read_transaction tx(conn);
    bool any = tx.exec("SELECT EXISTS (SELECT 1 FROM " + qualified(table) + ")")[0][0].as<bool>();
    return rows[table] = any;
  };
  cmp.diff = diff(cmp.current, cmp.target, options);
  return cmp;
}

}  // namespace retort
