#include "retort/kinds/primary_key.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const PrimaryKey& pk) {
  return ordered_json{{"name", pk.name}, {"columns", pk.columns}};
}

void from_json(const JsonCursor& c, PrimaryKey& out) {
  c.allow_keys({"name", "columns"});
  out = PrimaryKey{c.string_at("name"), c.names_at("columns")};
}

std::string PrimaryKeyKind::clause(const Item& pk) {
  return fmt::format("CONSTRAINT {} PRIMARY KEY ({})", quote_ident(pk.name),
                     quote_list(pk.columns));
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
  return PrimaryKey{row.name, row.columns};
}

}  // namespace retort
