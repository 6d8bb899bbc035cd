#include "retort/kinds/rename.hpp"

#include <fmt/format.h>

#include "retort/kinds/table_item.hpp"
#include "retort/sql.hpp"

namespace retort::op {

std::vector<std::string> RenameSchema::sql() const {
  return {"ALTER SCHEMA " + quote_ident(schema) + " RENAME TO " + quote_ident(to)};
}
std::string RenameSchema::describe() const {
  return fmt::format("rename schema {} to {}", schema, to);
}

std::vector<std::string> RenameTable::sql() const {
  return {"ALTER TABLE " + qualified(table) + " RENAME TO " + quote_ident(to)};
}
std::string RenameTable::describe() const {
  return fmt::format("rename table {} to {}", display(table), to);
}

std::vector<std::string> RenameColumn::sql() const {
  return {"ALTER TABLE " + qualified(table) + " RENAME COLUMN " + quote_ident(from) + " TO " +
          quote_ident(to)};
}
std::string RenameColumn::describe() const {
  return fmt::format("rename column {}.{} to {}", display(table), from, to);
}

std::vector<std::string> RenameEnum::sql() const {
  return {"ALTER TYPE " + qualified(enum_name) + " RENAME TO " + quote_ident(to)};
}
std::string RenameEnum::describe() const {
  return fmt::format("rename enum {} to {}", display(enum_name), to);
}

std::vector<std::string> RenameEnumLabel::sql() const {
  return {"ALTER TYPE " + qualified(enum_name) + " RENAME VALUE " + quote_literal(from) + " TO " +
          quote_literal(to)};
}
std::string RenameEnumLabel::describe() const {
  return fmt::format("rename label {} of enum {} to {}", from, display(enum_name), to);
}

std::vector<std::string> RenameIndex::sql() const {
  return {"ALTER INDEX " + qualified({schema, from}) + " RENAME TO " + quote_ident(to)};
}
std::string RenameIndex::describe() const {
  return fmt::format("rename index {}.{} to {}", schema, from, to);
}

std::vector<std::string> RenameConstraint::sql() const {
  return {"ALTER TABLE " + qualified(table) + " RENAME CONSTRAINT " + quote_ident(from) + " TO " +
          quote_ident(to)};
}
std::string RenameConstraint::describe() const {
  return fmt::format("rename constraint {} on {} to {}", from, display(table), to);
}

}  // namespace retort::op
