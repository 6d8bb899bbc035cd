#include "retort/snapshot.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "retort/error.hpp"

namespace retort {

namespace {

constexpr std::string_view kFormat = "retort-snapshot";
constexpr int kVersion = 1;

void put(ordered_json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}
void put(ordered_json& j, const char* key, const std::optional<std::int64_t>& v) {
  if (v) j[key] = *v;
}

std::optional<std::int64_t> optional_int(const JsonCursor& c, std::string_view key) {
  auto v = c.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return v->as_int();
}

FkAction action_from_json(const JsonCursor& c) {
  auto s = c.as_string();
  for (auto a : {FkAction::no_action, FkAction::restrict, FkAction::cascade, FkAction::set_null,
                 FkAction::set_default})
    if (to_string(a) == s) return a;
  c.fail("one of \"NO ACTION\", \"RESTRICT\", \"CASCADE\", \"SET NULL\", \"SET DEFAULT\"");
}

}  // namespace

ordered_json to_json(const Identity& id) {
  ordered_json j;
  j["always"] = id.always;
  put(j, "start", id.start);
  put(j, "increment", id.increment);
  put(j, "min_value", id.min_value);
  put(j, "max_value", id.max_value);
  put(j, "cache", id.cache);
  if (id.cycle) j["cycle"] = true;
  return j;
}

ordered_json to_json(const Column& c) {
  ordered_json j;
  j["name"] = c.name;
  j["type"] = c.type;
  j["nullable"] = c.nullable;
  put(j, "default", c.default_expr);
  if (c.identity) j["identity"] = to_json(*c.identity);
  put(j, "generated", c.generated);
  if (c.serial) j["serial"] = true;
  put(j, "comment", c.comment);
  return j;
}

ordered_json to_json(const PrimaryKey& pk) {
  return ordered_json{{"name", pk.name}, {"columns", pk.columns}};
}

ordered_json to_json(const UniqueConstraint& u) {
  ordered_json j{{"name", u.name}, {"columns", u.columns}};
  if (u.nulls_not_distinct) j["nulls_not_distinct"] = true;
  return j;
}

ordered_json to_json(const CheckConstraint& c) {
  return ordered_json{{"name", c.name}, {"expression", c.expression}};
}

ordered_json to_json(const ForeignKey& fk) {
  ordered_json j;
  j["name"] = fk.name;
  j["columns"] = fk.columns;
  j["ref_schema"] = fk.ref_table.schema;
  j["ref_table"] = fk.ref_table.name;
  j["ref_columns"] = fk.ref_columns;
  j["on_delete"] = to_string(fk.on_delete);
  j["on_update"] = to_string(fk.on_update);
  if (fk.deferrable) j["deferrable"] = true;
  if (fk.initially_deferred) j["initially_deferred"] = true;
  return j;
}

ordered_json to_json(const Index& ix) {
  ordered_json j;
  j["name"] = ix.name;
  if (ix.unique) j["unique"] = true;
  j["method"] = ix.method;
  ordered_json keys = ordered_json::array();
  for (const auto& k : ix.keys) {
    ordered_json kj;
    put(kj, "column", k.column);
    put(kj, "expression", k.expression);
    put(kj, "opclass", k.opclass);
    if (k.descending) kj["descending"] = true;
    if (k.nulls_first) kj["nulls_first"] = *k.nulls_first;
    keys.push_back(std::move(kj));
  }
  j["keys"] = std::move(keys);
  if (!ix.include.empty()) j["include"] = ix.include;
  put(j, "where", ix.where);
  return j;
}

ordered_json to_json(const Enum& e) { return ordered_json{{"name", e.name}, {"labels", e.labels}}; }

ordered_json to_json(const Table& t) {
  ordered_json j;
  j["name"] = t.name;
  put(j, "comment", t.comment);
  ordered_json cols = ordered_json::array();
  for (const auto& c : t.columns) cols.push_back(to_json(c));
  j["columns"] = std::move(cols);
  if (t.primary_key) j["primary_key"] = to_json(*t.primary_key);
  auto list = [&](const char* key, const auto& items) {
    if (items.empty()) return;
    ordered_json arr = ordered_json::array();
    for (const auto& i : items) arr.push_back(to_json(i));
    j[key] = std::move(arr);
  };
  list("uniques", t.uniques);
  list("checks", t.checks);
  list("foreign_keys", t.foreign_keys);
  list("indexes", t.indexes);
  return j;
}

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
    out << dump_at(enums, 3) << ",\n      \"tables\": ";
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

Identity identity_from_json(const JsonCursor& c) {
  c.allow_keys({"always", "start", "increment", "min_value", "max_value", "cache", "cycle"});
  Identity id;
  id.always = c.at("always").as_bool();
  id.start = optional_int(c, "start");
  id.increment = optional_int(c, "increment");
  id.min_value = optional_int(c, "min_value");
  id.max_value = optional_int(c, "max_value");
  id.cache = optional_int(c, "cache");
  id.cycle = c.bool_or("cycle", false);
  return id;
}

Column column_from_json(const JsonCursor& c) {
  c.allow_keys(
      {"name", "type", "nullable", "default", "identity", "generated", "serial", "comment"});
  Column col;
  col.name = c.string_at("name");
  col.type = c.string_at("type");
  col.nullable = c.at("nullable").as_bool();
  col.default_expr = c.optional_string("default");
  if (auto id = c.find("identity"); id && !id->is_null()) col.identity = identity_from_json(*id);
  col.generated = c.optional_string("generated");
  col.serial = c.bool_or("serial", false);
  col.comment = c.optional_string("comment");
  return col;
}

PrimaryKey primary_key_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "columns"});
  return PrimaryKey{c.string_at("name"), c.names_at("columns")};
}

UniqueConstraint unique_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "columns", "nulls_not_distinct"});
  return UniqueConstraint{c.string_at("name"), c.names_at("columns"),
                          c.bool_or("nulls_not_distinct", false)};
}

CheckConstraint check_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "expression"});
  return CheckConstraint{c.string_at("name"), c.string_at("expression")};
}

ForeignKey foreign_key_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "columns", "ref_schema", "ref_table", "ref_columns", "on_delete",
                "on_update", "deferrable", "initially_deferred"});
  ForeignKey fk;
  fk.name = c.string_at("name");
  fk.columns = c.names_at("columns");
  fk.ref_table = {c.string_at("ref_schema"), c.string_at("ref_table")};
  fk.ref_columns = c.names_at("ref_columns");
  if (auto a = c.find("on_delete")) fk.on_delete = action_from_json(*a);
  if (auto a = c.find("on_update")) fk.on_update = action_from_json(*a);
  fk.deferrable = c.bool_or("deferrable", false);
  fk.initially_deferred = c.bool_or("initially_deferred", false);
  return fk;
}

Index index_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "unique", "method", "keys", "include", "where"});
  Index ix;
  ix.name = c.string_at("name");
  ix.unique = c.bool_or("unique", false);
  if (auto m = c.find("method")) ix.method = m->as_string();
  for (const auto& k : c.at("keys").elements()) {
    k.allow_keys({"column", "expression", "opclass", "descending", "nulls_first"});
    IndexKey key;
    key.column = k.optional_string("column");
    key.expression = k.optional_string("expression");
    if (key.column.has_value() == key.expression.has_value())
      k.fail("an object with exactly one of \"column\" and \"expression\"");
    key.opclass = k.optional_string("opclass");
    key.descending = k.bool_or("descending", false);
    if (auto nf = k.find("nulls_first"); nf && !nf->is_null()) key.nulls_first = nf->as_bool();
    ix.keys.push_back(std::move(key));
  }
  if (ix.keys.empty()) c.at("keys").fail("a non-empty array of index keys");
  ix.include = c.strings_or_empty("include");
  ix.where = c.optional_string("where");
  return ix;
}

Enum enum_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "labels"});
  return Enum{c.string_at("name"), c.at("labels").as_strings()};
}

Table table_from_json(const JsonCursor& c) {
  c.allow_keys({"name", "comment", "columns", "primary_key", "uniques", "checks", "foreign_keys",
                "indexes"});
  Table t;
  t.name = c.string_at("name");
  t.comment = c.optional_string("comment");
  auto columns = c.at("columns").elements();
  t.columns.reserve(columns.size());  // exactly: 10,000 tables of grown vectors add up
  for (const auto& col : columns) t.columns.push_back(column_from_json(col));
  if (auto pk = c.find("primary_key"); pk && !pk->is_null())
    t.primary_key = primary_key_from_json(*pk);
  if (auto l = c.find("uniques"))
    for (const auto& e : l->elements()) t.uniques.push_back(unique_from_json(e));
  if (auto l = c.find("checks"))
    for (const auto& e : l->elements()) t.checks.push_back(check_from_json(e));
  if (auto l = c.find("foreign_keys"))
    for (const auto& e : l->elements()) t.foreign_keys.push_back(foreign_key_from_json(e));
  if (auto l = c.find("indexes"))
    for (const auto& e : l->elements()) t.indexes.push_back(index_from_json(e));
  return t;
}

Schema schema_from_json(const JsonCursor& c) {
  c.allow_keys({"format", "version", "schemas"});
  if (c.string_at("format") != kFormat) c.at("format").fail(fmt::format("\"{}\"", kFormat));
  if (c.at("version").as_int() != kVersion) c.at("version").fail(fmt::format("{}", kVersion));
  Schema s;
  for (const auto& sc : c.at("schemas").elements()) {
    sc.allow_keys({"name", "enums", "tables"});
    Namespace ns;
    ns.name = sc.string_at("name");
    if (auto l = sc.find("enums"))
      for (const auto& e : l->elements()) {
        auto en = enum_from_json(e);
        if (ns.enums.contains(en.name)) e.at("name").fail("an enum name not used before");
        ns.enums.emplace(en.name, std::move(en));
      }
    if (auto l = sc.find("tables"))
      for (const auto& e : l->elements()) {
        auto t = table_from_json(e);
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
      auto t = table_from_json(table);
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
