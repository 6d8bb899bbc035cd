#include "retort/kinds/namespace.hpp"

#include "retort/sql.hpp"

namespace retort::op {

std::vector<std::string> CreateSchema::sql() const {
  return {"CREATE SCHEMA " + quote_ident(schema)};
}
DropSchema CreateSchema::inverse() const { return {schema}; }
std::string CreateSchema::describe() const { return "create schema " + schema; }

std::vector<std::string> DropSchema::sql() const { return {"DROP SCHEMA " + quote_ident(schema)}; }
CreateSchema DropSchema::inverse() const { return {schema}; }
std::string DropSchema::describe() const { return "drop schema " + schema; }

}  // namespace retort::op
