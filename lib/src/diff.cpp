// The differ's walk: schemas, types, tables, then each table's columns and items. What a kind's
// difference turns into lives with the kind (src/kinds/); this file orders and pairs them.
#include "retort/diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "plan.hpp"
#include "rename_items.hpp"

namespace retort {

namespace {

// Items on both sides are matched by name; a changed one, or one over a rebuilt column (which
// PostgreSQL drops with the column), is dropped and added again.
template <class Kind, class Items>
void diff_items(Plan& plan, const QualifiedName& q, const Items& old_items, const Items& new_items,
                const std::set<std::string>& rebuilt) {
  auto renamed = rename_items_in_place<Kind>(plan, q, old_items, new_items, rebuilt);
  each_with_namesake(old_items, new_items, [&](const auto& o, const auto* n) {
    if constexpr (requires { Kind::kKeepsUndeclared; })  // policies, grants: managed if declared
      if (!n && !plan.may_drop(Kind::kItemKey, {q.schema, q.name + "." + o.name})) return;
    if (renamed.contains(o.name)) return;
    if constexpr (std::is_same_v<Kind, IndexKind>)
      if (n && o.invalid)
        plan.warn(WarningKind::rebuilds_invalid_index, display(q, o.name),
                  fmt::format("index {} on {} is INVALID (a CREATE INDEX CONCURRENTLY that failed "
                              "or was interrupted): dropped and built again",
                              o.name, display(q)));
    if (!n || !(*n == o) || Kind::uses_any(o, rebuilt))
      plan.emit(Kind::kDropPhase, op::DropItem<Kind>{q, o});
  });
  each_with_namesake(new_items, old_items, [&](const auto& n, const auto* o) {
    if (renamed.contains(n.name)) return;
    if (!o || !(*o == n) || Kind::uses_any(n, rebuilt))
      plan.emit(Kind::kAddPhase, op::AddItem<Kind>{q, n});
  });
}

template <class T>
std::vector<T> as_list(const std::optional<T>& v) {
  return v ? std::vector<T>{*v} : std::vector<T>{};
}

void diff_table(Plan& plan, const QualifiedName& q, const Table& old, const Table& t) {
  diff_table_settings(plan, q, old, t);
  auto rebuilt = diff_columns(plan, q, old, t);
  diff_partitions(plan, q, old, t);
  diff_items<PrimaryKeyKind>(plan, q, as_list(old.primary_key), as_list(t.primary_key), rebuilt);
  for_each_table_item_kind(
      [&]<class Kind>() { diff_items<Kind>(plan, q, Kind::items(old), Kind::items(t), rebuilt); });
  if (old.comment != t.comment)
    plan.emit(Phase::comments, op::SetTableComment{q, t.comment, old.comment});
  diff_column_comments(plan, q, old, t, rebuilt);
}

// What an op without an inverse leaves changed: its own answer, else (hand-written SQL) itself.
std::string irreversible_object(const Op& op) {
  return std::visit(
      [&](const auto& o) {
        if constexpr (std::is_same_v<decltype(o.inverse()), Irreversible>)
          return o.inverse().object;
        else
          return describe(op);
      },
      op);
}

const std::map<std::string, Namespace> kNoSchemas;
const Namespace kEmptyNamespace;

}  // namespace

SchemaDiff Plan::finish() && {
  SchemaDiff out;
  for (auto& phase : m_phases)
    for (auto& op : phase) out.upgrade.push_back(std::move(op));
  for (auto it = out.upgrade.rbegin(); it != out.upgrade.rend(); ++it) {
    if (auto inv = inverse(*it))
      out.downgrade.push_back(std::move(*inv));
    else
      warn(WarningKind::irreversible, irreversible_object(*it),
           fmt::format("{}: cannot be undone on downgrade", describe(*it)));
  }
  out.warnings = std::move(m_warnings);
  std::sort(m_unmanaged.begin(), m_unmanaged.end());
  out.unmanaged = std::move(m_unmanaged);
  return out;
}

SchemaDiff diff(const Schema& current, const Schema& target) {
  Plan plan(current, target);
  // Schema-level objects, each kind over both sides of every schema.
  auto objects = [&](const std::string& name, const Namespace* old, const Namespace* wanted) {
    diff_extensions(plan, name, old, wanted);
    diff_sequences(plan, name, old, wanted);
    diff_domains(plan, name, old, wanted);
    diff_composites(plan, name, old, wanted);
  };
  each_with_namesake(
      target.schemas, current.schemas,
      [&](const Namespace& ns, const Namespace* cur) { objects(ns.name, cur, &ns); });
  each_with_namesake(current.schemas, target.schemas,
                     [&](const Namespace& ns, const Namespace* tgt) {
                       if (!tgt) objects(ns.name, &ns, nullptr);
                     });
  each_with_namesake(target.schemas, current.schemas,
                     [&](const Namespace& ns, const Namespace* cur) {
                       if (!cur) plan.emit(Phase::create_schemas, op::CreateSchema{ns.name});
                       each_with_namesake(ns.enums, (cur ? *cur : kEmptyNamespace).enums,
                                          [&](const Enum& e, const Enum* old) {
                                            diff_enum(plan, {ns.name, e.name}, old, e);
                                          });
                     });
  each_with_namesake(
      current.schemas, target.schemas, [&](const Namespace& ns, const Namespace* tgt) {
        each_with_namesake(ns.enums, (tgt ? *tgt : kEmptyNamespace).enums,
                           [&](const Enum& e, const Enum* wanted) {
                             if (!wanted) plan.emit(Phase::drop_types, op::DropEnum{ns.name, e});
                           });
        if (!tgt && ns.name != "public") plan.emit(Phase::drop_schemas, op::DropSchema{ns.name});
      });
  each_with_namesake(target.schemas, current.schemas,
                     [&](const Namespace& ns, const Namespace* cur) {
                       each_with_namesake(ns.tables, (cur ? *cur : kEmptyNamespace).tables,
                                          [&](const Table& t, const Table* old) {
                                            if (old)
                                              diff_table(plan, {ns.name, t.name}, *old, t);
                                            else
                                              create_table(plan, {ns.name, t.name}, t);
                                          });
                     });
  each_with_namesake(current.schemas, target.schemas,
                     [&](const Namespace& ns, const Namespace* tgt) {
                       each_with_namesake(ns.tables, (tgt ? *tgt : kEmptyNamespace).tables,
                                          [&](const Table& t, const Table* wanted) {
                                            if (!wanted) drop_table(plan, {ns.name, t.name}, t);
                                          });
                     });
  rebuild_referring_foreign_keys(plan);
  diff_row_security(plan);
  diff_views(plan);
  diff_functions(plan);
  return std::move(plan).finish();
}

std::vector<QualifiedName> SchemaDiff::tables_asked() const {
  std::set<QualifiedName> tables;
  for (const auto& w : warnings)
    if (w.only_if_rows) tables.insert(*w.only_if_rows);
  return {tables.begin(), tables.end()};
}

void SchemaDiff::keep_row_warnings(const std::function<bool(const QualifiedName&)>& has_rows) {
  std::erase_if(warnings,
                [&](const Warning& w) { return w.only_if_rows && !has_rows(*w.only_if_rows); });
  for (auto& w : warnings) w.only_if_rows.reset();
}

}  // namespace retort
