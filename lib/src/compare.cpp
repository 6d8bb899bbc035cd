#include "retort/compare.hpp"

#include <fmt/format.h>

#include <future>
#include <map>
#include <set>

#include "retort/connection.hpp"
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
  std::set<std::string> columns;     // whose type, default, generation or identity differ
};

std::set<std::string> differing_columns(const Table& cur, const Table& t) {
  std::set<std::string> out;
  for (const auto& c : t.columns) {
    const Column* o = cur.find_column(c.name);
    if (o && (o->type != c.type || !same_default(o->default_expr, c.default_expr) ||
              o->generated != c.generated || o->identity != c.identity))
      out.insert(c.name);
  }
  return out;
}

// A column whose default or type alone differs, probed in a table shared with others.
struct PackedColumn {
  QualifiedName table;
  std::string column;
};

// Well under PostgreSQL's 1,600 columns a table.
constexpr std::size_t kPackedColumns = 1000;

Column probe_column(const Column& c, std::string name) {
  Column copy;
  copy.name = std::move(name);
  copy.type = c.type;
  copy.default_expr = c.serial ? std::nullopt : c.default_expr;
  copy.generated = c.generated;
  copy.identity = c.identity;
  copy.nullable = !c.identity;
  return copy;
}

std::string packed_name(std::size_t first) { return fmt::format("retort_packed_{}", first); }

// Columns [first, last) of `packed` as one temporary table; column "c<i>" stands for packed[i].
std::string packed_sql(const Schema& target, const std::vector<PackedColumn>& packed,
                       std::size_t first, std::size_t last) {
  std::string sql = "CREATE TEMPORARY TABLE " + quote_ident(packed_name(first)) + " (";
  for (std::size_t i = first; i < last; ++i) {
    const Table* t = target.find_table(packed[i].table);
    sql +=
        (i == first ? "" : ", ") +
        column_definition(probe_column(*t->find_column(packed[i].column), fmt::format("c{}", i)));
  }
  return sql + ");\n";
}

// The server's spelling of a probed column's type and expressions.
void apply_probe(Column& c, const Column& probed) {
  c.type = probed.type;
  if (!c.serial) c.default_expr = probed.default_expr;
  c.generated = probed.generated;
  c.identity = probed.identity;
}

std::string probe_sql(const Probe& p, const Table& t, const std::string& temp_schema) {
  std::vector<std::string> items;
  // Every column, for checks and expressions to refer to, but only the differing ones with
  // their default, generation and identity: an identity's sequence is costly to create.
  for (const auto& c : t.columns) {
    Column copy;
    copy.name = c.name;
    copy.type = c.type;
    items.push_back(column_definition(p.columns.contains(c.name) ? probe_column(c, c.name) : copy));
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

// The tables where the target may add a NOT NULL column without a default or set NOT NULL, in
// order: those whose row warnings depend on whether they hold rows.
std::vector<QualifiedName> row_check_candidates(const Schema& current, const Schema& target) {
  std::vector<QualifiedName> out;
  for (const auto& [sname, ns] : target.schemas)
    for (const auto& [tname, t] : ns.tables) {
      const Table* cur = current.find_table({sname, tname});
      if (cur && std::any_of(t.columns.begin(), t.columns.end(), [&](const Column& c) {
            return fails_on_rows(cur->find_column(c.name), c);
          }))
        out.push_back({sname, tname});
    }
  return out;
}

// Which of `tables` hold rows. A table whose heap has no pages has none; only the others get an
// EXISTS. Names are matched by a join rather than cast to regclass one by one (10,000 casts take
// 100 ms).
std::set<QualifiedName> tables_with_rows(pqxx::transaction_base& tx,
                                         const std::vector<QualifiedName>& tables) {
  std::set<QualifiedName> out;
  if (tables.empty()) return out;
  std::vector<std::string> schema_names, table_names;
  for (const auto& t : tables) {
    schema_names.push_back(t.schema);
    table_names.push_back(t.name);
  }
  std::string sql;
  for (const auto& row :
       tx.exec_params("SELECT t.s, t.n FROM unnest($1::text[], $2::text[]) t(s, n) "
                      "JOIN pg_namespace ns ON ns.nspname = t.s "
                      "JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = t.n "
                      "WHERE pg_relation_size(c.oid) > 0",
                      array_literal(schema_names), array_literal(table_names))) {
    QualifiedName t{row[0].c_str(), row[1].c_str()};
    sql +=
        fmt::format("{}SELECT {}, {}, EXISTS (SELECT 1 FROM {})", sql.empty() ? "" : " UNION ALL ",
                    quote_literal(t.schema), quote_literal(t.name), qualified(t));
  }
  if (!sql.empty())
    for (const auto& row : tx.exec(sql))
      if (row[2].as<bool>()) out.insert({row[0].c_str(), row[1].c_str()});
  return out;
}

}  // namespace

Schema restrict_to(Schema schema, const std::vector<std::string>& scope) {
  std::erase_if(schema.schemas, [&](const auto& entry) {
    return std::find(scope.begin(), scope.end(), entry.first) == scope.end();
  });
  return schema;
}

Schema canonicalize(pqxx::dbtransaction& tx, const Schema& current, Schema target) {
  std::vector<Probe> probes;  // tables whose checks, indexes or generated columns need probing
  std::vector<PackedColumn> packed;
  for (const auto& [sname, ns] : target.schemas)
    for (const auto& [tname, t] : ns.tables) {
      const Table* cur = current.find_table({sname, tname});
      if (!cur) continue;
      Probe p{{sname, tname}, fmt::format("retort_probe_{}", probes.size()), {}, {}, {}};
      p.columns = differing_columns(*cur, t);
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
      bool generated = std::any_of(p.columns.begin(), p.columns.end(), [&](const auto& name) {
        return t.find_column(name)->generated.has_value();
      });
      if (p.checks.empty() && p.indexes.empty() && !generated) {
        // Defaults and types refer to no other column: they share packed tables.
        for (const auto& name : p.columns) packed.push_back({{sname, tname}, name});
      } else if (!p.columns.empty() || !p.checks.empty() || !p.indexes.empty()) {
        probes.push_back(std::move(p));
      }
    }
  if (probes.empty() && packed.empty()) return target;

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
  std::vector<std::string> temp_names;  // of every table created, to read back by name
  for (const auto& p : probes) {
    all += probe_sql(p, *target.find_table(p.table), temp_schema);
    temp_names.push_back(p.temp_name);
  }
  for (std::size_t first = 0; first < packed.size(); first += kPackedColumns) {
    all += packed_sql(target, packed, first, std::min(packed.size(), first + kPackedColumns));
    temp_names.push_back(packed_name(first));
  }
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
  // After a failure, each probe alone, so one bad expression spoils nothing else.
  for (std::size_t i = 0; !batch_ok && i < packed.size(); ++i) {
    pqxx::subtransaction sp(tx, "retort_probe");
    try {
      sp.exec(packed_sql(target, packed, i, i + 1));
      sp.commit();
      temp_names.push_back(packed_name(i));
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

  Schema probed = introspect(tx, {temp_schema}, {.tables = std::move(temp_names)});
  Schema& out = target;
  const auto& temp_tables = probed.schemas[temp_schema].tables;
  for (const auto& [name, table] : temp_tables) {
    if (!name.starts_with("retort_packed_")) continue;
    for (const auto& pc : table.columns) {
      const auto& [where, column] = packed[std::stoul(pc.name.substr(1))];
      for (auto& c : out.find_table(where)->columns)
        if (c.name == column) apply_probe(c, pc);
    }
  }
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (!created[i]) continue;
    const auto& p = probes[i];
    auto it = temp_tables.find(p.temp_name);
    if (it == temp_tables.end()) continue;
    const Table& canon = it->second;
    Table& t = *out.find_table(p.table);
    for (auto& c : t.columns) {
      const Column* pc = canon.find_column(c.name);
      if (pc && p.columns.contains(c.name)) apply_probe(c, *pc);
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
  return target;
}

Comparison compare(const std::string& url, const std::vector<std::string>& scope, Schema target) {
  return compare(url, scope, [&target] { return std::move(target); });
}

Comparison compare(const std::string& url, const std::vector<std::string>& scope,
                   const std::function<Schema()>& load_target) {
  Comparison cmp;
  auto target = std::async(std::launch::async, load_target);
  ConnectionPair conns;
  try {
    conns = connect_pair(url);
  } catch (...) {
    target.get();  // a bad target file is reported before an unreachable database
    throw;
  }
  std::vector<QualifiedName> checked;
  std::set<QualifiedName> with_rows;
  {
    SnapshotPair pair(*conns.main, *conns.helper);
    cmp.current = introspect(pair.main(), scope,
                             {.missing = MissingSchema::skip, .columns_tx = &pair.helper()});
    auto wanted = restrict_to(target.get(), scope);
    // Which tables hold rows is looked up on the helper while the main connection canonicalizes;
    // the tables come from the target as written (canonical forms do not change nullability).
    checked = row_check_candidates(cmp.current, wanted);
    auto rows = std::async(std::launch::async,
                           [&pair, &checked] { return tables_with_rows(pair.helper(), checked); });
    cmp.target = canonicalize(pair.main(), cmp.current, std::move(wanted));
    with_rows = rows.get();
    pair.main().abort();
  }
  conns.helper.reset();
  cmp.diff = diff(cmp.current, cmp.target);
  // Canonical forms change no nullability, default presence or identity of the columns the guess
  // looked at, so it asks about every table the diff does; should that ever change, the tables
  // it missed are looked up here.
  std::vector<QualifiedName> missed;
  for (const auto& t : cmp.diff.tables_asked())
    if (cmp.current.find_table(t) && !std::binary_search(checked.begin(), checked.end(), t))
      missed.push_back(t);
  if (!missed.empty()) {
    pqxx::read_transaction tx(*conns.main);
    with_rows.merge(tables_with_rows(tx, missed));
  }
  cmp.diff.keep_row_warnings([&](const QualifiedName& t) { return with_rows.contains(t); });
  return cmp;
}

}  // namespace retort
