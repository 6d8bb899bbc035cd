#include "retort/kinds/grant.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "../catalog.hpp"
#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

const std::vector<std::string>& all_privileges() {
  static const std::vector<std::string> all = {"DELETE",  "INSERT",   "REFERENCES", "SELECT",
                                               "TRIGGER", "TRUNCATE", "UPDATE"};
  return all;
}

std::string grantee_sql(const std::string& role) {
  return role == "public" ? "PUBLIC" : quote_ident(role);
}

}  // namespace

std::vector<std::string> table_privileges(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (auto name : names) {
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (name == "ALL" || name == "ALL PRIVILEGES") {
      out = all_privileges();
      break;
    }
    const auto& all = all_privileges();
    if (std::find(all.begin(), all.end(), name) == all.end())
      throw Error(fmt::format("unknown table privilege \"{}\" (expected one of {} or ALL)", name,
                              fmt::join(all, ", ")));
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ordered_json to_json(const Grant& g) {
  return ordered_json{{"role", g.name}, {"privileges", g.privileges}};
}

void from_json(const JsonCursor& c, Grant& out) {
  c.allow_keys({"role", "privileges"});
  out.name = c.string_at("role");
  auto privileges = c.at("privileges");
  try {
    out.privileges = table_privileges(c.names_at("privileges"));
  } catch (const Error& e) {
    privileges.fail_at(e.what());
  }
}

std::string GrantKind::add_sql(const QualifiedName& t, const Item& g) {
  return fmt::format("GRANT {} ON {} TO {}", fmt::join(g.privileges, ", "), qualified(t),
                     grantee_sql(g.name));
}
std::string GrantKind::drop_sql(const QualifiedName& t, const Item& g) {
  return fmt::format("REVOKE ALL ON {} FROM {}", qualified(t), grantee_sql(g.name));
}
std::string GrantKind::describe_add(const QualifiedName& t, const Item& g) {
  return fmt::format("grant {} on {} to {}", fmt::join(g.privileges, ", "), display(t), g.name);
}

namespace catalog {

// Privileges on the tables read, by grantee, leaving out the owner's own.
const char* const kGrantsQuery = R"(
SELECT c.oid, coalesce(r.rolname, 'public'), json_agg(DISTINCT a.privilege_type)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relacl IS NOT NULL AND a.grantee <> c.relowner
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
GROUP BY c.oid, r.rolname
)";

void read_grants(Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    auto privileges = names(row[2]);
    std::sort(privileges.begin(), privileges.end());
    ref->table->grants.push_back(Grant{row[1].c_str(), std::move(privileges)});
  }
}

}  // namespace catalog

}  // namespace retort
