// Row-level security: ENABLE / FORCE ROW LEVEL SECURITY per table (set_row_security) and
// policies, a kind of table item (CREATE POLICY / DROP POLICY) whose expressions are compared in
// the server's canonical form.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const Policy& p);
void from_json(const JsonCursor& c, Policy& out);

namespace op {

// ALTER TABLE ... ENABLE/DISABLE ROW LEVEL SECURITY, [NO] FORCE ROW LEVEL SECURITY.
struct SetRowSecurity {
  static constexpr std::string_view kName = "set_row_security";
  QualifiedName table;
  bool enabled = false, forced = false;
  bool old_enabled = false, old_forced = false;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("enabled", o.enabled, false);
    f("forced", o.forced, false);
    f("old_enabled", o.old_enabled, false);
    f("old_forced", o.old_forced, false);
  }
  std::vector<std::string> sql() const;
  SetRowSecurity inverse() const { return {table, old_enabled, old_forced, enabled, forced}; }
  std::string describe() const;
  bool operator==(const SetRowSecurity&) const = default;
};

}  // namespace op

// The statements that give a table its row-security flags (none for the defaults).
std::vector<std::string> row_security_sql(const QualifiedName& table, bool enabled, bool forced);

struct PolicyKind {
  using Item = Policy;
  static constexpr std::string_view kAddName = "create_policy", kDropName = "drop_policy";
  static constexpr std::string_view kItemKey = "policy", kJsonKey = "policies", kNoun = "policy";
  static constexpr char kConstraintType = 0;  // read by a query of its own
  static constexpr bool kNeedsDefinition = false;
  static constexpr bool kInCreateTable = false;
  static constexpr bool kProbed = true;
  static constexpr bool kKeepsUndeclared = true;  // a policy the target lacks is not managed
  // Dropped before columns change (PostgreSQL refuses to retype or drop a column a policy uses),
  // created after them.
  static constexpr Phase kDropPhase = Phase::drop_indexes, kAddPhase = Phase::create_indexes;
  static auto& items(auto& table) { return table.policies; }
  static std::string add_sql(const QualifiedName& t, const Item& p);
  static std::string drop_sql(const QualifiedName& t, const Item& p);
  static std::string describe_add(const QualifiedName& t, const Item& p);
  static bool uses_any(const Item& p, const std::set<std::string>& columns);
  using Ops = TypeList<op::AddItem<PolicyKind>, op::DropItem<PolicyKind>, op::SetRowSecurity>;
};

namespace op {
using CreatePolicy = AddItem<PolicyKind>;
using DropPolicy = DropItem<PolicyKind>;
}  // namespace op

}  // namespace retort
