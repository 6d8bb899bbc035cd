#include "retort/hazard.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "retort/revision.hpp"

namespace {

using retort::HazardKind;
using H = HazardKind;
namespace op = retort::op;

const retort::QualifiedName kT{"public", "t"};

retort::Column column(const std::string& name, const std::string& type, bool nullable = true) {
  retort::Column c;
  c.name = name;
  c.type = type;
  c.nullable = nullable;
  return c;
}

TEST(Hazards, OfEachOp) {
  EXPECT_EQ(retort::hazards(op::DropColumn{kT, column("a", "integer")}),
            std::vector<HazardKind>{H::deletes_data});
  EXPECT_TRUE(retort::hazards(op::AddColumn{kT, column("a", "integer")}).empty());
  EXPECT_EQ(retort::hazards(op::AddColumn{kT, column("a", "integer", false)}),
            std::vector<HazardKind>{H::may_fail_on_data});
  auto with_default = column("a", "uuid");
  with_default.default_expr = "gen_random_uuid()";
  EXPECT_EQ(retort::hazards(op::AddColumn{kT, with_default}),
            std::vector<HazardKind>{H::rewrites_table});
  with_default.default_expr = "now()";  // stable: kept in the catalog, no rewrite
  EXPECT_TRUE(retort::hazards(op::AddColumn{kT, with_default}).empty());
  EXPECT_EQ(retort::hazards(op::SetNotNull{kT, "a"}),
            (std::vector<HazardKind>{H::access_exclusive_scan, H::may_fail_on_data}));
  EXPECT_EQ(retort::hazards(op::Execute{"SELECT 1", std::nullopt, true}),
            std::vector<HazardKind>{H::irreversible});
  EXPECT_TRUE(retort::hazards(op::Execute{"SELECT 1", "SELECT 2", true}).empty());
}

TEST(Hazards, TypeChangesThatOnlyRelabel) {
  auto alter = [](const std::string& from, const std::string& to) {
    op::AlterColumnType o;
    o.table = kT;
    o.column = "a";
    o.old_type = from;
    o.type = to;
    return retort::hazards(o);
  };
  EXPECT_TRUE(alter("character varying(10)", "character varying(20)").empty());
  EXPECT_TRUE(alter("character varying(10)", "text").empty());
  EXPECT_EQ(alter("character varying(20)", "character varying(10)"),
            (std::vector<HazardKind>{H::rewrites_table, H::may_fail_on_data}));
  EXPECT_EQ(alter("integer", "bigint"),
            (std::vector<HazardKind>{H::rewrites_table, H::may_fail_on_data}));
}

// An op on a table created earlier in the same list touches no rows: no data hazards.
TEST(Hazards, NoneOnATableTheListCreates) {
  retort::Table t;
  t.name = "t";
  t.columns = {column("a", "integer")};
  retort::Index ix;
  ix.name = "t_a";
  ix.keys = {retort::IndexKey{"a"}};
  std::vector<retort::Op> ops = {op::CreateIndex{{"public", "other"}, ix},
                                 op::CreateTable{"public", t}, op::CreateIndex{kT, ix}};
  auto per_op = retort::hazards(ops);
  ASSERT_EQ(per_op.size(), 3u);
  EXPECT_EQ(per_op[0], std::vector<HazardKind>{H::builds_index});
  EXPECT_TRUE(per_op[1].empty());
  EXPECT_TRUE(per_op[2].empty());
  EXPECT_EQ(retort::summarize(per_op), "1 builds_index");
}

// The table an op works on (hazards, --online and verification go by it): its "table" field,
// whatever the op's member is called; none for ops on a schema, a type or an index by name.
TEST(Hazards, TableOfAnOp) {
  using retort::table_of;
  retort::Table t;
  t.name = "t";
  EXPECT_EQ(table_of(op::CreateTable{"public", t}), kT);
  EXPECT_EQ(table_of(op::DropTable{"public", t}), kT);
  EXPECT_EQ(table_of(op::AddColumn{kT, column("a", "integer")}), kT);
  EXPECT_EQ(table_of(op::RenameTable{kT, "u"}), kT);
  EXPECT_EQ(table_of(op::RenameColumn{kT, "a", "b"}), kT);
  EXPECT_EQ(table_of(op::RenameConstraint{kT, "a", "b"}), kT);
  EXPECT_FALSE(table_of(op::RenameSchema{"public", "p"}));
  EXPECT_FALSE(table_of(op::RenameEnum{{"public", "e"}, "f"}));
  EXPECT_FALSE(table_of(op::RenameEnumLabel{{"public", "e"}, "a", "b"}));
  EXPECT_FALSE(table_of(op::RenameIndex{"public", "i", "j"}));
  EXPECT_FALSE(table_of(op::CreateSchema{"public"}));
  EXPECT_FALSE(table_of(op::CreateView{"public", retort::View{"t", " SELECT 1", false, {}}}));
}

class VersionsDir {
 public:
  VersionsDir()
      : m_dir(std::filesystem::temp_directory_path() /
              ("retort-hazard-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(m_dir);
  }
  ~VersionsDir() { std::filesystem::remove_all(m_dir); }
  const std::filesystem::path& path() const { return m_dir; }

 private:
  std::filesystem::path m_dir;
};

// Written beside each op; read back; a file without them (older retort) still reads, and a
// hand-written op keeps the hazards its author declared.
TEST(Hazards, KeptInRevisionFiles) {
  VersionsDir dir;
  auto written =
      retort::write_revision(dir.path(), "drop a", {}, {op::DropColumn{kT, column("a", "integer")}},
                             {op::AddColumn{kT, column("a", "integer")}}, {});
  std::ifstream in(written.file);
  auto json = nlohmann::json::parse(in);
  EXPECT_EQ(json["upgrade"][0]["hazards"], nlohmann::json::array({"deletes_data"}));
  EXPECT_FALSE(json["downgrade"][0].contains("hazards"));
  auto read = retort::load_revision(written.file);
  EXPECT_EQ(read.upgrade_hazards, (std::vector<std::vector<HazardKind>>{{H::deletes_data}}));

  auto old = dir.path() / "a00000000001_old.json";
  std::ofstream(old) << R"({"revision": "a00000000001", "down_revision": null, "message": "m",
    "created_at": "2026-01-01T00:00:00Z",
    "upgrade": [{"op": "execute", "sql": "UPDATE t SET a = 1", "down_sql": "SELECT 1",
                 "hazards": ["rewrites_table"]},
                {"op": "drop_column", "schema": "public", "table": "t",
                 "column": {"name": "a", "type": "integer", "nullable": true}}],
    "downgrade": [], "warnings": []})";
  auto r = retort::load_revision(old);
  EXPECT_EQ(r.upgrade_hazards,
            (std::vector<std::vector<HazardKind>>{{H::rewrites_table}, {H::deletes_data}}));
  EXPECT_EQ(retort::hazard_lines(r.upgrade, r.upgrade_hazards).size(), 2u);
}

}  // namespace
