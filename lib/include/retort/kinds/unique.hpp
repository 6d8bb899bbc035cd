// Unique constraints (UNIQUE [NULLS NOT DISTINCT]).
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const UniqueConstraint& item);
void from_json(const JsonCursor& c, UniqueConstraint& out);

struct UniqueKind : ConstraintKind<UniqueKind, UniqueConstraint> {
  static constexpr std::string_view kAddName = "add_unique", kDropName = "drop_unique";
  static constexpr std::string_view kItemKey = "unique", kJsonKey = "uniques", kNoun = "unique";
  static constexpr char kConstraintType = 'u';
  static auto& items(auto& table) { return table.uniques; }
  static std::string clause(const Item& item);
  // Online: a unique index built CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX (online.hpp).
  static std::vector<std::string> add_online_sql(const QualifiedName& t, const Item& item);
  static std::string describe_add(const QualifiedName& t, const Item& item);
  static bool uses_any(const Item& item, const std::set<std::string>& columns);
  static Item from_catalog(const ConstraintRow& row);
};

namespace op {
using AddUnique = AddItem<UniqueKind>;
using DropUnique = DropItem<UniqueKind>;
}  // namespace op

}  // namespace retort
