#include "retort/snapshot.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "retort/error.hpp"
#include "retort/ops.hpp"

namespace retort {

namespace {

constexpr std::string_view kFormat = "retort-snapshot";
constexpr int kVersion = 1;

// A namespace's schema-level objects of the newer kinds and its scope, under their keys; a key
// is left out when empty, so snapshots without them read as before.
ordered_json objects_json(const Namespace& ns) {
  ordered_json j = ordered_json::object();
  if (ns.manage_all) j["manage_all"] = true;
  auto list = [&](const char* key, const auto& map) {
    if (map.empty()) return;
    ordered_json items = ordered_json::array();
    for (const auto& [_, o] : map) items.push_back(to_json(o));
    j[key] = std::move(items);
  };
  list("extensions", ns.extensions);
  list("sequences", ns.sequences);
  list("domains", ns.domains);
  list("composite_types", ns.composites);
  return j;
}

void objects_from_json(const JsonCursor& sc, Namespace& ns) {
  ns.manage_all = sc.bool_or("manage_all", false);
  auto list = [&](const char* key, auto& map) {
    if (auto l = sc.find(key))
      for (const auto& e : l->elements()) {
        typename std::remove_reference_t<decltype(map)>::mapped_type o;
        from_json(e, o);
        if (map.contains(o.name)) e.at("name").fail("a name not used before");
        map.emplace(o.name, std::move(o));
      }
  };
  list("extensions", ns.extensions);
  list("sequences", ns.sequences);
  list("domains", ns.domains);
  list("composite_types", ns.composites);
}

}  // namespace

ordered_json to_json(const Schema& s) {
  ordered_json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  ordered_json schemas = ordered_json::array();
  for (const auto& [name, ns] : s.schemas) {
    ordered_json sj;
    sj["name"] = name;
    ordered_json enums = ordered_json::array();
    for (const auto& [_, e] : ns.enums) enums.push_back(to_json(e));
    sj["enums"] = std::move(enums);
    const auto objects = objects_json(ns);
    for (const auto& [key, value] : objects.items()) sj[key] = value;
    ordered_json tables = ordered_json::array();
    for (const auto& [_, t] : ns.tables) tables.push_back(to_json(t));
    sj["tables"] = std::move(tables);
    schemas.push_back(std::move(sj));
  }
  j["schemas"] = std::move(schemas);
  return j;
}

namespace {

// `json` dumped as it reads at `depth` levels of two-space indentation. JSON strings hold no raw
// newlines, so every newline is a line break of the dump.
std::string dump_at(const ordered_json& json, int depth) {
  std::string text = json.dump(2), out;
  out.reserve(text.size() + text.size() / 8);
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

}  // namespace

void write_snapshot(std::ostream& out, const Schema& s) {
  out << "{\n  \"format\": " << ordered_json(kFormat).dump() << ",\n  \"version\": " << kVersion
      << ",\n  \"schemas\": ";
  if (s.schemas.empty()) out << "[]";
  bool first_schema = true;
  for (const auto& [name, ns] : s.schemas) {
    out << (first_schema ? "[\n" : ",\n") << "    {\n      \"name\": " << ordered_json(name).dump()
        << ",\n      \"enums\": ";
    first_schema = false;
    ordered_json enums = ordered_json::array();
    for (const auto& [_, e] : ns.enums) enums.push_back(to_json(e));
    out << dump_at(enums, 3);
    const auto objects = objects_json(ns);
    for (const auto& [key, value] : objects.items())
      out << ",\n      " << ordered_json(key).dump() << ": " << dump_at(value, 3);
    out << ",\n      \"tables\": ";
    if (ns.tables.empty()) out << "[]";
    bool first_table = true;
    for (const auto& [_, t] : ns.tables) {
      out << (first_table ? "[\n" : ",\n") << "        " << dump_at(to_json(t), 4);
      first_table = false;
    }
    if (!ns.tables.empty()) out << "\n      ]";
    out << "\n    }";
  }
  if (!s.schemas.empty()) out << "\n  ]";
  out << "\n}\n";
}

Schema schema_from_json(const JsonCursor& c) {
  c.allow_keys({"format", "version", "schemas"});
  if (c.string_at("format") != kFormat) c.at("format").fail(fmt::format("\"{}\"", kFormat));
  if (c.at("version").as_int() != kVersion) c.at("version").fail(fmt::format("{}", kVersion));
  Schema s;
  for (const auto& sc : c.at("schemas").elements()) {
    sc.allow_keys({"name", "enums", "tables", "manage_all", "extensions", "sequences", "domains",
                   "composite_types"});
    Namespace ns;
    ns.name = sc.string_at("name");
    objects_from_json(sc, ns);
    if (auto l = sc.find("enums"))
      for (const auto& e : l->elements()) {
        Enum en;
        from_json(e, en);
        if (ns.enums.contains(en.name)) e.at("name").fail("an enum name not used before");
        ns.enums.emplace(en.name, std::move(en));
      }
    if (auto l = sc.find("tables"))
      for (const auto& e : l->elements()) {
        Table t;
        from_json(e, t);
        if (ns.tables.contains(t.name)) e.at("name").fail("a table name not used before");
        ns.tables.emplace(t.name, std::move(t));
      }
    if (s.schemas.contains(ns.name)) sc.at("name").fail("a schema name not used before");
    s.schemas.emplace(ns.name, std::move(ns));
  }
  s.normalize();
  return s;
}

std::string dump(const ordered_json& json) { return json.dump(2) + "\n"; }

nlohmann::json parse_json(const std::string& text, const std::string& file,
                          const nlohmann::json::parser_callback_t& callback) {
  return parse_strict_json(text, file, callback);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || std::filesystem::is_directory(path))
    throw Error(fmt::format("{}: cannot open file", path.string()));
  auto size = in.tellg();
  if (size < 0) throw Error(fmt::format("{}: cannot read file", path.string()));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
    throw Error(fmt::format("{}: cannot read file", path.string()));
  return text;
}

Schema read_snapshot(const std::filesystem::path& path) {
  const auto file = path.string();
  auto text = read_file(path);
  // Each table becomes a Table as soon as the parser has it, and leaves the document: a snapshot
  // of 10,000 tables is never whole in memory as JSON. Depths: 0 the document, 1 "schemas",
  // 2 a schema, 3 its "tables", 4 a table.
  std::vector<std::pair<std::size_t, Table>> tables;  // with the index of their schema
  std::vector<std::set<std::string>> names;           // per schema, to reject a second table
  std::size_t schema_index = 0, table_index = 0;
  std::string top_key, schema_key;
  bool in_tables = false;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (depth == 1 && event == Event::key) top_key = parsed.get<std::string>();
    if (depth < 2 || top_key != "schemas") return true;
    if (depth == 2 && event == Event::object_end) ++schema_index;
    if (depth == 3 && event == Event::key) schema_key = parsed.get<std::string>();
    if (depth == 3 && event == Event::array_start) in_tables = schema_key == "tables";
    if (depth == 3 && event == Event::array_end) in_tables = false;
    if (depth == 4 && in_tables && event == Event::object_end) {
      JsonCursor table(parsed, file,
                       fmt::format("/schemas/{}/tables/{}", schema_index, table_index++));
      Table t;
      from_json(table, t);
      if (names.size() <= schema_index) names.resize(schema_index + 1);
      if (!names[schema_index].insert(t.name).second)
        table.at("name").fail("a table name not used before");
      tables.emplace_back(schema_index, std::move(t));
      return false;
    }
    if (depth == 2 && event == Event::object_start) table_index = 0;
    return true;
  };
  auto json = parse_json(text, file, callback);
  text = std::string();

  Schema s = schema_from_json(JsonCursor(json, file));
  const auto& schemas = json.at("schemas");
  for (auto& [index, table] : tables) {
    auto& ns = s.schemas.at(schemas.at(index).at("name").get<std::string>());
    auto name = table.name;
    ns.tables.emplace(std::move(name), std::move(table));
  }
  s.normalize();
  return s;
}

}  // namespace retort
