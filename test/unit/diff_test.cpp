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

namespace {

// public.events (id integer) and a view over it, as an introspected database holds them.
Schema events_with_view() {
  Schema s;
  auto& ns = s.schemas["public"];
  ns.name = "public";
  retort::Table t;
  t.name = "events";
  t.columns = {col("id", "integer", false)};
  ns.tables.emplace("events", t);
  ns.views.emplace("ids", retort::View{"ids", "SELECT events.id FROM public.events", false, {}});
  s.facts.dependencies = {{{"public", "ids"}, {"public", "events"}, "id"}};
  return s;
}

}  // namespace

TEST(Diff, ViewsTheTargetDoesNotDeclareAreNotDropped) {
  auto current = events_with_view();
  auto target = current;
  target.schemas["public"].views.clear();
  target.facts = {};
  EXPECT_TRUE(retort::diff(current, target).empty());
}

TEST(Diff, ARetypedColumnUnderAnUndeclaredViewIsAnErrorNamingTheViewAndTheWaysOut) {
  auto current = events_with_view();
  auto target = current;
  target.schemas["public"].views.clear();
  target.facts = {};
  target.schemas["public"].tables["events"].columns[0].type = "bigint";
  try {
    retort::diff(current, target);
    FAIL() << "no error";
  } catch (const retort::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("column public.events.id changes type"), std::string::npos) << msg;
    EXPECT_NE(msg.find("view public.ids"), std::string::npos) << msg;
    EXPECT_NE(msg.find("m.view("), std::string::npos) << msg;
    EXPECT_NE(msg.find("execute op"), std::string::npos) << msg;
  }
}

TEST(Diff, ARetypedColumnUnderADeclaredViewRebuildsItAroundTheChange) {
  auto current = events_with_view();
  auto target = current;
  target.facts = {};
  target.schemas["public"].tables["events"].columns[0].type = "bigint";
  auto d = retort::diff(current, target);
  EXPECT_EQ(names(d.upgrade),
            (std::vector<std::string>{"drop_view", "alter_column_type", "create_view"}));
  EXPECT_EQ(names(d.downgrade),
            (std::vector<std::string>{"drop_view", "alter_column_type", "create_view"}));
}

TEST(Diff, PoliciesTheTargetDoesNotDeclareAreNotDropped) {
  auto current = events_with_view();
  auto& t = current.schemas["public"].tables["events"];
  t.row_security = true;
  t.policies = {retort::Policy{"own", true, "SELECT", {"public"}, "(id > 0)", std::nullopt}};
  auto target = current;
  target.schemas["public"].tables["events"].policies.clear();
  EXPECT_TRUE(retort::diff(current, target).empty());
  target.schemas["public"].tables["events"].row_security = false;
  EXPECT_EQ(names(retort::diff(current, target).upgrade),
            std::vector<std::string>{"set_row_security"});
}

namespace {

// public.teams (league text) and a policy on public.events reading teams.league in a subquery,
// as pg_depend records it.
Schema policy_over_other_table() {
  auto s = events_with_view();
  s.schemas["public"].views.clear();
  s.facts = {};
  retort::Table teams;
  teams.name = "teams";
  teams.columns = {col("league", "text")};
  s.schemas["public"].tables.emplace("teams", teams);
  s.schemas["public"].tables["events"].policies = {
      retort::Policy{"in_league",
                     true,
                     "SELECT",
                     {"public"},
                     "(EXISTS (SELECT 1 FROM public.teams t WHERE t.league = 'a'::text))",
                     std::nullopt}};
  s.facts.policy_dependencies = {
      {{"public", "events"}, "in_league", {"public", "teams"}, "league"}};
  return s;
}

}  // namespace

TEST(Diff, APolicyReadingARetypedColumnOfAnotherTableIsRebuiltAroundTheChange) {
  auto current = policy_over_other_table();
  auto target = current;
  target.facts = {};
  target.schemas["public"].tables["teams"].columns[0].type = "character varying(40)";
  auto d = retort::diff(current, target);
  EXPECT_EQ(names(d.upgrade),
            (std::vector<std::string>{"drop_policy", "alter_column_type", "create_policy"}));
  EXPECT_EQ(names(d.downgrade),
            (std::vector<std::string>{"drop_policy", "alter_column_type", "create_policy"}));
  // Another column of that table, or the policy's word in no dependency: left alone.
  target = current;
  target.facts = {};
  target.schemas["public"].tables["events"].columns[0].type = "bigint";
  EXPECT_EQ(names(retort::diff(current, target).upgrade),
            std::vector<std::string>{"alter_column_type"});
}

TEST(Diff, ARetypedColumnUnderAnUndeclaredPolicyIsAnErrorNamingThePolicyAndTheWaysOut) {
  auto current = policy_over_other_table();
  auto target = current;
  target.facts = {};
  target.schemas["public"].tables["events"].policies.clear();
  target.schemas["public"].tables["teams"].columns[0].type = "character varying(40)";
  try {
    retort::diff(current, target);
    FAIL() << "no error";
  } catch (const retort::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("column public.teams.league changes type"), std::string::npos) << msg;
    EXPECT_NE(msg.find("policy in_league on public.events"), std::string::npos) << msg;
    EXPECT_NE(msg.find(".policy("), std::string::npos) << msg;
    EXPECT_NE(msg.find("execute op"), std::string::npos) << msg;
  }
}

namespace {

// Scope: an undeclared object of a new kind is reported, not dropped, unless the target manages
// its schema whole; new ones come in phase order (extension, sequence, then tables).
TEST(Diff, UndeclaredSchemaObjectsAreUnmanagedUnlessTheSchemaIsManagedWhole) {
  Schema db;
  db.schemas["public"].name = "public";
  db.schemas["public"].sequences["stray"] = retort::Sequence{{}, "stray"};
  db.schemas["public"].extensions["hstore"] = retort::Extension{"hstore", "1.8"};
  Schema target;
  auto& ns = target.schemas["public"];
  ns.name = "public";
  ns.extensions["citext"] = retort::Extension{"citext", std::nullopt};
  ns.sequences["n"] = retort::Sequence{{}, "n"};
  retort::Table t;
  t.name = "t";
  t.columns = {col("id", "public.citext")};
  ns.tables["t"] = t;
  auto d = retort::diff(db, target);
  EXPECT_EQ(names(d.upgrade),
            (std::vector<std::string>{"create_extension", "create_sequence", "create_table"}));
  ASSERT_EQ(d.unmanaged.size(), 2u);
  EXPECT_EQ(d.unmanaged[0].kind, "extension");
  EXPECT_EQ(d.unmanaged[1].name.name, "stray");

  ns.manage_all = true;
  d = retort::diff(db, target);
  EXPECT_TRUE(d.unmanaged.empty());
  EXPECT_EQ(names(d.upgrade),
            (std::vector<std::string>{"create_extension", "create_sequence", "create_table",
                                      "drop_sequence", "drop_extension"}));
}

// A function the target does not declare is reported, not dropped, unless the schema is the
// target's whole.
TEST(Diff, UndeclaredFunctionsAreUnmanagedUnlessTheSchemaIsManagedWhole) {
  Schema db, target;
  db.schemas["public"].name = target.schemas["public"].name = "public";
  retort::Function f{"stray", "", "integer",
                     "()\n RETURNS integer\n LANGUAGE sql\nAS $$SELECT 1$$"};
  db.schemas["public"].functions.emplace(f.signature(), f);
  auto d = retort::diff(db, target);
  EXPECT_TRUE(d.upgrade.empty());
  ASSERT_EQ(d.unmanaged.size(), 1u);
  EXPECT_EQ(d.unmanaged[0].kind, "function");
  EXPECT_EQ(d.unmanaged[0].name.name, "stray()");
  target.schemas["public"].manage_all = true;
  d = retort::diff(db, target);
  EXPECT_TRUE(d.unmanaged.empty());
  EXPECT_EQ(names(d.upgrade), std::vector<std::string>{"drop_function"});
}

// Sequence options equal to the type's defaults compare equal to absent ones.
TEST(Diff, SequenceDefaultsSpelledOutAreNoChange) {
  Schema a, b;
  a.schemas["public"].name = b.schemas["public"].name = "public";
  retort::Sequence explicit_defaults{{}, "s"};
  explicit_defaults.start = 1;
  explicit_defaults.increment = 1;
  explicit_defaults.cache = 1;
  explicit_defaults.min_value = 1;
  a.schemas["public"].sequences["s"] = explicit_defaults;
  b.schemas["public"].sequences["s"] = retort::Sequence{{}, "s"};
  EXPECT_TRUE(retort::diff(a, b).empty());
  b.schemas["public"].sequences["s"].increment = 2;
  EXPECT_EQ(names(retort::diff(a, b).upgrade), (std::vector<std::string>{"alter_sequence"}));
}

}  // namespace
TEST(Diff, GrantsToRolesTheTargetDoesNotNameAreNotRevoked) {
  auto current = events_with_view();
  current.schemas["public"].tables["events"].grants = {{"other", {"SELECT"}}};
  auto target = current;
  target.schemas["public"].tables["events"].grants.clear();
  EXPECT_TRUE(retort::diff(current, target).empty());
  target.schemas["public"].tables["events"].grants = {{"other", {"INSERT", "SELECT"}}};
  EXPECT_EQ(names(retort::diff(current, target).upgrade),
            (std::vector<std::string>{"revoke", "grant"}));
}
