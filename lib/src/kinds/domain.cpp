#include "retort/kinds/domain.hpp"

#include <fmt/format.h>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Domain& d) {
  ordered_json j{{"name", d.name}, {"type", d.type}};
  if (d.default_expr) j["default"] = *d.default_expr;
  if (d.not_null) j["not_null"] = true;
  ordered_json checks = ordered_json::array();
  for (const auto& c : d.checks) checks.push_back({{"name", c.name}, {"expression", c.expression}});
  if (!d.checks.empty()) j["checks"] = std::move(checks);
  return j;
}

void from_json(const JsonCursor& c, Domain& out) {
  c.allow_keys({"name", "type", "default", "not_null", "checks"});
  out = Domain{c.string_at("name"),
               c.string_at("type"),
               c.optional_string("default"),
               c.bool_or("not_null", false),
               {}};
  if (auto l = c.find("checks"))
    for (const auto& e : l->elements()) {
      e.allow_keys({"name", "expression"});
      out.checks.push_back({e.string_at("name"), e.string_at("expression")});
    }
  std::sort(out.checks.begin(), out.checks.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
}

namespace {

std::string check_clause(const DomainCheck& c) {
  return "CONSTRAINT " + quote_ident(c.name) + " CHECK (" + c.expression + ")";
}

const DomainCheck* find_check(const Domain& d, const std::string& name) {
  for (const auto& c : d.checks)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

std::vector<std::string> DomainKind::create_sql(const std::string& schema, const Domain& d) {
  std::string sql = "CREATE DOMAIN " + qualified({schema, d.name}) + " AS " + d.type;
  if (d.default_expr) sql += " DEFAULT " + *d.default_expr;
  if (d.not_null) sql += " NOT NULL";
  // Appended in two steps: " " + check_clause(c) makes GCC 12 warn (-Wrestrict, a false
  // positive about its own std::string code) on every Release build.
  for (const auto& c : d.checks) {
    sql += ' ';
    sql += check_clause(c);
  }
  return {sql};
}

std::vector<std::string> DomainKind::drop_sql(const std::string& schema, const Domain& d) {
  return {"DROP DOMAIN " + qualified({schema, d.name})};
}

// Checks are dropped before the new ones are added: a changed check keeps its name.
std::vector<std::string> DomainKind::alter_sql(const std::string& schema, const Domain& from,
                                               const Domain& to) {
  const std::string alter = "ALTER DOMAIN " + qualified({schema, to.name});
  std::vector<std::string> out;
  if (from.default_expr != to.default_expr)
    out.push_back(alter + (to.default_expr ? " SET DEFAULT " + *to.default_expr : " DROP DEFAULT"));
  if (from.not_null != to.not_null)
    out.push_back(alter + (to.not_null ? " SET" : " DROP") + " NOT NULL");
  for (const auto& c : from.checks)
    if (const auto* n = find_check(to, c.name); !n || !(*n == c))
      out.push_back(alter + " DROP CONSTRAINT " + quote_ident(c.name));
  for (const auto& c : to.checks)
    if (const auto* o = find_check(from, c.name); !o || !(*o == c))
      out.push_back(alter + " ADD " + check_clause(c));
  return out;
}

std::string DomainKind::describe_create(const std::string& schema, const Domain& d) {
  return fmt::format("create domain {}.{} ({})", schema, d.name, d.type);
}

std::string DomainKind::describe_alter(const std::string& schema, const Domain& from,
                                       const Domain& to) {
  std::vector<std::string> what;
  if (from.default_expr != to.default_expr) what.emplace_back("default");
  if (from.not_null != to.not_null)
    what.emplace_back(to.not_null ? "set not null" : "drop not null");
  if (from.checks != to.checks) what.emplace_back("checks");
  return fmt::format("alter domain {}.{} ({})", schema, to.name, fmt::join(what, ", "));
}

void diff_domains(Plan& plan, const std::string& schema, const Namespace* old,
                  const Namespace* wanted) {
  if (wanted)
    for (const auto& [name, d] : wanted->domains) {
      const Domain* cur = nullptr;
      if (old)
        if (auto it = old->domains.find(name); it != old->domains.end()) cur = &it->second;
      if (!cur) {
        plan.emit(Phase::create_types, op::CreateDomain{schema, d});
        continue;
      }
      if (cur->type != d.type)
        throw Error(fmt::format(
            "domain {}: its base type changes ({} -> {}); PostgreSQL cannot alter that in place. "
            "Write the revision by hand (a new domain, the columns converted, the old one "
            "dropped)",
            display({schema, name}), cur->type, d.type));
      if (!(*cur == d)) plan.emit(Phase::create_types, op::AlterDomain{schema, d, *cur});
    }
  if (old)
    for (const auto& [name, d] : old->domains)
      if (!wanted || !wanted->domains.contains(name))
        plan.drop_or_report(Phase::drop_types, "domain", {schema, name}, op::DropDomain{schema, d});
}

namespace catalog {

const char* const kDomainsQuery = R"(
SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),
       pg_get_expr(t.typdefaultbin, 0), t.typnotnull,
       (SELECT json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid, true))
                        ORDER BY c.conname)
        FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND n.nspname = ANY($1::text[])
  AND t.oid NOT IN (SELECT e.objid FROM pg_depend e
    WHERE e.refclassid = 'pg_extension'::regclass AND e.classid = 'pg_type'::regclass
      AND e.deptype = 'e')
)";

void read_domains(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    Domain d{row[1].c_str(), row[2].c_str(), text(row[3]), boolean(row[4]), {}};
    if (!row[5].is_null())
      for (const auto& pair : nlohmann::json::parse(row[5].c_str())) {
        auto def = pair.at(1).get<std::string>();
        // "CHECK (VALUE > 0)" -> "VALUE > 0"
        if (def.starts_with("CHECK (") && def.ends_with(")")) def = def.substr(7, def.size() - 8);
        d.checks.push_back({pair.at(0).get<std::string>(), def});
      }
    ns.domains.emplace(d.name, std::move(d));
  }
}

}  // namespace catalog

}  // namespace retort
