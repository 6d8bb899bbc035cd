// Rendering Schema pieces as PostgreSQL DDL. Every identifier is quoted, always: names such as
// "user", "order", "with space" or quote"d are ordinary input.
#pragma once

#include <string>
#include <string_view>

#include "retort/schema.hpp"

namespace retort {

std::string quote_ident(std::string_view name);    // "na""me"
std::string quote_literal(std::string_view text);  // 'it''s' (E'' when it has backslashes)
std::string qualified(const QualifiedName& name);  // "schema"."name"
std::string quote_list(const std::vector<std::string>& names);  // "a", "b"
// {"a","b\"c"}: a text[] value, to send as one query parameter.
std::string array_literal(const std::vector<std::string>& items);

// "name" type [GENERATED ...] [DEFAULT ...] [NOT NULL]
std::string column_definition(const Column& column);
std::string identity_clause(const Identity& identity);  // GENERATED ... AS IDENTITY [(...)]

// Table constraint clauses, as used in CREATE TABLE and ALTER TABLE ... ADD.
std::string constraint_clause(const PrimaryKey& pk);
std::string constraint_clause(const UniqueConstraint& unique);
std::string constraint_clause(const CheckConstraint& check);
std::string constraint_clause(const ForeignKey& fk);

// Statements, each without the trailing semicolon.
std::string create_schema_sql(std::string_view schema);
std::string create_enum_sql(const QualifiedName& name, const std::vector<std::string>& labels);
// CREATE TABLE with columns, primary key, unique and check constraints; foreign keys are added
// afterwards (add_constraint_sql) so that tables referring to each other can be created.
std::string create_table_sql(std::string_view schema, const Table& table);
std::string create_index_sql(const QualifiedName& table, const Index& index);
std::string index_key_sql(const IndexKey& key);
template <class Constraint>
std::string add_constraint_sql(const QualifiedName& table, const Constraint& c) {
  return "ALTER TABLE " + qualified(table) + " ADD " + constraint_clause(c);
}
std::string comment_on_table_sql(const QualifiedName& table,
                                 const std::optional<std::string>& text);
std::string comment_on_column_sql(const QualifiedName& table, std::string_view column,
                                  const std::optional<std::string>& text);

// The whole schema as a script an empty database accepts: schemas, enums, tables, indexes, then
// foreign keys, then comments.
std::string create_script(const Schema& schema);

}  // namespace retort
