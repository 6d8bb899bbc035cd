// The differ's working state, shared by the kinds' diff functions (src/kinds/*.cpp): ops
// collected per phase, and warnings. Internal to lib.
#pragma once

#include <array>
#include <set>
#include <string>
#include <vector>

#include "retort/diff.hpp"

namespace retort {

class Plan {
 public:
  Plan(const Schema& current, const Schema& target) : current(current), target(target) {}

  void emit(Phase phase, Op op) {
    m_phases[static_cast<std::size_t>(phase)].push_back(std::move(op));
  }
  void warn(WarningKind kind, std::string object, std::string message,
            std::optional<QualifiedName> only_if_rows = std::nullopt) {
    m_warnings.push_back({kind, std::move(object), std::move(message), std::move(only_if_rows)});
  }
  // Scope: an object of a new kind that `current` holds and `target` does not declare is dropped
  // only when the target manages its whole schema (Namespace::manage_all); otherwise it is kept
  // and reported as unmanaged. Every new kind's "not in the target" branch is one of these calls:
  //   plan.drop_or_report(Phase::drop_types, "sequence", name, op::DropSequence{...});
  //   if (plan.may_drop("view", name)) { several ops... }
  bool may_drop(std::string_view kind, const QualifiedName& name) {
    auto ns = target.schemas.find(name.schema);
    if (ns != target.schemas.end() && ns->second.manage_all) return true;
    m_unmanaged.push_back({std::string(kind), name});
    return false;
  }
  void drop_or_report(Phase phase, std::string_view kind, const QualifiedName& name, Op drop) {
    if (may_drop(kind, name)) emit(phase, std::move(drop));
  }
  const std::vector<Op>& ops(Phase phase) const {
    return m_phases[static_cast<std::size_t>(phase)];
  }
  // The ops in phase order, their inverses in reverse, and the warnings.
  SchemaDiff finish() &&;

  const Schema& current;
  const Schema& target;

 private:
  std::array<std::vector<Op>, static_cast<std::size_t>(Phase::count)> m_phases;
  std::vector<Warning> m_warnings;
  std::vector<Unmanaged> m_unmanaged;
};

// Calls f(item, namesake) for each item of `list` in its order, `namesake` being the item of the
// same name in `other` or nullptr. Lists are vectors of named items or maps keyed by name: the
// one named-list walk used at every level (schemas, types, tables, columns, constraints).
template <class List, class F>
void each_with_namesake(const List& list, const List& other, F&& f) {
  for (const auto& entry : list) {
    if constexpr (requires { entry.second; }) {
      auto it = other.find(entry.first);
      f(entry.second, it == other.end() ? nullptr : &it->second);
    } else {
      // Both sides mostly list their items in the same order: the same position is tried first,
      // so a walk over every column of every table stays linear.
      const auto i = static_cast<std::size_t>(&entry - list.data());
      const auto* namesake = i < other.size() && other[i].name == entry.name ? &other[i] : nullptr;
      for (std::size_t j = 0; !namesake && j < other.size(); ++j)
        if (other[j].name == entry.name) namesake = &other[j];
      f(entry, namesake);
    }
  }
}

// What each kind contributes to a plan (src/kinds/<kind>.cpp). Table items (constraints,
// indexes) need nothing here: the differ handles every registered TableItemKind alike.
void diff_enum(Plan& plan, const QualifiedName& name, const Enum* old, const Enum& wanted);
// Schema-level objects of one schema, `old` or `wanted` being nullptr where a side lacks it.
void diff_extensions(Plan& plan, const std::string& schema, const Namespace* old,
                     const Namespace* wanted);
void diff_sequences(Plan& plan, const std::string& schema, const Namespace* old,
                    const Namespace* wanted);
void diff_domains(Plan& plan, const std::string& schema, const Namespace* old,
                  const Namespace* wanted);
void diff_composites(Plan& plan, const std::string& schema, const Namespace* old,
                     const Namespace* wanted);
void create_table(Plan& plan, const QualifiedName& name, const Table& table);
void drop_table(Plan& plan, const QualifiedName& name, const Table& table);
// UNLOGGED and storage parameters of a table present on both sides.
void diff_table_settings(Plan& plan, const QualifiedName& name, const Table& old,
                         const Table& wanted);
// Columns of a table present on both sides; returns the columns dropped and added again (a
// changed generation expression), whose dependent items must be rebuilt too.
std::set<std::string> diff_columns(Plan& plan, const QualifiedName& name, const Table& old,
                                   const Table& wanted);
void diff_column_comments(Plan& plan, const QualifiedName& name, const Table& old,
                          const Table& wanted, const std::set<std::string>& rebuilt);
// A primary key or unique constraint dropped and added again takes the foreign keys referring to
// it along: PostgreSQL refuses to drop it while they exist.
void rebuild_referring_foreign_keys(Plan& plan);
// Views new or changed, and those in the way of the plan's column changes, dropped and created
// again around them (kinds/view.cpp). Runs after every other step.
void diff_views(Plan& plan);
// Row-security flags, and policies in the way of a retyped column (kinds/policy.cpp).
void diff_row_security(Plan& plan);
// Partitions (src/kinds/partition.cpp): with a new or dropped table, and of a table on both sides.
void create_partitions(Plan& plan, const QualifiedName& name, const Table& table);
void drop_partitions(Plan& plan, const QualifiedName& name, const Table& table);
void diff_partitions(Plan& plan, const QualifiedName& name, const Table& old, const Table& wanted);
// Functions the target declares: created, replaced, or dropped and created
// (src/kinds/function.cpp).
void diff_functions(Plan& plan);

}  // namespace retort
