// Exclusion constraints (EXCLUDE USING gist (during WITH &&)); the definition is compared as the
// server prints it.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const ExclusionConstraint& item);
void from_json(const JsonCursor& c, ExclusionConstraint& out);

struct ExclusionKind : ConstraintKind<ExclusionKind, ExclusionConstraint> {
  static constexpr std::string_view kAddName = "add_exclusion", kDropName = "drop_exclusion";
  static constexpr std::string_view kItemKey = "exclusion", kJsonKey = "exclusions",
                                    kNoun = "exclusion";
  static constexpr char kConstraintType = 'x';
  static constexpr bool kNeedsDefinition = true;
  static constexpr bool kProbed = true;
  static auto& items(auto& table) { return table.exclusions; }
  static std::string clause(const Item& item);
  static std::string describe_add(const QualifiedName& t, const Item& item);
  static bool uses_any(const Item& item, const std::set<std::string>& columns);
  static Item from_catalog(const ConstraintRow& row);
};

namespace op {
using AddExclusion = AddItem<ExclusionKind>;
using DropExclusion = DropItem<ExclusionKind>;
}  // namespace op

}  // namespace retort
