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

// A statement with its ';' for a script, on a line of its own when the last line has a "--" that
// would otherwise swallow it (hand-written SQL ending in a comment).
std::string terminated(std::string_view statement);

// Statements, each without the trailing semicolon.
std::string create_schema_sql(std::string_view schema);
std::string create_enum_sql(const QualifiedName& name, const std::vector<std::string>& labels);
std::string alter_column_sql(const QualifiedName& table,
                             std::string_view column);  // ALTER TABLE t ALTER COLUMN c
std::string comment_on_table_sql(const QualifiedName& table,
                                 const std::optional<std::string>& text);
std::string comment_on_column_sql(const QualifiedName& table, std::string_view column,
                                  const std::optional<std::string>& text);

// The whole schema as a script an empty database accepts: the upgrade from nothing, in the
// differ's order (schemas, types, tables, indexes, foreign keys, comments).
std::string create_script(const Schema& schema);

}  // namespace retort
