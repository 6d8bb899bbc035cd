#include "retort/kinds/partition.hpp"

#include <fmt/format.h>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/kinds/table_item.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Partition& p) {
  return ordered_json{{"name", p.name}, {"bound", p.bound}};
}

void from_json(const JsonCursor& c, Partition& out) {
  c.allow_keys({"name", "bound"});
  out = Partition{c.string_at("name"), c.string_at("bound")};
}

namespace {

QualifiedName of(const QualifiedName& parent, const Partition& p) {
  return {parent.schema, p.name};
}

}  // namespace

namespace op {

std::vector<std::string> partition_sql(const QualifiedName& table, const Partition& p,
                                       PartitionChange change) {
  auto name = qualified(of(table, p));
  switch (change) {
    case PartitionChange::create:
      return {fmt::format("CREATE TABLE {} PARTITION OF {} {}", name, qualified(table), p.bound)};
    case PartitionChange::drop:
      return {"DROP TABLE " + name};
    case PartitionChange::attach:
      return {
          fmt::format("ALTER TABLE {} ATTACH PARTITION {} {}", qualified(table), name, p.bound)};
    case PartitionChange::detach:
      return {fmt::format("ALTER TABLE {} DETACH PARTITION {}", qualified(table), name)};
  }
  return {};
}
std::string describe_partition(const QualifiedName& table, const Partition& p,
                               PartitionChange change) {
  auto name = display(of(table, p));
  switch (change) {
    case PartitionChange::create:
      return fmt::format("create partition {} of {} ({})", name, display(table), p.bound);
    case PartitionChange::drop:
      return fmt::format("drop partition {} of {}", name, display(table));
    case PartitionChange::attach:
      return fmt::format("attach partition {} to {} ({})", name, display(table), p.bound);
    case PartitionChange::detach:
      return fmt::format("detach partition {} from {}", name, display(table));
  }
  return {};
}

}  // namespace op

void create_partitions(Plan& plan, const QualifiedName& q, const Table& t) {
  for (const auto& p : t.partitions) plan.emit(Phase::create_tables, op::CreatePartition{q, p});
}

void drop_partitions(Plan& plan, const QualifiedName& q, const Table& t) {
  for (const auto& p : t.partitions) {
    plan.emit(Phase::drop_tables, op::DropPartition{q, p});
    plan.warn(
        WarningKind::drops_table, display(of(q, p)),
        fmt::format("drops partition {} of {} and all its rows", display(of(q, p)), display(q)));
  }
}

// A table the target leaves unpartitioned (partition_by absent) or whose partitions it does not
// list keeps what the database has: partitions made by hand or by a tool (pg_partman) survive.
// Listed partitions are the whole set: the others are dropped.
void diff_partitions(Plan& plan, const QualifiedName& q, const Table& old, const Table& t) {
  if (!t.partition_by) return;
  if (old.partition_by != t.partition_by)
    throw Error(fmt::format(
        "table {}: partitioned {} in the database, {} in the target; PostgreSQL cannot change a "
        "table's partitioning in place. Write the revision by hand (create the new table, move "
        "the rows, drop the old one)",
        display(q), old.partition_by ? "by " + *old.partition_by : "not", "by " + *t.partition_by));
  if (t.partitions.empty()) return;
  each_with_namesake(old.partitions, t.partitions, [&](const Partition& p, const Partition* n) {
    if (!n) {
      plan.emit(Phase::drop_tables, op::DropPartition{q, p});
      plan.warn(
          WarningKind::drops_table, display(of(q, p)),
          fmt::format("drops partition {} of {} and all its rows", display(of(q, p)), display(q)));
    } else if (!(*n == p)) {
      plan.emit(Phase::drop_tables, op::DetachPartition{q, p});
    }
  });
  each_with_namesake(t.partitions, old.partitions, [&](const Partition& p, const Partition* o) {
    if (!o)
      plan.emit(Phase::create_tables, op::CreatePartition{q, p});
    else if (!(*o == p))
      plan.emit(Phase::create_tables, op::AttachPartition{q, p});
  });
}

namespace catalog {

// Partitioned tables with their key and their partitions (direct ones, in the parent's schema
// or not) and bounds: a subquery per partitioned table, none per plain table.
const char* const kPartitionsQuery = R"(
SELECT pt.partrelid, pg_get_partkeydef(pt.partrelid),
       (SELECT json_agg(json_build_array(pc.relname, pg_get_expr(pc.relpartbound, pc.oid)))
        FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhrelid
        WHERE i.inhparent = pt.partrelid)
FROM pg_partitioned_table pt
JOIN pg_class c ON c.oid = pt.partrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND NOT c.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

void read_partitions(Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    Table& t = *ref->table;
    t.partition_by = row[1].c_str();
    if (!row[2].is_null())
      for (const auto& p : nlohmann::json::parse(row[2].c_str()))
        t.partitions.push_back({p[0].get<std::string>(), p[1].get<std::string>()});
    std::sort(t.partitions.begin(), t.partitions.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
}

// The target's partition keys and bounds as the server prints them, for tables the database
// has whose partitioning differs as text: a temporary partitioned table with the target's
// columns, a temporary partition per bound, read back. The caller rolls the transaction back.
void canonicalize_partitions(pqxx::dbtransaction& tx, const Schema& current, Schema& target) {
  std::size_t n = 0;
  for (auto& [sname, ns] : target.schemas)
    for (auto& [tname, table] : ns.tables) {
      Table& t = table;
      const Table* cur = current.find_table({sname, tname});
      if (!t.partition_by || !cur ||
          (cur->partition_by == t.partition_by && cur->partitions == t.partitions))
        continue;
      const std::string parent = fmt::format("retort_partition_probe_{}", n++);
      std::string sql = "CREATE TEMPORARY TABLE " + quote_ident(parent) + " (";
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        Column c;
        c.name = t.columns[i].name;
        c.type = t.columns[i].type;
        sql += (i ? ", " : "") + column_definition(c);
      }
      sql += ") PARTITION BY " + *t.partition_by + ";\n";
      for (std::size_t i = 0; i < t.partitions.size(); ++i)
        sql += fmt::format("CREATE TEMPORARY TABLE {} PARTITION OF {} {};\n",
                           quote_ident(fmt::format("{}_{}", parent, i)), quote_ident(parent),
                           t.partitions[i].bound);
      pqxx::subtransaction sp(tx, "retort_partition_probe");
      try {
        sp.exec(sql);
        auto rows = sp.exec_params(
            "SELECT pg_get_partkeydef(c.oid), (SELECT json_agg(json_build_array(pc.relname, "
            "pg_get_expr(pc.relpartbound, pc.oid))) FROM pg_inherits i JOIN pg_class pc ON "
            "pc.oid = i.inhrelid WHERE i.inhparent = c.oid) FROM pg_class c "
            "WHERE c.relnamespace = pg_my_temp_schema() AND c.relname = $1",
            parent);
        t.partition_by = rows[0][0].c_str();
        if (!rows[0][1].is_null())
          for (const auto& p : nlohmann::json::parse(rows[0][1].c_str())) {
            auto name = p[0].get<std::string>();
            auto i = std::stoul(name.substr(parent.size() + 1));
            t.partitions[i].bound = p[1].get<std::string>();
          }
        sp.commit();
      } catch (const pqxx::sql_error& e) {
        sp.abort();
        throw Error(fmt::format("table {}.{}: PostgreSQL refuses its partitioning: {}", sname,
                                tname, e.what()));
      }
    }
}

}  // namespace catalog

}  // namespace retort
