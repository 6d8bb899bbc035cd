// Schema <-> JSON: the snapshot format (docs/snapshot-format.md). Revision files spell tables,
// columns, constraints and indexes the same way.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "retort/json_cursor.hpp"
#include "retort/schema.hpp"

namespace retort {

using ordered_json = nlohmann::ordered_json;

// The pieces (tables, columns, constraints, ...) are read and written by their kinds
// (kinds/*.hpp: to_json and from_json).
ordered_json to_json(const Schema& schema);
Schema schema_from_json(const JsonCursor& c);
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
