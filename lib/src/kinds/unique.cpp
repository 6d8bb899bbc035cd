#include "retort/kinds/unique.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const UniqueConstraint& u) {
  ordered_json j{{"name", u.name}, {"columns", u.columns}};
  if (u.nulls_not_distinct) j["nulls_not_distinct"] = true;
  if (u.deferrable) j["deferrable"] = true;
  if (u.initially_deferred) j["initially_deferred"] = true;
  return j;
}

void from_json(const JsonCursor& c, UniqueConstraint& out) {
  c.allow_keys({"name", "columns", "nulls_not_distinct", "deferrable", "initially_deferred"});
  out = UniqueConstraint{c.string_at("name"), c.names_at("columns"),
                         c.bool_or("nulls_not_distinct", false), c.bool_or("deferrable", false),
                         c.bool_or("initially_deferred", false)};
}

std::string UniqueKind::clause(const Item& u) {
  return fmt::format("CONSTRAINT {} UNIQUE{} ({}){}", quote_ident(u.name),
                     u.nulls_not_distinct ? " NULLS NOT DISTINCT" : "", quote_list(u.columns),
                     deferrable_sql(u.deferrable, u.initially_deferred));
}
std::vector<std::string> UniqueKind::add_online_sql(const QualifiedName& t, const Item& u) {
  return {fmt::format("CREATE UNIQUE INDEX CONCURRENTLY {} ON {} ({}){}", quote_ident(u.name),
                      qualified(t), quote_list(u.columns),
                      u.nulls_not_distinct ? " NULLS NOT DISTINCT" : ""),
          add_constraint_sql(t, fmt::format("CONSTRAINT {} UNIQUE USING INDEX {}{}",
                                            quote_ident(u.name), quote_ident(u.name),
                                            deferrable_sql(u.deferrable, u.initially_deferred)))};
}
std::string UniqueKind::describe_add(const QualifiedName& t, const Item& u) {
  return fmt::format("add unique {} on {} ({})", u.name, display(t), fmt::join(u.columns, ", "));
}
bool UniqueKind::uses_any(const Item& u, const std::set<std::string>& columns) {
  return std::any_of(u.columns.begin(), u.columns.end(),
                     [&](const auto& c) { return columns.contains(c); });
}
UniqueConstraint UniqueKind::from_catalog(const ConstraintRow& row) {
  return {row.name, row.columns, row.nulls_not_distinct, row.deferrable, row.initially_deferred};
}

}  // namespace retort
