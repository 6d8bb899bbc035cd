#include "retort/kinds/foreign_key.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "../plan.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

FkAction action_from_json(const JsonCursor& c) {
  auto s = c.as_string();
  for (auto a : {FkAction::no_action, FkAction::restrict, FkAction::cascade, FkAction::set_null,
                 FkAction::set_default})
    if (to_string(a) == s) return a;
  c.fail("one of \"NO ACTION\", \"RESTRICT\", \"CASCADE\", \"SET NULL\", \"SET DEFAULT\"");
}

// pg_constraint.confdeltype / confupdtype
FkAction action_from_catalog(char code) {
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

}  // namespace

ordered_json to_json(const ForeignKey& fk) {
  ordered_json j;
  j["name"] = fk.name;
  j["columns"] = fk.columns;
  j["ref_schema"] = fk.ref_table.schema;
  j["ref_table"] = fk.ref_table.name;
  j["ref_columns"] = fk.ref_columns;
  j["on_delete"] = to_string(fk.on_delete);
  j["on_update"] = to_string(fk.on_update);
  if (fk.deferrable) j["deferrable"] = true;
  if (fk.initially_deferred) j["initially_deferred"] = true;
  return j;
}

void from_json(const JsonCursor& c, ForeignKey& fk) {
  c.allow_keys({"name", "columns", "ref_schema", "ref_table", "ref_columns", "on_delete",
                "on_update", "deferrable", "initially_deferred"});
  fk.name = c.string_at("name");
  fk.columns = c.names_at("columns");
  fk.ref_table = {c.string_at("ref_schema"), c.string_at("ref_table")};
  fk.ref_columns = c.names_at("ref_columns");
  if (auto a = c.find("on_delete")) fk.on_delete = action_from_json(*a);
  if (auto a = c.find("on_update")) fk.on_update = action_from_json(*a);
  fk.deferrable = c.bool_or("deferrable", false);
  fk.initially_deferred = c.bool_or("initially_deferred", false);
}

std::string ForeignKeyKind::clause(const Item& fk) {
  std::string out =
      fmt::format("CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})", quote_ident(fk.name),
                  quote_list(fk.columns), qualified(fk.ref_table), quote_list(fk.ref_columns));
  if (fk.on_delete != FkAction::no_action) out += " ON DELETE " + to_string(fk.on_delete);
  if (fk.on_update != FkAction::no_action) out += " ON UPDATE " + to_string(fk.on_update);
  if (fk.deferrable)
    out += fk.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return out;
}
std::string ForeignKeyKind::describe_add(const QualifiedName& t, const Item& fk) {
  return fmt::format("add foreign key {} on {} -> {}", fk.name, display(t), display(fk.ref_table));
}
bool ForeignKeyKind::uses_any(const Item& fk, const std::set<std::string>& columns) {
  return std::any_of(fk.columns.begin(), fk.columns.end(),
                     [&](const auto& c) { return columns.contains(c); });
}
ForeignKey ForeignKeyKind::from_catalog(const ConstraintRow& row) {
  ForeignKey fk;
  fk.name = row.name;
  fk.columns = row.columns;
  fk.ref_table = row.ref_table;
  fk.ref_columns = row.ref_columns;
  fk.on_delete = action_from_catalog(row.on_delete);
  fk.on_update = action_from_catalog(row.on_update);
  fk.deferrable = row.deferrable;
  fk.initially_deferred = row.initially_deferred;
  return fk;
}

}  // namespace retort

namespace retort {

void rebuild_referring_foreign_keys(Plan& plan) {
  std::set<std::pair<QualifiedName, std::vector<std::string>>> dropped;
  for (const auto& op : plan.ops(Phase::drop_constraints)) {
    if (auto* pk = std::get_if<op::DropPrimaryKey>(&op))
      dropped.insert({pk->table, pk->item.columns});
    if (auto* u = std::get_if<op::DropUnique>(&op)) dropped.insert({u->table, u->item.columns});
  }
  if (dropped.empty()) return;
  std::set<std::pair<QualifiedName, std::string>> handled;
  for (const auto& op : plan.ops(Phase::drop_foreign_keys))
    if (auto* f = std::get_if<op::DropForeignKey>(&op)) handled.insert({f->table, f->item.name});
  for (const auto& [sname, ns] : plan.current.schemas)
    for (const auto& [tname, t] : ns.tables) {
      QualifiedName q{sname, tname};
      const Table* kept = plan.target.find_table(q);
      if (!kept) continue;
      for (const auto& fk : t.foreign_keys) {
        if (!dropped.contains({fk.ref_table, fk.ref_columns}) || handled.contains({q, fk.name}))
          continue;
        plan.emit(Phase::drop_foreign_keys, op::DropForeignKey{q, fk});
        for (const auto& nfk : kept->foreign_keys)
          if (nfk.name == fk.name) plan.emit(Phase::add_foreign_keys, op::AddForeignKey{q, nfk});
      }
    }
}

}  // namespace retort
