// Triggers on a table: CREATE TRIGGER / DROP TRIGGER ... ON. A changed trigger is dropped and
// created again in one revision. Timing and action are compared as pg_get_triggerdef prints them.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const Trigger& tg);
void from_json(const JsonCursor& c, Trigger& out);

struct TriggerKind {
  using Item = Trigger;
  static constexpr std::string_view kAddName = "create_trigger", kDropName = "drop_trigger";
  static constexpr std::string_view kItemKey = "trigger", kJsonKey = "triggers", kNoun = "trigger";
  static constexpr char kConstraintType = 0;  // read by a query of its own
  static constexpr bool kNeedsDefinition = false;
  static constexpr bool kInCreateTable = false;
  static constexpr bool kProbed = true;
  // Dropped before the functions they execute, created after them and after their table.
  static constexpr Phase kDropPhase = Phase::drop_indexes, kAddPhase = Phase::create_triggers;
  // A trigger the target does not declare is not retort's to drop (see docs/autogenerate.md).
  static constexpr bool kKeepsUndeclared = true;
  static auto& items(auto& table) { return table.triggers; }
  static std::string add_sql(const QualifiedName& t, const Item& tg);
  static std::string drop_sql(const QualifiedName& t, const Item& tg);
  static std::string describe_add(const QualifiedName& t, const Item& tg);
  // PostgreSQL drops a trigger with a column it names (UPDATE OF, WHEN): rebuilt with it.
  static bool uses_any(const Item& tg, const std::set<std::string>& columns);
  using Ops = TypeList<op::AddItem<TriggerKind>, op::DropItem<TriggerKind>>;
};

namespace op {
using CreateTrigger = AddItem<TriggerKind>;
using DropTrigger = DropItem<TriggerKind>;
}  // namespace op

}  // namespace retort
