#include "retort/kinds/check.hpp"

#include <fmt/format.h>

#include "retort/sql.hpp"

namespace retort {

namespace {

// Whether `s` is one parenthesized expression, "(a) AND (b)" being two.
bool wrapped(const std::string& s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0 && i + 1 != s.size()) return false;
  }
  return depth == 0;
}

// "CHECK ((qty > 0))" -> "qty > 0"
std::string check_expression(std::string def) {
  if (def.starts_with("CHECK ")) def = def.substr(6);
  if (auto nv = def.rfind(" NOT VALID"); nv != std::string::npos && nv + 10 == def.size())
    def = def.substr(0, nv);
  while (wrapped(def)) def = def.substr(1, def.size() - 2);
  return def;
}

}  // namespace

ordered_json to_json(const CheckConstraint& c) {
  ordered_json j{{"name", c.name}, {"expression", c.expression}};
  if (c.no_inherit) j["no_inherit"] = true;
  return j;
}

void from_json(const JsonCursor& c, CheckConstraint& out) {
  c.allow_keys({"name", "expression", "no_inherit"});
  out = CheckConstraint{c.string_at("name"), c.string_at("expression"),
                        c.bool_or("no_inherit", false)};
}

std::string CheckKind::clause(const Item& c) {
  return fmt::format("CONSTRAINT {} CHECK ({}){}", quote_ident(c.name), c.expression,
                     c.no_inherit ? " NO INHERIT" : "");
}
std::string CheckKind::describe_add(const QualifiedName& t, const Item& c) {
  return fmt::format("add check {} on {} ({})", c.name, display(t), c.expression);
}
// An expression: assume it may use any column.
bool CheckKind::uses_any(const Item&, const std::set<std::string>& columns) {
  return !columns.empty();
}
// pg_get_constraintdef prints "CHECK ((a > 0)) NO INHERIT [NOT VALID]": the flag follows the
// expression.
CheckConstraint CheckKind::from_catalog(const ConstraintRow& row) {
  constexpr std::string_view kNoInherit = " NO INHERIT", kNotValid = " NOT VALID";
  std::string def = row.definition;
  if (def.ends_with(kNotValid)) def.resize(def.size() - kNotValid.size());
  bool no_inherit = def.ends_with(kNoInherit);
  if (no_inherit) def.resize(def.size() - kNoInherit.size());
  return {row.name, check_expression(def), no_inherit};
}

}  // namespace retort
