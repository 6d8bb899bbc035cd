// Primary keys.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const PrimaryKey& pk);
void from_json(const JsonCursor& c, PrimaryKey& out);

struct PrimaryKeyKind : ConstraintKind<PrimaryKeyKind, PrimaryKey> {
  static constexpr std::string_view kAddName = "add_primary_key", kDropName = "drop_primary_key";
  static constexpr std::string_view kItemKey = "primary_key", kNoun = "primary key";
  static constexpr char kConstraintType = 'p';
  static std::string clause(const Item& pk);
  static std::string describe_add(const QualifiedName& t, const Item& pk);
  static bool uses_any(const Item& pk, const std::set<std::string>& columns);
  static Item from_catalog(const ConstraintRow& row);
};

namespace op {
using AddPrimaryKey = AddItem<PrimaryKeyKind>;
using DropPrimaryKey = DropItem<PrimaryKeyKind>;
}  // namespace op

}  // namespace retort
