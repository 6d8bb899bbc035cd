// Online forms of ops (online.hpp): their JSON, SQL, inverses, the steps a runner splits them
// into, the transactional form verification uses, and which ops make_online rewrites.
#include "retort/online.hpp"

#include <gtest/gtest.h>

#include "retort/error.hpp"
#include "retort/hazard.hpp"

namespace {

using namespace retort;

const QualifiedName kTable{"my schema", "t"};

Index index(std::string name) {
  Index ix;
  ix.name = std::move(name);
  ix.keys = {IndexKey{.column = "a"}};
  return ix;
}

std::vector<Op> online_ops() {
  return {
      op::CreateIndex{kTable, index("t_a"), true},
      op::DropIndex{kTable, index("t_old"), true},
      op::AddUnique{kTable, UniqueConstraint{"t_b_key", {"b"}}, true},
      op::AddCheck{kTable, CheckConstraint{"t_pos", "(a > 0)"}, true},
      op::AddForeignKey{kTable, ForeignKey{"t_fk", {"p"}, {"my schema", "p"}, {"id"}}, true},
      op::SetNotNull{kTable, "odd \"col\"", true},
  };
}

Op read(const ordered_json& j) {
  auto parsed = nlohmann::json::parse(j.dump());
  return op_from_json(JsonCursor(parsed, "rev.json"));
}

TEST(Online, JsonRoundTripKeepsTheForm) {
  for (const auto& op : online_ops()) {
    auto j = to_json(op);
    EXPECT_EQ(j["online"], true) << j.dump();
    EXPECT_EQ(read(j), op) << j.dump();
    EXPECT_TRUE(is_online(op));
    EXPECT_NE(describe(op).find("(online)"), std::string::npos);
  }
  // The plain form writes no key; kinds without an online form refuse it.
  EXPECT_FALSE(to_json(op::CreateIndex{kTable, index("t_a")}).contains("online"));
  auto pk = to_json(op::AddPrimaryKey{kTable, PrimaryKey{"t_pkey", {"a"}}});
  pk["online"] = true;
  EXPECT_THROW(read(pk), Error);
}

TEST(Online, SqlOfEachForm) {
  auto ops = online_ops();
  EXPECT_EQ(to_sql(ops[0]), std::vector<std::string>{
                                R"(CREATE INDEX CONCURRENTLY "t_a" ON "my schema"."t" ("a"))"});
  EXPECT_EQ(to_sql(ops[1]),
            std::vector<std::string>{R"(DROP INDEX CONCURRENTLY "my schema"."t_old")"});
  EXPECT_EQ(
      to_sql(ops[2]),
      (std::vector<std::string>{
          R"(CREATE UNIQUE INDEX CONCURRENTLY "t_b_key" ON "my schema"."t" ("b"))",
          R"(ALTER TABLE "my schema"."t" ADD CONSTRAINT "t_b_key" UNIQUE USING INDEX "t_b_key")"}));
  EXPECT_EQ(to_sql(ops[3]),
            (std::vector<std::string>{
                R"(ALTER TABLE "my schema"."t" ADD CONSTRAINT "t_pos" CHECK ((a > 0)) NOT VALID)",
                R"(ALTER TABLE "my schema"."t" VALIDATE CONSTRAINT "t_pos")"}));
  auto fk = to_sql(ops[4]);
  ASSERT_EQ(fk.size(), 2u);
  EXPECT_TRUE(fk[0].ends_with(" NOT VALID")) << fk[0];
  EXPECT_EQ(fk[1], R"(ALTER TABLE "my schema"."t" VALIDATE CONSTRAINT "t_fk")");
  EXPECT_EQ(
      to_sql(ops[5]),
      (std::vector<std::string>{
          R"(ALTER TABLE "my schema"."t" ADD CONSTRAINT "retort_not_null_odd ""col""" CHECK ("odd ""col""" IS NOT NULL) NOT VALID)",
          R"(ALTER TABLE "my schema"."t" VALIDATE CONSTRAINT "retort_not_null_odd ""col""")",
          R"(ALTER TABLE "my schema"."t" ALTER COLUMN "odd ""col""" SET NOT NULL)",
          R"(ALTER TABLE "my schema"."t" DROP CONSTRAINT "retort_not_null_odd ""col""")"}));
}

TEST(Online, InversesAndHazards) {
  auto ops = online_ops();
  EXPECT_EQ(*inverse(ops[0]), Op(op::DropIndex{kTable, index("t_a"), true}));
  EXPECT_EQ(*inverse(ops[1]), Op(op::CreateIndex{kTable, index("t_old"), true}));
  EXPECT_FALSE(is_online(*inverse(ops[3])));  // a plain drop: no online form, none needed
  EXPECT_EQ(*inverse(ops[5]), Op(op::DropNotNull{kTable, "odd \"col\""}));
  using H = HazardKind;
  EXPECT_EQ(hazards(ops[2]), (std::vector<H>{H::builds_index, H::may_fail_on_data}));
  EXPECT_EQ(hazards(ops[3]), (std::vector<H>{H::validates_rows, H::may_fail_on_data}));
  EXPECT_EQ(hazards(ops[5]), (std::vector<H>{H::validates_rows, H::may_fail_on_data}));
  EXPECT_EQ(hazards(op::SetNotNull{kTable, "c"}),
            (std::vector<H>{H::access_exclusive_scan, H::may_fail_on_data}));
}

TEST(Online, StepsAndTheTransactionalForm) {
  auto ops = online_ops();
  ops.insert(ops.begin() + 1, op::SetDefault{kTable, "a", "1", std::nullopt});
  EXPECT_TRUE(runs_in_steps(ops));
  EXPECT_FALSE(runs_in_steps({op::SetNotNull{kTable, "c"}}));
  auto steps = steps_of(ops);
  // index 1, default 1, drop index 1, unique 2, check 2, fk 2, not null 4
  ASSERT_EQ(steps.size(), 13u);
  EXPECT_FALSE(steps[0].transactional);
  EXPECT_TRUE(steps[0].builds_index);
  EXPECT_EQ(steps[0].index, (QualifiedName{"my schema", "t_a"}));
  EXPECT_TRUE(steps[1].transactional);
  EXPECT_EQ(steps[1].op, 1u);
  EXPECT_FALSE(steps[2].transactional);
  EXPECT_FALSE(steps[2].builds_index);
  EXPECT_FALSE(steps[3].transactional);  // the unique index, built CONCURRENTLY
  EXPECT_TRUE(steps[3].builds_index);
  EXPECT_TRUE(steps[4].transactional);  // ... then USING INDEX
  for (std::size_t k = 5; k < steps.size(); ++k) EXPECT_TRUE(steps[k].transactional) << k;
  EXPECT_EQ(steps.back().op, ops.size() - 1);
  // Verification runs what a transaction can: no CONCURRENTLY, the other forms as they are.
  for (const auto& op : ops)
    for (const auto& sql : to_sql(transactional_form(op)))
      EXPECT_EQ(sql.find("CONCURRENTLY"), std::string::npos) << sql;
  EXPECT_EQ(transactional_form(ops[4]), ops[4]);
}

// Every table item op has an `online` member; a kind without an online form (a primary key, a
// policy) stays as it is on an existing table.
TEST(Online, MakeOnlineLeavesKindsWithoutAnOnlineForm) {
  Schema current;
  Table t;
  t.name = "t";
  t.columns = {Column{.name = "a", .type = "integer"}};
  current.schemas["my schema"].tables.emplace("t", t);
  SchemaDiff d;
  d.upgrade = {op::AddPrimaryKey{kTable, PrimaryKey{"t_pkey", {"a"}}},
               op::CreatePolicy{kTable, Policy{.name = "p", .using_expr = "true"}}};
  make_online(d, current);
  for (const auto& op : d.upgrade) EXPECT_FALSE(is_online(op)) << describe(op);
  EXPECT_FALSE(runs_in_steps(d.upgrade));
}

TEST(Online, MakeOnlineRewritesOpsOnExistingTablesOnly) {
  Schema current;
  Table t;
  t.name = "t";
  t.columns = {Column{.name = "a", .type = "integer"}};
  Table parted = t;
  parted.name = "parted";
  parted.partition_by = "RANGE (a)";
  current.schemas["my schema"].tables.emplace("t", t);
  current.schemas["my schema"].tables.emplace("parted", parted);
  Table fresh = t;
  fresh.name = "fresh";
  SchemaDiff d;
  d.upgrade = {op::CreateTable{"my schema", fresh},
               op::CreateIndex{{"my schema", "fresh"}, index("fresh_a")},
               op::CreateIndex{kTable, index("t_a")},
               op::CreateIndex{{"my schema", "parted"}, index("parted_a")},
               op::SetNotNull{kTable, "a"}};
  make_online(d, current);
  std::vector<bool> online;
  for (const auto& op : d.upgrade) online.push_back(is_online(op));
  EXPECT_EQ(online, (std::vector<bool>{false, false, true, false, true}));
  ASSERT_EQ(d.downgrade.size(), 5u);
  EXPECT_EQ(d.downgrade[0], Op(op::DropNotNull{kTable, "a"}));
  EXPECT_EQ(d.downgrade[2], Op(op::DropIndex{kTable, index("t_a"), true}));
}

}  // namespace
