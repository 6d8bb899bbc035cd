// Foreign keys: added after every table exists, so tables may refer to each other.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const ForeignKey& item);
void from_json(const JsonCursor& c, ForeignKey& out);

struct ForeignKeyKind : ConstraintKind<ForeignKeyKind, ForeignKey> {
  static constexpr std::string_view kAddName = "add_foreign_key", kDropName = "drop_foreign_key";
  static constexpr std::string_view kItemKey = "foreign_key", kJsonKey = "foreign_keys",
                                    kNoun = "foreign key";
  static constexpr char kConstraintType = 'f';
  static constexpr bool kInCreateTable = false;
  static constexpr Phase kDropPhase = Phase::drop_foreign_keys, kAddPhase = Phase::add_foreign_keys;
  static auto& items(auto& table) { return table.foreign_keys; }
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
using AddForeignKey = AddItem<ForeignKeyKind>;
using DropForeignKey = DropItem<ForeignKeyKind>;
}  // namespace op

}  // namespace retort
