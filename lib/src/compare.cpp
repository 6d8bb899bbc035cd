#include "retort/compare.hpp"

#include <fmt/format.h>

#include <future>
#include <map>
#include <set>

#include "catalog.hpp"
#include "retort/connection.hpp"
#include "retort/introspect.hpp"
#include "retort/kinds/table.hpp"
#include "retort/ops.hpp"
#include "retort/sql.hpp"

namespace retort {

// A table whose heap has no pages has no rows. A partitioned (or foreign) table has no pages of its
// own: it is kept, for its rows to be looked for. Names are matched by a join rather than cast to
// regclass one by one (10,000 casts take 100 ms).
std::set<QualifiedName> catalog::tables_with_pages(pqxx::transaction_base& tx,
                                                   const std::vector<QualifiedName>& tables) {
  std::set<QualifiedName> out;
  if (tables.empty()) return out;
  std::vector<std::string> schema_names, table_names;
  schema_names.reserve(tables.size());
  table_names.reserve(tables.size());
  for (const auto& t : tables) {
    schema_names.push_back(t.schema);
    table_names.push_back(t.name);
  }
  for (const auto& row :
       tx.exec_params("SELECT t.s, t.n FROM unnest($1::text[], $2::text[]) t(s, n) "
                      "JOIN pg_catalog.pg_namespace ns ON ns.nspname = t.s "
                      "JOIN pg_catalog.pg_class c ON c.relnamespace = ns.oid AND c.relname = t.n "
                      "WHERE c.relkind <> 'r' OR pg_catalog.pg_relation_size(c.oid) > 0",
                      array_literal(schema_names), array_literal(table_names)))
    out.insert({row[0].c_str(), row[1].c_str()});
  return out;
}

namespace {

// Which parts of a target table need the server's opinion: those that differ as text.
struct Probe {
  QualifiedName table;
  std::string temp_name;
  std::set<std::string> columns;  // whose type, default, generation or identity differ
  // Items of probed kinds (checks, indexes, ...) by kind and position in the target's list.
  std::vector<std::pair<std::string_view, std::size_t>> items;

  // The name an item takes in the probe table (index names share the temporary schema).
  std::string item_name(std::string_view kind, std::size_t i) const {
    return fmt::format("{}_{}_{}", temp_name, kind, i);
  }
};

std::set<std::string> differing_columns(const Table& cur, const Table& t) {
  std::set<std::string> out;
  for (const auto& c : t.columns) {
    const Column* o = cur.find_column(c.name);
    if (o &&
        (o->type != c.type || !same_default(o->default_expr, c.default_expr) ||
         o->generated != c.generated || o->identity != c.identity || o->collation != c.collation))
      out.insert(c.name);
  }
  return out;
}

// The items of probed kinds whose text differs from the current table's namesake.
void differing_items(Probe& p, const Table& cur, const Table& t) {
  for_each_table_item_kind([&]<class Kind>() {
    if constexpr (Kind::kProbed) {
      const auto& wanted = Kind::items(t);
      const auto& have = Kind::items(cur);
      for (std::size_t i = 0; i < wanted.size(); ++i) {
        auto it = std::find_if(have.begin(), have.end(),
                               [&](const auto& x) { return x.name == wanted[i].name; });
        if (it == have.end() || !(*it == wanted[i])) p.items.emplace_back(Kind::kJsonKey, i);
      }
    }
  });
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
  copy.collation = c.collation;
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
  c.collation = probed.collation;
}

std::string probe_sql(const Probe& p, const Table& t, const std::string& temp_schema) {
  std::string sql = "CREATE TEMPORARY TABLE " + quote_ident(p.temp_name) + " (";
  // Every column, for items and expressions to refer to, but only the differing ones with
  // their default, generation and identity: an identity's sequence is costly to create.
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    Column copy;
    copy.name = c.name;
    copy.type = c.type;
    copy.collation = c.collation;  // index keys take their collation from the column
    sql += (i ? ", " : "") +
           column_definition(p.columns.contains(c.name) ? probe_column(c, c.name) : copy);
  }
  sql += ");\n";
  const QualifiedName temp{temp_schema, p.temp_name};
  for (const auto& item_ref : p.items)
    for_each_table_item_kind([&]<class Kind>() {
      const auto& [kind, i] = item_ref;
      if constexpr (Kind::kProbed) {
        if (kind != Kind::kJsonKey) return;
        auto item = Kind::items(t)[i];
        item.name = p.item_name(kind, i);
        sql += Kind::add_sql(temp, item) + ";\n";
      }
    });
  return sql;
}

// The probed items' canonical forms, read back from the probe table, under their real names.
void apply_probe(Table& t, const Probe& p, const Table& canon) {
  for (auto& c : t.columns) {
    const Column* pc = canon.find_column(c.name);
    if (pc && p.columns.contains(c.name)) apply_probe(c, *pc);
  }
  for (const auto& item_ref : p.items)
    for_each_table_item_kind([&]<class Kind>() {
      const auto& [kind, i] = item_ref;
      if (kind != Kind::kJsonKey) return;
      auto& item = Kind::items(t)[i];
      for (const auto& probed : Kind::items(canon))
        if (probed.name == p.item_name(kind, i)) {
          auto real_name = item.name;
          item = probed;
          item.name = real_name;
        }
    });
}

// New schema-level objects (extensions, sequences, domains, composite types) that the probes'
// columns may use: their types, nextval's sequences.
std::string create_new_objects_sql(const Namespace& ns, const Namespace* cur) {
  std::string sql;
  auto add = [&]<class Kind>(const auto& wanted, const auto* have) {
    for (const auto& [name, object] : wanted)
      if (!have || !have->contains(name))
        for (const auto& stmt : Kind::create_sql(ns.name, object)) sql += stmt + ";\n";
  };
  add.template operator()<ExtensionKind>(ns.extensions, cur ? &cur->extensions : nullptr);
  add.template operator()<SequenceKind>(ns.sequences, cur ? &cur->sequences : nullptr);
  add.template operator()<DomainKind>(ns.domains, cur ? &cur->domains : nullptr);
  add.template operator()<CompositeKind>(ns.composites, cur ? &cur->composites : nullptr);
  return sql;
}

// Domains and composite types that are new or differ as text, by kind: created in the
// temporary schema as retort_<kind>_<i>, read back by the introspector, put back by name.
struct ObjectProbes {
  std::vector<QualifiedName> domains, composites;
  bool empty() const { return domains.empty() && composites.empty(); }
};

ObjectProbes object_probes(const Schema& current, const Schema& target) {
  ObjectProbes out;
  for (const auto& [sname, ns] : target.schemas) {
    auto cur = current.schemas.find(sname);
    const Namespace* have = cur == current.schemas.end() ? nullptr : &cur->second;
    for (const auto& [name, d] : ns.domains)
      if (!have || !have->domains.contains(name) || !(have->domains.at(name) == d))
        out.domains.push_back({sname, name});
    for (const auto& [name, t] : ns.composites)
      if (!have || !have->composites.contains(name) || !(have->composites.at(name) == t))
        out.composites.push_back({sname, name});
  }
  return out;
}

std::string object_probe_name(std::string_view kind, std::size_t i) {
  return fmt::format("retort_{}_{}", kind, i);
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
    auto cur = current.schemas.find(name);
    sql += create_new_objects_sql(ns, cur == current.schemas.end() ? nullptr : &cur->second);
  }
  if (!sql.empty()) tx.exec(sql);
}

// The tables where the target may add a NOT NULL column without a default or set NOT NULL, in
// order: those whose row warnings depend on whether they hold rows.
std::vector<QualifiedName> row_check_candidates(const Schema& current, const Schema& target) {
  std::vector<QualifiedName> out;
  for (const auto& [sname, ns] : target.schemas)
    for (const auto& [tname, table] : ns.tables) {
      const Table& t = table;  // not a structured binding: clang 14 cannot capture those
      const Table* cur = current.find_table({sname, tname});
      if (cur && std::any_of(t.columns.begin(), t.columns.end(), [&](const Column& c) {
            return fails_on_rows(
                cur->find_column(c.name, static_cast<std::size_t>(&c - t.columns.data())), c);
          }))
        out.push_back({sname, tname});
    }
  return out;
}

// Which of `tables` hold rows: only those with pages get an EXISTS.
std::set<QualifiedName> tables_with_rows(pqxx::transaction_base& tx,
                                         const std::vector<QualifiedName>& tables) {
  std::set<QualifiedName> out;
  std::string sql;
  for (const auto& t : catalog::tables_with_pages(tx, tables))
    sql +=
        fmt::format("{}SELECT {}, {}, EXISTS (SELECT 1 FROM {})", sql.empty() ? "" : " UNION ALL ",
                    quote_literal(t.schema), quote_literal(t.name), qualified(t));
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

namespace {

// What of a target needs probing: tables with differing items or generated columns get a probe
// of their own; columns whose type or default alone differ are packed together.
struct ProbeSet {
  std::vector<Probe> probes;
  std::vector<PackedColumn> packed;
  bool empty() const { return probes.empty() && packed.empty(); }
};

ProbeSet probes_for(const Schema& current, const Schema& target) {
  ProbeSet set;
  for (const auto& [sname, ns] : target.schemas)
    for (const auto& [tname, table] : ns.tables) {
      const Table& t = table;  // not a structured binding: clang 14 cannot capture those
      const Table* cur = current.find_table({sname, tname});
      if (!cur) continue;
      Probe p{{sname, tname}, fmt::format("retort_probe_{}", set.probes.size()), {}, {}};
      p.columns = differing_columns(*cur, t);
      differing_items(p, *cur, t);
      bool generated = std::any_of(p.columns.begin(), p.columns.end(), [&](const auto& name) {
        return t.find_column(name)->generated.has_value();
      });
      if (p.items.empty() && !generated) {
        // Defaults and types refer to no other column: they share packed tables.
        for (const auto& name : p.columns) set.packed.push_back({{sname, tname}, name});
      } else {
        set.probes.push_back(std::move(p));
      }
    }
  return set;
}

// Runs `sql` in a subtransaction; whether it succeeded.
bool try_exec(pqxx::dbtransaction& tx, const std::string& sql) {
  pqxx::subtransaction sp(tx, "retort_probe");
  try {
    sp.exec(sql);
    sp.commit();
    return true;
  } catch (const std::exception&) {
    sp.abort();
    return false;
  }
}

// Creates the probe tables, all in one batch or, after a failure, one by one so that one bad
// expression spoils nothing else. Returns the names of the tables created.
std::vector<std::string> create_probes(pqxx::dbtransaction& tx, const Schema& target,
                                       const ProbeSet& set, const std::string& temp_schema) {
  std::string all;
  std::vector<std::string> names;
  for (const auto& p : set.probes) {
    all += probe_sql(p, *target.find_table(p.table), temp_schema);
    names.push_back(p.temp_name);
  }
  for (std::size_t first = 0; first < set.packed.size(); first += kPackedColumns) {
    all +=
        packed_sql(target, set.packed, first, std::min(set.packed.size(), first + kPackedColumns));
    names.push_back(packed_name(first));
  }
  if (try_exec(tx, all)) return names;
  names.clear();
  for (std::size_t i = 0; i < set.packed.size(); ++i)
    if (try_exec(tx, packed_sql(target, set.packed, i, i + 1))) names.push_back(packed_name(i));
  for (const auto& p : set.probes)
    if (try_exec(tx, probe_sql(p, *target.find_table(p.table), temp_schema)))
      names.push_back(p.temp_name);
  return names;
}

}  // namespace

Schema canonicalize(pqxx::dbtransaction& tx, const Schema& current, Schema target) {
  catalog::canonicalize_views(tx, current, target);
  auto set = probes_for(current, target);
  auto objects = object_probes(current, target);
  bool partitions = std::any_of(target.schemas.begin(), target.schemas.end(), [&](const auto& ns) {
    return std::any_of(ns.second.tables.begin(), ns.second.tables.end(),
                       [](const auto& t) { return t.second.partition_by.has_value(); });
  });
  bool functions = std::any_of(target.schemas.begin(), target.schemas.end(), [&](const auto& ns) {
    auto cur = current.schemas.find(ns.first);
    return !ns.second.functions.empty() &&
           (cur == current.schemas.end() || cur->second.functions != ns.second.functions);
  });
  if (set.empty() && objects.empty() && !functions && !partitions) return target;

  tx.exec("SET LOCAL search_path = ''");
  // Enum labels added here cannot be used before commit; probes using them fail and keep the
  // target's own text, which is then compared as it is.
  {
    pqxx::subtransaction sp(tx, "retort_types");
    try {
      prepare_types(sp, current, target);
      sp.commit();
    } catch (const std::exception&) {
      sp.abort();
    }
  }
  if (functions) catalog::canonicalize_functions(tx, current, target);
  if (partitions) catalog::canonicalize_partitions(tx, current, target);
  if (set.empty() && objects.empty()) return target;
  tx.exec("CREATE TEMPORARY TABLE retort_probe_anchor ()");
  auto temp_schema =
      tx.exec("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()")[0][0]
          .as<std::string>();
  auto created =
      set.empty() ? std::vector<std::string>{} : create_probes(tx, target, set, temp_schema);
  for (std::size_t i = 0; i < objects.domains.size(); ++i) {
    auto d = target.schemas.at(objects.domains[i].schema).domains.at(objects.domains[i].name);
    d.name = object_probe_name("domain", i);
    try_exec(tx, DomainKind::create_sql(temp_schema, d).front());
  }
  for (std::size_t i = 0; i < objects.composites.size(); ++i) {
    auto t =
        target.schemas.at(objects.composites[i].schema).composites.at(objects.composites[i].name);
    t.name = object_probe_name("composite", i);
    try_exec(tx, CompositeKind::create_sql(temp_schema, t).front());
  }

  Schema probed =
      introspect(tx, {temp_schema}, {.tables = std::move(created), .probes_only = true});
  const auto& temp_tables = probed.schemas[temp_schema].tables;
  for (const auto& [name, table] : temp_tables) {
    if (!name.starts_with("retort_packed_")) continue;
    for (const auto& pc : table.columns) {
      const auto& [where, column] = set.packed[std::stoul(pc.name.substr(1))];
      for (auto& c : target.find_table(where)->columns)
        if (c.name == column) apply_probe(c, pc);
    }
  }
  for (const auto& p : set.probes)
    if (auto it = temp_tables.find(p.temp_name); it != temp_tables.end())
      apply_probe(*target.find_table(p.table), p, it->second);
  const auto& temp = probed.schemas[temp_schema];
  for (std::size_t i = 0; i < objects.domains.size(); ++i)
    if (auto it = temp.domains.find(object_probe_name("domain", i)); it != temp.domains.end()) {
      auto& d = target.schemas.at(objects.domains[i].schema).domains.at(objects.domains[i].name);
      auto name = d.name;
      d = it->second;
      d.name = name;
    }
  for (std::size_t i = 0; i < objects.composites.size(); ++i)
    if (auto it = temp.composites.find(object_probe_name("composite", i));
        it != temp.composites.end()) {
      auto& t =
          target.schemas.at(objects.composites[i].schema).composites.at(objects.composites[i].name);
      auto name = t.name;
      t = it->second;
      t.name = name;
    }
  return target;
}

namespace {

std::int64_t row_count(pqxx::transaction_base& tx, const QualifiedName& table) {
  return tx.exec("SELECT count(*) FROM " + qualified(table))[0][0].as<std::int64_t>();
}

// Settles the renames of a comparison inside `tx` (rolled back by the caller): hints and
// requests, then each candidate put to the options' `decide`, tables before columns. Each rename
// is applied as it is settled, so rows are counted under the names the database has by then.
// Returns the rename ops; the candidates left undecided go to `undecided`.
std::vector<Op> settle_renames(pqxx::dbtransaction& tx, const Schema& current, const Schema& target,
                               const RenameOptions& options,
                               std::vector<RenameCandidate>& undecided) {
  RenamePlan plan(current, target, options.requested);
  std::size_t applied = 0;
  auto apply_new = [&] {
    std::string sql;
    for (; applied < plan.ops().size(); ++applied)
      for (const auto& stmt : to_sql(plan.ops()[applied])) sql += stmt + ";\n";
    if (!sql.empty()) tx.exec(sql);
  };
  apply_new();
  for (bool tables : {true, false})
    for (auto c : plan.candidates()) {
      if (c.column.has_value() == tables) continue;
      // A candidate whose names an accepted one took is no longer one.
      if (!plan.open(c)) continue;
      c.rows = row_count(tx, c.table);
      if (!options.no_rename && options.decide && options.decide(c)) {
        plan.accept(c);
        apply_new();
      } else {
        undecided.push_back(std::move(c));
      }
    }
  return plan.ops();
}

}  // namespace

Comparison compare(const std::string& url, const std::vector<std::string>& scope, Schema target,
                   const RenameOptions& renames) {
  return compare(
      url, scope, [&target] { return std::move(target); }, renames);
}

namespace {

// compare() once the target is loading (on a thread of its own) and the connections are open.
Comparison compare_with_loading(ConnectionPair& conns, const std::vector<std::string>& scope,
                                std::future<Schema>& target, const RenameOptions& renames) {
  Comparison cmp;
  std::vector<QualifiedName> checked;
  std::set<QualifiedName> with_rows;
  std::vector<Op> rename_ops;
  {
    SnapshotPair pair(*conns.main, *conns.helper);
    cmp.current = introspect(pair.main(), scope,
                             {.missing = MissingSchema::skip, .columns_tx = &pair.helper()});
    auto wanted = restrict_to(target.get(), scope);
    rename_ops = settle_renames(pair.main(), cmp.current, wanted, renames, cmp.rename_candidates);
    if (!rename_ops.empty()) {
      cmp.current = introspect(pair.main(), scope, {.missing = MissingSchema::skip});
      cmp.renamed = true;
    }
    // Which tables hold rows is looked up on the helper while the main connection canonicalizes;
    // the tables come from the target as written (canonical forms do not change nullability).
    // After renames only the main transaction knows the new names.
    checked = row_check_candidates(cmp.current, wanted);
    std::future<std::set<QualifiedName>> rows;
    if (rename_ops.empty())
      rows = std::async(std::launch::async,
                        [&pair, &checked] { return tables_with_rows(pair.helper(), checked); });
    else
      with_rows = tables_with_rows(pair.main(), checked);
    cmp.target = canonicalize(pair.main(), cmp.current, std::move(wanted));
    if (rows.valid()) with_rows = rows.get();
    pair.main().abort();
  }
  cmp.diff = diff(cmp.current, cmp.target);
  // The renames come first; their inverses last in the downgrade.
  cmp.diff.upgrade.insert(cmp.diff.upgrade.begin(), rename_ops.begin(), rename_ops.end());
  for (auto it = rename_ops.rbegin(); it != rename_ops.rend(); ++it)
    cmp.diff.downgrade.push_back(*inverse(*it));
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

}  // namespace

Comparison compare(const std::string& url, const std::vector<std::string>& scope,
                   const std::function<Schema()>& load_target, const RenameOptions& renames) {
  auto target = std::async(std::launch::async, load_target);
  ConnectionPair conns;
  try {
    conns = connect_pair(url);
  } catch (...) {
    target.get();  // a bad target file is reported before an unreachable database
    throw;
  }
  return compare_with_loading(conns, scope, target, renames);
}

Comparison compare(ConnectionPair& conns, const std::vector<std::string>& scope,
                   const std::function<Schema()>& load_target, const RenameOptions& renames) {
  auto target = std::async(std::launch::async, load_target);
  return compare_with_loading(conns, scope, target, renames);
}

}  // namespace retort
