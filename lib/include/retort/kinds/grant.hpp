// Table privileges granted to roles: GRANT ... ON t TO role / REVOKE ALL ON t FROM role, a kind
// of table item matched by role. Only roles the models name are managed: a grant to a role the
// target does not list is never revoked, and the owner's rights are never read.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const Grant& g);
void from_json(const JsonCursor& c, Grant& out);

// "all" and any case -> PostgreSQL's privilege names, sorted; throws Error for an unknown one.
std::vector<std::string> table_privileges(const std::vector<std::string>& names);

struct GrantKind {
  using Item = Grant;
  static constexpr std::string_view kAddName = "grant", kDropName = "revoke";
  static constexpr std::string_view kItemKey = "grant", kJsonKey = "grants", kNoun = "grants to";
  static constexpr char kConstraintType = 0;  // read by a query of its own
  static constexpr bool kNeedsDefinition = false;
  static constexpr bool kInCreateTable = false;
  static constexpr bool kProbed = false;
  static constexpr bool kKeepsUndeclared = true;  // roles the target does not name: not managed
  static constexpr Phase kDropPhase = Phase::drop_indexes, kAddPhase = Phase::comments;
  static auto& items(auto& table) { return table.grants; }
  static std::string add_sql(const QualifiedName& t, const Item& g);
  static std::string drop_sql(const QualifiedName& t, const Item& g);
  static std::string describe_add(const QualifiedName& t, const Item& g);
  static bool uses_any(const Item&, const std::set<std::string>&) { return false; }
  using Ops = TypeList<op::AddItem<GrantKind>, op::DropItem<GrantKind>>;
};

namespace op {
using GrantPrivileges = AddItem<GrantKind>;
using RevokePrivileges = DropItem<GrantKind>;
}  // namespace op

}  // namespace retort
