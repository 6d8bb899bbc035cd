#include "retort/kinds/policy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/kinds/column.hpp"
#include "retort/ops.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Policy& p) {
  ordered_json j{{"name", p.name}};
  if (!p.permissive) j["permissive"] = false;
  j["command"] = p.command;
  j["roles"] = p.roles;
  if (p.using_expr) j["using"] = *p.using_expr;
  if (p.check_expr) j["with_check"] = *p.check_expr;
  return j;
}

void from_json(const JsonCursor& c, Policy& p) {
  c.allow_keys({"name", "permissive", "command", "roles", "using", "with_check"});
  p.name = c.string_at("name");
  p.permissive = c.bool_or("permissive", true);
  if (auto cmd = c.find("command")) {
    p.command = cmd->as_string();
    static const std::vector<std::string> commands = {"ALL", "SELECT", "INSERT", "UPDATE",
                                                      "DELETE"};
    if (std::find(commands.begin(), commands.end(), p.command) == commands.end())
      cmd->fail("one of \"ALL\", \"SELECT\", \"INSERT\", \"UPDATE\", \"DELETE\"");
  }
  if (c.find("roles")) p.roles = c.names_at("roles");
  std::sort(p.roles.begin(), p.roles.end());
  p.using_expr = c.optional_string("using");
  p.check_expr = c.optional_string("with_check");
}

namespace {

std::string roles_sql(const std::vector<std::string>& roles) {
  std::vector<std::string> out;
  out.reserve(roles.size());
  for (const auto& r : roles) out.push_back(r == "public" ? "PUBLIC" : quote_ident(r));
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

std::string PolicyKind::add_sql(const QualifiedName& t, const Item& p) {
  std::string out =
      fmt::format("CREATE POLICY {} ON {} AS {} FOR {} TO {}", quote_ident(p.name), qualified(t),
                  p.permissive ? "PERMISSIVE" : "RESTRICTIVE", p.command, roles_sql(p.roles));
  if (p.using_expr) out += " USING (" + *p.using_expr + ")";
  if (p.check_expr) out += " WITH CHECK (" + *p.check_expr + ")";
  return out;
}
std::string PolicyKind::drop_sql(const QualifiedName& t, const Item& p) {
  return "DROP POLICY " + quote_ident(p.name) + " ON " + qualified(t);
}
std::string PolicyKind::describe_add(const QualifiedName& t, const Item& p) {
  return fmt::format("create policy {} on {} (for {} to {})", p.name, display(t), p.command,
                     fmt::join(p.roles, ", "));
}
// An expression may use any column.
bool PolicyKind::uses_any(const Item& p, const std::set<std::string>& columns) {
  return !columns.empty() && (p.using_expr || p.check_expr);
}

std::vector<std::string> row_security_sql(const QualifiedName& table, bool enabled, bool forced) {
  std::vector<std::string> out;
  if (enabled) out.push_back("ALTER TABLE " + qualified(table) + " ENABLE ROW LEVEL SECURITY");
  if (forced) out.push_back("ALTER TABLE " + qualified(table) + " FORCE ROW LEVEL SECURITY");
  return out;
}

namespace op {

std::vector<std::string> SetRowSecurity::sql() const {
  std::vector<std::string> out;
  auto alter = "ALTER TABLE " + qualified(table);
  if (enabled != old_enabled)
    out.push_back(alter + (enabled ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY");
  if (forced != old_forced)
    out.push_back(alter + (forced ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY");
  return out;
}
std::string SetRowSecurity::describe() const {
  return fmt::format("set row level security on {}: {}{}", display(table),
                     enabled ? "enabled" : "disabled", forced ? ", forced" : "");
}

}  // namespace op

namespace {

bool planned(const Plan& plan, Phase phase, const QualifiedName& t, const std::string& name,
             bool add) {
  for (const auto& op : plan.ops(phase)) {
    if (add) {
      if (const auto* a = std::get_if<op::CreatePolicy>(&op);
          a && a->table == t && a->item.name == name)
        return true;
    } else if (const auto* d = std::get_if<op::DropPolicy>(&op);
               d && d->table == t && d->item.name == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

// Whether pg_depend says policy `dep` reads `column` of `table`: the column itself, or another
// table as a whole (a whole-row reference in a subquery).
bool reads(const PolicyDependency& dep, const QualifiedName& table, const std::string& column) {
  return dep.relation == table &&
         (dep.column == column || (dep.column.empty() && dep.table != table));
}

const Policy* find_policy(const Table* t, const std::string& name) {
  if (!t) return nullptr;
  auto it = std::find_if(t->policies.begin(), t->policies.end(),
                         [&](const Policy& p) { return p.name == name; });
  return it == t->policies.end() ? nullptr : &*it;
}

[[noreturn]] void unmanaged_policy(const PolicyDependency& dep, const std::string& column) {
  throw Error(fmt::format(
      "column {}.{} changes type, but policy {} on {} reads it and is not in the models: "
      "PostgreSQL refuses the change while the policy exists. Either declare the policy in the "
      "models (.policy({{.name = \"{}\", ...}}) on table {}) so that retort drops and creates it "
      "again around the change, or write the step by hand in the revision as an execute op (DROP "
      "POLICY, the change, CREATE POLICY)",
      display(dep.relation), column, dep.policy, display(dep.table), dep.policy,
      display(dep.table)));
}

// Row-security flags of tables on both sides, and policies over a retyped column (PostgreSQL
// refuses ALTER COLUMN TYPE under a policy, on its table or read in a subquery from another):
// found through pg_depend, dropped before and created again after.
void diff_row_security(Plan& plan) {
  for (const auto& [sname, ns] : plan.target.schemas)
    for (const auto& [tname, t] : ns.tables) {
      const Table* old = plan.current.find_table({sname, tname});
      if (old &&
          (old->row_security != t.row_security || old->force_row_security != t.force_row_security))
        plan.emit(Phase::alter_columns, op::SetRowSecurity{{sname, tname},
                                                           t.row_security,
                                                           t.force_row_security,
                                                           old->row_security,
                                                           old->force_row_security});
    }
  std::vector<Op> retyped = plan.ops(Phase::alter_columns);
  for (const auto& op : retyped) {
    const auto* a = std::get_if<op::AlterColumnType>(&op);
    if (!a) continue;
    for (const auto& dep : plan.current.facts.policy_dependencies) {
      if (!reads(dep, a->table, a->column)) continue;
      const Policy* p = find_policy(plan.current.find_table(dep.table), dep.policy);
      if (!p || planned(plan, PolicyKind::kDropPhase, dep.table, p->name, false)) continue;
      const Table* wanted = plan.target.find_table(dep.table);
      if (!wanted) continue;  // the table goes, its policies with it
      const Policy* n = find_policy(wanted, p->name);
      if (!n) unmanaged_policy(dep, a->column);
      plan.emit(PolicyKind::kDropPhase, op::DropPolicy{dep.table, *p});
      if (!planned(plan, PolicyKind::kAddPhase, dep.table, n->name, true))
        plan.emit(PolicyKind::kAddPhase, op::CreatePolicy{dep.table, *n});
    }
  }
}

namespace catalog {

// Policies with their roles by name ("public" for PUBLIC) and expressions as the server prints
// them.
const char* const kPoliciesQuery = R"(
SELECT pol.polrelid, pol.polname, pol.polpermissive, pol.polcmd,
       CASE WHEN pol.polroles = '{0}' THEN '["public"]'::json
            ELSE (SELECT json_agg(r.rolname ORDER BY r.rolname) FROM pg_roles r
                  WHERE r.oid = ANY(pol.polroles)) END,
       pg_get_expr(pol.polqual, pol.polrelid, true), pg_get_expr(pol.polwithcheck, pol.polrelid, true)
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

void read_policies(Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    Policy p;
    p.name = row[1].c_str();
    p.permissive = boolean(row[2]);
    switch (row[3].c_str()[0]) {
      case 'r':
        p.command = "SELECT";
        break;
      case 'a':
        p.command = "INSERT";
        break;
      case 'w':
        p.command = "UPDATE";
        break;
      case 'd':
        p.command = "DELETE";
        break;
      default:
        p.command = "ALL";
    }
    p.roles = names(row[4]);
    std::sort(p.roles.begin(), p.roles.end());
    p.using_expr = text(row[5]);
    p.check_expr = text(row[6]);
    ref->table->policies.push_back(std::move(p));
  }
}

}  // namespace catalog

}  // namespace retort
