#include "retort/kinds/primary_key.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const PrimaryKey& pk) {
  ordered_json j{{"name", pk.name}, {"columns", pk.columns}};
  if (pk.deferrable) j["deferrable"] = true;
  if (pk.initially_deferred) j["initially_deferred"] = true;
  return j;
}

void from_json(const JsonCursor& c, PrimaryKey& out) {
  c.allow_keys({"name", "columns", "deferrable", "initially_deferred"});
  out = PrimaryKey{c.string_at("name"), c.names_at("columns"), c.bool_or("deferrable", false),
                   c.bool_or("initially_deferred", false)};
}

std::string PrimaryKeyKind::clause(const Item& pk) {
  return fmt::format("CONSTRAINT {} PRIMARY KEY ({}){}", quote_ident(pk.name),
                     quote_list(pk.columns), deferrable_sql(pk.deferrable, pk.initially_deferred));
}
std::string PrimaryKeyKind::describe_add(const QualifiedName& t, const Item& pk) {
  return fmt::format("add primary key {} on {} ({})", pk.name, display(t),
                     fmt::join(pk.columns, ", "));
}
bool PrimaryKeyKind::uses_any(const Item& pk, const std::set<std::string>& columns) {
  return std::any_of(pk.columns.begin(), pk.columns.end(),
                     [&](const auto& c) { return columns.contains(c); });
}
PrimaryKey PrimaryKeyKind::from_catalog(const ConstraintRow& row) {
  return PrimaryKey{row.name, row.columns, row.deferrable, row.initially_deferred};
}

}  // namespace retort
