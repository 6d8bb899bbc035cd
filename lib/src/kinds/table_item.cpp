#include "retort/kinds/table_item.hpp"

#include "retort/sql.hpp"

namespace retort {

std::string display(const QualifiedName& name) { return name.schema + "." + name.name; }
std::string display(const QualifiedName& table, std::string_view member) {
  return display(table) + "." + std::string(member);
}

std::string add_constraint_sql(const QualifiedName& table, const std::string& clause) {
  return "ALTER TABLE " + qualified(table) + " ADD " + clause;
}

std::string drop_constraint_sql(const QualifiedName& table, const std::string& name) {
  return "ALTER TABLE " + qualified(table) + " DROP CONSTRAINT " + quote_ident(name);
}

std::vector<std::string> not_valid_then_validate(const QualifiedName& table,
                                                 const std::string& clause,
                                                 const std::string& name) {
  return {add_constraint_sql(table, clause) + " NOT VALID",
          "ALTER TABLE " + qualified(table) + " VALIDATE CONSTRAINT " + quote_ident(name)};
}

std::string deferrable_sql(bool deferrable, bool initially_deferred) {
  if (!deferrable) return "";
  return initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
}

}  // namespace retort
