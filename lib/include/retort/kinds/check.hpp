// Check constraints; the expression is compared in the server's canonical form.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const CheckConstraint& item);
void from_json(const JsonCursor& c, CheckConstraint& out);

struct CheckKind : ConstraintKind<CheckKind, CheckConstraint> {
  static constexpr std::string_view kAddName = "add_check", kDropName = "drop_check";
  static constexpr std::string_view kItemKey = "check", kJsonKey = "checks", kNoun = "check";
  static constexpr char kConstraintType = 'c';
  static constexpr bool kNeedsDefinition = true;
  static constexpr bool kProbed = true;
  static auto& items(auto& table) { return table.checks; }
  static std::string clause(const Item& item);
  // Online: added NOT VALID (no scan), then VALIDATE CONSTRAINT as a step of its own (online.hpp).
  static std::vector<std::string> add_online_sql(const QualifiedName& t, const Item& item) {
    return not_valid_then_validate(t, clause(item), item.name);
  }
  static std::string describe_add(const QualifiedName& t, const Item& item);
  static bool uses_any(const Item& item, const std::set<std::string>& columns);
  static Item from_catalog(const ConstraintRow& row);
};

namespace op {
using AddCheck = AddItem<CheckKind>;
using DropCheck = DropItem<CheckKind>;
}  // namespace op

}  // namespace retort
