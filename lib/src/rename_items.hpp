// Indexes and constraints renamed in place: an item that is gone and one that is new with the
// same definition under another name become ALTER INDEX / ALTER TABLE ... RENAME CONSTRAINT,
// never a drop and a rebuild (rebuilding a large index locks its table for minutes). Internal to
// the differ.
#pragma once

#include <set>
#include <string>

#include "plan.hpp"
#include "retort/kinds/index.hpp"
#include "retort/kinds/rename.hpp"

namespace retort {

// Emits the renames and returns the names involved (old and new), which the caller then leaves
// out of its drops and adds.
template <class Kind, class Items>
std::set<std::string> rename_items_in_place(Plan& plan, const QualifiedName& q,
                                            const Items& old_items, const Items& new_items,
                                            const std::set<std::string>& rebuilt) {
  std::set<std::string> names;
  // Only indexes and constraints are renamed so; policies, grants and triggers are rebuilt.
  if constexpr (Kind::kConstraintType == 0 && !std::is_same_v<Kind, IndexKind>) return names;
  auto has = [](const Items& items, const std::string& name) {
    for (const auto& i : items)
      if (i.name == name) return true;
    return false;
  };
  for (const auto& o : old_items) {
    if (has(new_items, o.name) || Kind::uses_any(o, rebuilt)) continue;
    for (const auto& n : new_items) {
      if (has(old_items, n.name) || names.contains(n.name)) continue;
      auto same = n;
      same.name = o.name;
      if (!(same == o)) continue;
      if constexpr (Kind::kConstraintType == 0)
        plan.emit(Phase::alter_columns, op::RenameIndex{q.schema, o.name, n.name});
      else
        plan.emit(Phase::alter_columns, op::RenameConstraint{q, o.name, n.name});
      names.insert(o.name);
      names.insert(n.name);
      break;
    }
  }
  return names;
}

}  // namespace retort
