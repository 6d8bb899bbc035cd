// The differ on in-memory schemas: order, inverses, warnings, and no false positives on equal
// input. (Server canonicalization is covered by the integration tests.)
#include "retort/diff.hpp"

#include <gtest/gtest.h>

#include "retort/error.hpp"
#include "sample_schema.hpp"

namespace {

using retort::Op;
using retort::Schema;

std::vector<std::string> names(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(retort::op_name(op));
  return out;
}

retort::Column col(std::string name, std::string type, bool nullable = true) {
  retort::Column c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.nullable = nullable;
  return c;
}

Schema two_tables_with_cycle() {
  Schema s;
  auto& ns = s.schemas["public"];
  ns.name = "public";
  retort::Table a;
  a.name = "a";
  a.columns = {col("id", "integer", false), col("b_id", "integer")};
  a.primary_key = retort::PrimaryKey{"a_pkey", {"id"}};
  a.foreign_keys = {{"a_b_id_fkey", {"b_id"}, {"public", "b"}, {"id"}}};
  retort::Table b;
  b.name = "b";
  b.columns = {col("id", "integer", false), col("a_id", "integer")};
  b.primary_key = retort::PrimaryKey{"b_pkey", {"id"}};
  b.foreign_keys = {{"b_a_id_fkey", {"a_id"}, {"public", "a"}, {"id"}}};
  ns.tables["a"] = a;
  ns.tables["b"] = b;
  return s;
}

TEST(Diff, IdenticalSchemasGiveNoOps) {
  auto s = retort::test::sample_schema();
  auto d = retort::diff(s, s);
  EXPECT_TRUE(d.empty());
  EXPECT_TRUE(d.downgrade.empty());
  EXPECT_TRUE(d.warnings.empty());
}

TEST(Diff, CyclicForeignKeysBetweenNewTablesComeAfterBothTables) {
  Schema empty;
  empty.schemas["public"].name = "public";
  auto d = retort::diff(empty, two_tables_with_cycle());
  EXPECT_EQ(names(d.upgrade), (std::vector<std::string>{"create_table", "create_table",
                                                        "add_foreign_key", "add_foreign_key"}));
  EXPECT_EQ(names(d.downgrade), (std::vector<std::string>{"drop_foreign_key", "drop_foreign_key",
                                                          "drop_table", "drop_table"}));
}

TEST(Diff, DroppingTablesDropsForeignKeysFirstAndWarns) {
  Schema empty;
  empty.schemas["public"].name = "public";
  auto d = retort::diff(two_tables_with_cycle(), empty);
  EXPECT_EQ(names(d.upgrade), (std::vector<std::string>{"drop_foreign_key", "drop_foreign_key",
                                                        "drop_table", "drop_table"}));
  ASSERT_EQ(d.warnings.size(), 2u);
  EXPECT_EQ(d.warnings[0].kind, retort::WarningKind::drops_table);
  EXPECT_EQ(d.warnings[0].object, "public.a");
}

TEST(Diff, EnumsBeforeTablesAndLabelsInPosition) {
  Schema before, after;
  before.schemas["public"] = {"public", {}, {{"mood", {"mood", {"sad", "happy"}}}}};
  after.schemas["public"] = {"public", {}, {{"mood", {"mood", {"angry", "sad", "ok", "happy"}}}}};
  auto d = retort::diff(before, after);
  ASSERT_EQ(d.upgrade.size(), 2u);
  auto first = std::get<retort::op::AddEnumLabel>(d.upgrade[0]);
  EXPECT_EQ(first.label, "angry");
  EXPECT_EQ(first.before, "sad");
  auto second = std::get<retort::op::AddEnumLabel>(d.upgrade[1]);
  EXPECT_EQ(second.label, "ok");
  EXPECT_EQ(second.after, "sad");
  EXPECT_TRUE(d.downgrade.empty());
  ASSERT_EQ(d.warnings.size(), 2u);  // labels cannot be removed on downgrade
  EXPECT_EQ(d.warnings[0].kind, retort::WarningKind::irreversible);
}

TEST(Diff, RemovedEnumLabelIsAnErrorNamingTheEnum) {
  Schema before, after;
  before.schemas["public"] = {"public", {}, {{"mood", {"mood", {"sad", "happy"}}}}};
  after.schemas["public"] = {"public", {}, {{"mood", {"mood", {"happy"}}}}};
  try {
    retort::diff(before, after);
    FAIL();
  } catch (const retort::Error& e) {
    EXPECT_NE(std::string(e.what()).find("enum public.mood: labels were removed or reordered"),
              std::string::npos);
  }
}

TEST(Diff, TypeChangeGetsUsingOnlyWithoutImplicitCastAndWarnsWhenNarrowing) {
  auto before = two_tables_with_cycle();
  auto after = before;
  after.schemas["public"].tables["a"].columns[1].type = "bigint";
  auto widen = retort::diff(before, after);
  ASSERT_EQ(widen.upgrade.size(), 1u);
  auto alter = std::get<retort::op::AlterColumnType>(widen.upgrade[0]);
  EXPECT_FALSE(alter.using_expr);
  EXPECT_TRUE(widen.warnings.empty());
  auto narrow = retort::diff(after, before);
  ASSERT_EQ(narrow.warnings.size(), 1u);
  EXPECT_EQ(narrow.warnings[0].kind, retort::WarningKind::narrows_type);
  EXPECT_EQ(narrow.warnings[0].object, "public.a.b_id");

  after.schemas["public"].tables["a"].columns[1].type = "text";
  auto to_text = retort::diff(before, after);
  auto t = std::get<retort::op::AlterColumnType>(to_text.upgrade[0]);
  EXPECT_FALSE(t.using_expr);
  EXPECT_EQ(t.old_using_expr, "\"b_id\"::integer");
}

TEST(Diff, NotNullWithoutDefaultWarnsOnlyWhenTheTableHasRows) {
  auto before = two_tables_with_cycle();
  auto after = before;
  after.schemas["public"].tables["a"].columns.push_back(col("must", "text", false));
  auto empty_tables = retort::diff(before, after);
  EXPECT_EQ(empty_tables.tables_asked(), (std::vector<retort::QualifiedName>{{"public", "a"}}));
  empty_tables.keep_row_warnings([](const retort::QualifiedName&) { return false; });
  EXPECT_TRUE(empty_tables.warnings.empty());
  auto d = retort::diff(before, after);
  d.keep_row_warnings([](const retort::QualifiedName&) { return true; });
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].kind, retort::WarningKind::not_null_without_default);
  EXPECT_EQ(d.warnings[0].object, "public.a.must");
  EXPECT_FALSE(d.warnings[0].only_if_rows);  // settled by keep_row_warnings
}

TEST(Diff, ChangedPrimaryKeyRebuildsForeignKeysPointingAtIt) {
  auto before = two_tables_with_cycle();
  auto after = before;
  after.schemas["public"].tables["a"].primary_key->columns = {"id", "b_id"};
  auto d = retort::diff(before, after);
  EXPECT_EQ(names(d.upgrade), (std::vector<std::string>{"drop_foreign_key", "drop_primary_key",
                                                        "add_primary_key", "add_foreign_key"}));
}

// Same definition, another name: renamed in place, and the foreign keys pointing at it stay.
TEST(Diff, RenamedPrimaryKeyIsRenamedInPlace) {
  auto before = two_tables_with_cycle();
  auto after = before;
  after.schemas["public"].tables["a"].primary_key->name = "a_pk";
  auto d = retort::diff(before, after);
  EXPECT_EQ(names(d.upgrade), (std::vector<std::string>{"rename_constraint"}));
  EXPECT_EQ(names(d.downgrade), (std::vector<std::string>{"rename_constraint"}));
  EXPECT_EQ(std::get<retort::op::RenameConstraint>(d.downgrade[0]).to, "a_pkey");
}

TEST(Diff, NowAndCurrentTimestampAreTheSameDefault) {
  EXPECT_TRUE(retort::same_default("now()", "CURRENT_TIMESTAMP"));
  EXPECT_FALSE(retort::same_default("now()", std::nullopt));
  EXPECT_FALSE(retort::same_default("'a'::text", "'b'::text"));
}

TEST(Diff, DowngradeIsTheReversedInverse) {
  auto before = retort::test::sample_schema();
  auto after = before;
  auto& authors = after.schemas["public"].tables["authors"];
  ASSERT_FALSE(authors.columns[1].nullable);
  authors.columns.push_back(col("nickname", "text"));
  authors.comment = "changed";
  authors.columns[1].nullable = true;
  after.schemas["archive"].tables.erase("entries");
  auto d = retort::diff(before, after);
  ASSERT_EQ(d.upgrade.size(), d.downgrade.size());
  for (std::size_t i = 0; i < d.upgrade.size(); ++i)
    EXPECT_EQ(retort::inverse(d.upgrade[i]), d.downgrade[d.downgrade.size() - 1 - i]);
  auto back = retort::diff(after, before);
  EXPECT_EQ(names(back.upgrade).size(), d.upgrade.size());
}

}  // namespace
