// Unique constraints (UNIQUE [NULLS NOT DISTINCT]).
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const UniqueConstraint& item);
void from_json(const JsonCursor& c, UniqueConstraint& out);

struct UniqueKind {
  using Item = UniqueConstraint;
  static constexpr std::string_view kAddName = "add_unique", kDropName = "drop_unique";
  static constexpr std::string_view kItemKey = "unique", kJsonKey = "uniques", kNoun = "unique";
  static constexpr char kConstraintType = 'u';
  static constexpr bool kNeedsDefinition = false;
  static constexpr bool kInCreateTable = true;
  static constexpr bool kProbed = false;
  static constexpr Phase kDropPhase = Phase::drop_constraints, kAddPhase = Phase::add_constraints;
  static auto& items(auto& table) { return table.uniques; }
  static std::string clause(const Item& item);
  static std::string add_sql(const QualifiedName& t, const Item& item);
  static std::string drop_sql(const QualifiedName& t, const Item& item);
  static std::string describe_add(const QualifiedName& t, const Item& item);
  static bool uses_any(const Item& item, const std::set<std::string>& columns);
  static Item from_catalog(const ConstraintRow& row);
  using Ops = TypeList<op::AddItem<UniqueKind>, op::DropItem<UniqueKind>>;
};

namespace op {
using AddUnique = AddItem<UniqueKind>;
using DropUnique = DropItem<UniqueKind>;
}  // namespace op

}  // namespace retort
