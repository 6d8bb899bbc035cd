#include "retort/snapshot.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "retort/error.hpp"
#include "retort/sql.hpp"
#include "sample_schema.hpp"

namespace {

// A file "snap.json" in a directory of its own, removed again.
class SnapshotFile {
 public:
  explicit SnapshotFile(const std::string& text)
      : m_dir(std::filesystem::temp_directory_path() /
              ("retort-snapshot-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(m_dir);
    std::ofstream(path()) << text;
  }
  ~SnapshotFile() { std::filesystem::remove_all(m_dir); }
  std::filesystem::path path() const { return m_dir / "snap.json"; }
  std::string dir() const { return m_dir.string() + "/"; }

 private:
  std::filesystem::path m_dir;
};

// The error reading `text` gives, both as a whole document and streamed from a file: the two
// readers must agree, path and all.
std::string read_error(const std::string& text) {
  std::string whole, streamed;
  try {
    auto j = retort::parse_json(text, "snap.json");
    retort::schema_from_json(retort::JsonCursor(j, "snap.json"));
  } catch (const retort::FormatError& e) {
    whole = e.what();
  }
  SnapshotFile file(text);
  try {
    retort::read_snapshot(file.path());
  } catch (const retort::FormatError& e) {
    streamed = e.what();
    if (streamed.starts_with(file.dir())) streamed = streamed.substr(file.dir().size());
  }
  EXPECT_EQ(streamed, whole) << text;
  return whole;
}

TEST(Snapshot, SampleModelsRoundTrip) {
  auto schema = retort::test::sample_schema();
  auto json = retort::dump(retort::to_json(schema));
  auto parsed = retort::parse_json(json, "x.json");
  auto back = retort::schema_from_json(retort::JsonCursor(parsed, "x.json"));
  EXPECT_EQ(back, schema);
  EXPECT_EQ(retort::dump(retort::to_json(back)), json);
}

TEST(Snapshot, WrittenTableByTableAsTheWholeDocumentWouldBe) {
  auto models = retort::test::sample_schema();
  retort::Schema empty, no_tables;
  no_tables.schemas["s"].name = "s";
  no_tables.schemas["s"].enums["e"] = {"e", {"a", "b"}};
  for (const auto* schema : {&models, &empty, &no_tables}) {
    std::ostringstream out;
    retort::write_snapshot(out, *schema);
    EXPECT_EQ(out.str(), retort::dump(retort::to_json(*schema)));
    SnapshotFile file(out.str());
    EXPECT_EQ(retort::read_snapshot(file.path()), *schema);
  }
}

TEST(Snapshot, EveryFieldRoundTrips) {
  retort::Schema s;
  auto& ns = s.schemas["Weird \"schema\""];
  ns.name = "Weird \"schema\"";
  ns.enums["mood"] = {"mood", {"sad", "ok", "happy"}};
  retort::Table t;
  t.name = "order";
  t.comment = "a 'comment'";
  retort::Column id{"id",
                    "bigint",
                    false,
                    std::nullopt,
                    retort::Identity{{10, 2, 1, 1000, 5, true}, true},
                    std::nullopt,
                    false,
                    "the id"};
  retort::Column s1{"serial",     "integer",    false, std::nullopt,
                    std::nullopt, std::nullopt, true,  std::nullopt};
  retort::Column g{"g", "text", true, std::nullopt, std::nullopt, "upper(x)", false, std::nullopt};
  retort::Column d{"d", "text", true, "'x'::text", std::nullopt, std::nullopt, false, std::nullopt};
  t.columns = {id, s1, g, d};
  t.primary_key = retort::PrimaryKey{"order_pkey", {"id"}};
  t.uniques = {{"u1", {"d", "g"}, true}};
  t.checks = {{"c1", "d <> ''::text"}};
  t.foreign_keys = {{"fk",
                     {"id"},
                     {"public", "user"},
                     {"id"},
                     retort::FkAction::cascade,
                     retort::FkAction::set_null,
                     true,
                     true}};
  retort::Index ix;
  ix.name = "ix";
  ix.unique = true;
  ix.method = "btree";
  ix.keys = {retort::IndexKey{"d", std::nullopt, "text_pattern_ops", true, false},
             retort::IndexKey{std::nullopt, "lower(d)", std::nullopt, false, std::nullopt}};
  ix.include = {"g"};
  ix.where = "d IS NOT NULL";
  t.indexes = {ix};
  ns.tables["order"] = t;
  auto json = retort::to_json(s);
  auto back = retort::schema_from_json(retort::JsonCursor(nlohmann::json::parse(json.dump()), "x"));
  EXPECT_EQ(back, s);
}

TEST(Snapshot, MalformedInputsNamePathAndExpectation) {
  EXPECT_EQ(read_error("{"),
            "snap.json:1:1: invalid JSON: parse error at line 1, column 2: "
            "syntax error while parsing object key - unexpected end of input; "
            "expected string literal");
  EXPECT_EQ(read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": {}})"),
            "snap.json: at /schemas: expected an array, found an object");
  EXPECT_EQ(read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": [{"name": "public",
        "tables": [{"name": "t", "columns": [{"name": "a", "type": 5, "nullable": true}]}]}]})"),
            "snap.json: at /schemas/0/tables/0/columns/0/type: expected a string, found a number");
  EXPECT_EQ(read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": [{"name": "public",
        "tables": [{"name": "t", "columns": [{"name": "a", "type": "int"}]}]}]})"),
            "snap.json: at /schemas/0/tables/0/columns/0: missing required key \"nullable\"");
  EXPECT_EQ(
      read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": [{"name": "public",
        "tables": [{"name": "t", "columns": [{"name": "a", "type": "int", "nulable": true}]}]}]})"),
      "snap.json: at /schemas/0/tables/0/columns/0: unexpected key \"nulable\" (expected one of "
      "\"name\", \"type\", \"nullable\", \"default\", \"identity\", \"generated\", \"serial\", "
      "\"comment\", \"collation\", \"renamed_from\")");
  EXPECT_EQ(read_error(R"({"format": "other", "version": 1, "schemas": []})"),
            "snap.json: at /format: expected \"retort-snapshot\", found a string");
  EXPECT_EQ(read_error(R"([])"), "snap.json: at /: expected an object, found an array");
  EXPECT_EQ(read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": [
        {"name": "a", "enums": [{"name": "e", "labels": []}], "tables": [{"name": "t", "columns": []}]},
        {"name": "b", "tables": [{"name": "t", "columns": []}, {"name": "u", "columns": [{}]}]}]})"),
            "snap.json: at /schemas/1/tables/1/columns/0: missing required key \"name\"");
  EXPECT_EQ(read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": [{"name": "public",
        "tables": [{"name": "t", "columns": []}, {"name": "t", "columns": []}]}]})"),
            "snap.json: at /schemas/0/tables/1/name: expected a table name not used before, found "
            "a string");
  EXPECT_EQ(read_error(R"({"format": "retort-snapshot", "version": 1, "schemas": [{"name": "public",
        "tables": ["t"]}]})"),
            "snap.json: at /schemas/0/tables/0: expected an object, found a string");
}

TEST(Snapshot, ReadingAMissingFileNamesIt) {
  try {
    retort::read_snapshot("/nonexistent/snap.json");
    FAIL();
  } catch (const retort::Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/snap.json: cannot open file");
  }
}

TEST(CreateScript, DependencyOrder) {
  auto sql = retort::create_script(retort::test::sample_schema());
  auto pos = [&](const std::string& needle) {
    auto p = sql.find(needle);
    EXPECT_NE(p, std::string::npos) << needle;
    return p;
  };
  // schemas, then enums, then tables (each with its comments), then foreign keys
  EXPECT_LT(pos("CREATE SCHEMA IF NOT EXISTS \"archive\""), pos("CREATE TYPE"));
  EXPECT_LT(pos("CREATE TYPE \"public\".\"loan_state\""), pos("CREATE TABLE"));
  EXPECT_LT(pos("CREATE TABLE \"public\".\"books\""), pos("FOREIGN KEY"));
  EXPECT_LT(pos("CREATE TABLE \"public\".\"loans\""), pos("FOREIGN KEY"));
  EXPECT_LT(pos("CREATE TABLE \"archive\".\"entries\""), pos("FOREIGN KEY"));
  EXPECT_LT(pos("COMMENT ON"), pos("FOREIGN KEY"));
  EXPECT_EQ(sql.find("REFERENCES", 0),
            sql.find("ALTER TABLE") + sql.substr(sql.find("ALTER TABLE")).find("REFERENCES"));
}

TEST(Quoting, AwkwardIdentifiers) {
  EXPECT_EQ(retort::quote_ident("user"), "\"user\"");
  EXPECT_EQ(retort::quote_ident("with space"), "\"with space\"");
  EXPECT_EQ(retort::quote_ident("quote\"d"), "\"quote\"\"d\"");
  EXPECT_EQ(retort::qualified({"My Schema", "order"}), "\"My Schema\".\"order\"");
  EXPECT_EQ(retort::quote_literal("it's"), "'it''s'");
  EXPECT_EQ(retort::quote_literal("back\\slash"), "E'back\\\\slash'");
}

}  // namespace
