// retort erd and history --graph: the SVG is well-formed XML with one node per table (revision),
// and Mermaid shows the same tables and foreign keys as the models, the snapshot and a database.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "pg_server.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

const std::string kVersions = std::string(RETORT_SOURCE_DIR) + "/versions";

std::set<std::string> matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> out;
  std::regex re(pattern);
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.insert((*it)[1].str());
  return out;
}

// The models' tables ("schema.table") and foreign-key names, from their CREATE script.
std::set<std::string> model_tables() {
  auto sql = run_retort({"models", "--format", "sql"}).out;
  std::set<std::string> out;
  std::regex re(R"re(CREATE TABLE "([^"]+)"\."([^"]+)")re");
  for (std::sregex_iterator it(sql.begin(), sql.end(), re), end; it != end; ++it)
    out.insert((*it)[1].str() + "." + (*it)[2].str());
  return out;
}
std::set<std::string> model_fks() {
  return matches(run_retort({"models", "--format", "sql"}).out,
                 R"re(ADD CONSTRAINT "([^"]+)" FOREIGN KEY)re");
}

std::string svg_file(const std::vector<std::string>& args) {
  auto dir = retort::test::temp_dir("erd");
  auto r = run_retort(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  retort::test::write_text(dir + "/out.svg", r.out);
  return dir + "/out.svg";
}

std::string xpath(const std::string& file, const std::string& expr) {
  auto r = run_shell("xmllint --xpath \"" + expr + "\" " + file);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

TEST(Erd, SvgIsXmlWithOneNodePerTable) {
  auto file = svg_file({"erd", "--format", "svg"});
  auto lint = run_shell("xmllint --noout " + file);
  ASSERT_EQ(lint.exit_code, 0) << lint.err;
  auto tables = model_tables();
  ASSERT_EQ(tables.size(), 6u);
  EXPECT_EQ(xpath(file, "count(//*[local-name()='g'][@class='node'])"),
            std::to_string(tables.size()));
  auto titles = matches(xpath(file, "//*[local-name()='g'][@class='node']/*[local-name()='title']"),
                        "<title>([^<]+)</title>");
  EXPECT_EQ(titles, tables);
  EXPECT_EQ(xpath(file, "count(//*[local-name()='g'][@class='edge'])"),
            std::to_string(model_fks().size()));
}

TEST(Erd, MermaidHasTheSameTablesAndForeignKeys) {
  auto r = run_retort({"erd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("erDiagram\n", 0), 0u) << r.out;
  EXPECT_EQ(matches(r.out, R"re(\["([^"]+)"\] \{)re"), model_tables());
  EXPECT_EQ(matches(r.out, R"re(\}o--[o|]\| \w+ : "([^"]+)")re"), model_fks());
  EXPECT_NE(r.out.find("bigint id PK"), std::string::npos) << r.out;
}

TEST(Erd, SnapshotAndDatabaseTargetsDrawTheSame) {
  auto dir = retort::test::temp_dir("erd");
  auto snap = run_retort({"models"});
  retort::test::write_text(dir + "/snap.json", snap.out);
  auto from_models = run_retort({"erd", "--format", "dot"});
  auto from_snapshot = run_retort({"erd", "--format", "dot", "--target", dir + "/snap.json"});
  ASSERT_EQ(from_snapshot.exit_code, 0) << from_snapshot.err;
  EXPECT_EQ(from_snapshot.out, from_models.out);

  auto db = retort::test::fresh_database("erd");
  ASSERT_EQ(run_retort({"--url", db, "--versions", kVersions, "upgrade", "head"}).exit_code, 0);
  auto from_db = run_retort({"erd", "--target", db});
  ASSERT_EQ(from_db.exit_code, 0) << from_db.err;
  EXPECT_EQ(matches(from_db.out, R"re(\["([^"]+)"\] \{)re"), model_tables());
  EXPECT_EQ(matches(from_db.out, R"re(\}o--[o|]\| \w+ : "([^"]+)")re"), model_fks());
}

TEST(Erd, BadFormatIsAUsageError) {
  auto r = run_retort({"erd", "--format", "png"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format must be mermaid, dot or svg"), std::string::npos) << r.err;
}

TEST(HistoryGraph, OneNodePerRevisionAndAnEdgePerParent) {
  auto history = run_retort({"--versions", kVersions, "history"});
  auto revisions = std::count(history.out.begin(), history.out.end(), '\n');
  auto file = svg_file({"--versions", kVersions, "history", "--graph", "--format", "svg"});
  EXPECT_EQ(run_shell("xmllint --noout " + file).exit_code, 0);
  EXPECT_EQ(xpath(file, "count(//*[local-name()='g'][@class='node'])"), std::to_string(revisions));
  auto mermaid = run_retort({"--versions", kVersions, "history", "--graph"});
  ASSERT_EQ(mermaid.exit_code, 0) << mermaid.err;
  EXPECT_EQ(mermaid.out.rfind("flowchart BT\n", 0), 0u);
  // A linear history: one edge fewer than revisions.
  EXPECT_EQ(matches(mermaid.out, R"re(--> r(\w+))re").size(), static_cast<size_t>(revisions - 1))
      << mermaid.out;
}

TEST(HistoryGraph, BranchesAndMergesAreDrawn) {
  auto v = retort::test::temp_dir("versions");
  auto rev = [&](const std::string& id, const std::string& parents) {
    retort::test::write_text(v + "/" + id + "_r.json",
                             R"({"revision": ")" + id + R"(", "down_revision": )" + parents +
                                 R"(, "message": "m )" + id +
                                 R"(", "created_at": "2026-01-01T00:00:00Z", "upgrade": [], )"
                                 R"("downgrade": [], "warnings": []})");
  };
  rev("aaaaaaaaaaaa", "null");
  rev("bbbbbbbbbbbb", "\"aaaaaaaaaaaa\"");
  rev("cccccccccccc", "\"aaaaaaaaaaaa\"");
  rev("dddddddddddd", "[\"bbbbbbbbbbbb\", \"cccccccccccc\"]");
  auto mermaid = run_retort({"--versions", v, "history", "--graph"});
  ASSERT_EQ(mermaid.exit_code, 0) << mermaid.err;
  for (auto edge : {"raaaaaaaaaaaa --> rbbbbbbbbbbbb", "raaaaaaaaaaaa --> rcccccccccccc",
                    "rbbbbbbbbbbbb --> rdddddddddddd", "rcccccccccccc --> rdddddddddddd"})
    EXPECT_NE(mermaid.out.find(edge), std::string::npos) << edge << "\n" << mermaid.out;
  auto file = svg_file({"--versions", v, "history", "--graph", "--format", "svg"});
  EXPECT_EQ(xpath(file, "count(//*[local-name()='g'][@class='node'])"), "4");
  EXPECT_EQ(xpath(file, "count(//*[local-name()='g'][@class='edge'])"), "4");
  auto dot = run_retort({"--versions", v, "history", "--graph", "--format", "dot"});
  EXPECT_NE(dot.out.find("\"cccccccccccc\" -> \"dddddddddddd\";"), std::string::npos) << dot.out;
}

}  // namespace
}  // namespace retort::test
