// Schema <-> JSON. The snapshot format (docs/snapshot-format.md) is also how revision files spell
// tables, columns, constraints and indexes, so the pieces are exposed one by one.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "retort/json_cursor.hpp"
#include "retort/schema.hpp"

namespace retort {

using ordered_json = nlohmann::ordered_json;

ordered_json to_json(const Schema& schema);
ordered_json to_json(const Table& table);
ordered_json to_json(const Column& column);
ordered_json to_json(const Identity& identity);
ordered_json to_json(const PrimaryKey& pk);
ordered_json to_json(const UniqueConstraint& unique);
ordered_json to_json(const CheckConstraint& check);
ordered_json to_json(const ForeignKey& fk);
ordered_json to_json(const Index& index);
ordered_json to_json(const Enum& e);

Schema schema_from_json(const JsonCursor& c);
Table table_from_json(const JsonCursor& c);
Column column_from_json(const JsonCursor& c);
Identity identity_from_json(const JsonCursor& c);
PrimaryKey primary_key_from_json(const JsonCursor& c);
UniqueConstraint unique_from_json(const JsonCursor& c);
CheckConstraint check_from_json(const JsonCursor& c);
ForeignKey foreign_key_from_json(const JsonCursor& c);
Index index_from_json(const JsonCursor& c);
Enum enum_from_json(const JsonCursor& c);

// Two-space indented JSON with a trailing newline: the form retort writes to files.
std::string dump(const ordered_json& json);

// Parses text as JSON; a syntax error names the file, line and column. `callback`, when given,
// sees each value as it is parsed and may leave it out (nlohmann::json's parser callback).
nlohmann::json parse_json(const std::string& text, const std::string& file,
                          const nlohmann::json::parser_callback_t& callback = nullptr);
std::string read_file(const std::filesystem::path& path);

Schema read_snapshot(const std::filesystem::path& path);

// The snapshot of `schema`, as dump(to_json(schema)) spells it, written a table at a time so
// that large schemas never exist as a whole JSON document in memory.
void write_snapshot(std::ostream& out, const Schema& schema);

}  // namespace retort
