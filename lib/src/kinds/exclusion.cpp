#include "retort/kinds/exclusion.hpp"

#include <fmt/format.h>

#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const ExclusionConstraint& x) {
  return ordered_json{{"name", x.name}, {"definition", x.definition}};
}

void from_json(const JsonCursor& c, ExclusionConstraint& out) {
  c.allow_keys({"name", "definition"});
  out = ExclusionConstraint{c.string_at("name"), c.string_at("definition")};
}

std::string ExclusionKind::clause(const Item& x) {
  return fmt::format("CONSTRAINT {} EXCLUDE {}", quote_ident(x.name), x.definition);
}
std::string ExclusionKind::describe_add(const QualifiedName& t, const Item& x) {
  return fmt::format("add exclusion {} on {} ({})", x.name, display(t), x.definition);
}
// Its elements may be expressions: assume it may use any column.
bool ExclusionKind::uses_any(const Item&, const std::set<std::string>& columns) {
  return !columns.empty();
}
ExclusionConstraint ExclusionKind::from_catalog(const ConstraintRow& row) {
  std::string_view def = row.definition;
  if (def.starts_with("EXCLUDE ")) def.remove_prefix(8);
  return {row.name, std::string(def)};
}

}  // namespace retort
