// The model layer: what a model set produces, and each contradiction it rejects.
#include "retort/model.hpp"

#include <gtest/gtest.h>

#include "retort/sql.hpp"

namespace {

struct Parent {
  std::int64_t id;
  std::string name;
  std::optional<std::string> nick;
};

struct Child {
  std::int64_t id;
  std::int64_t parent_id;
  std::optional<std::int64_t> maybe_id;
};

std::string error_of(const retort::ModelSet& m) {
  try {
    m.schema();
  } catch (const retort::ModelError& e) {
    return e.what();
  }
  return "";
}

TEST(Model, DefaultNamesFollowPostgres) {
  retort::ModelSet m;
  m.table<Parent>("parent")
      .column(&Parent::id, "id", retort::primary_key, retort::identity())
      .column(&Parent::name, "name", retort::unique, retort::check("length(name) > 0"));
  m.table<Child>("child")
      .column(&Child::id, "id", retort::primary_key)
      .column(&Child::parent_id, "parent_id", retort::references("parent", {"id"}));
  auto s = m.schema();
  const auto& p = s.schemas.at("public").tables.at("parent");
  EXPECT_EQ(p.primary_key->name, "parent_pkey");
  EXPECT_EQ(p.uniques.at(0).name, "parent_name_key");
  EXPECT_EQ(p.checks.at(0).name, "parent_name_check");
  const auto& c = s.schemas.at("public").tables.at("child");
  EXPECT_EQ(c.foreign_keys.at(0).name, "child_parent_id_fkey");
  EXPECT_EQ(c.foreign_keys.at(0).ref_table, (retort::QualifiedName{"public", "parent"}));
}

// Functions are known by schema, name and arguments; triggers and partitions live with their
// table, and CREATE TABLE says PARTITION BY.
TEST(Model, FunctionsTriggersAndPartitions) {
  retort::ModelSet m;
  m.function("touch()", "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
  m.function("audit.twice(x int)", "RETURNS int LANGUAGE sql AS 'SELECT x * 2'");
  m.table<Parent>("parent")
      .column(&Parent::id, "id")
      .trigger("parent_touch", "BEFORE UPDATE", "FOR EACH ROW EXECUTE FUNCTION public.touch()")
      .partition_by("HASH (id)")
      .partition("parent_1", "FOR VALUES WITH (MODULUS 2, REMAINDER 1)")
      .partition("parent_0", "FOR VALUES WITH (MODULUS 2, REMAINDER 0)");
  auto s = m.schema();
  const auto& f = s.schemas.at("public").functions.at("touch()");
  EXPECT_EQ(f.definition, "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
  EXPECT_EQ(s.schemas.at("audit").functions.at("twice(x int)").name, "twice");
  const auto& p = s.schemas.at("public").tables.at("parent");
  ASSERT_EQ(p.triggers.size(), 1u);
  EXPECT_EQ(p.triggers[0].timing, "BEFORE UPDATE");
  ASSERT_EQ(p.partitions.size(), 2u);
  EXPECT_EQ(p.partitions[0].name, "parent_0");  // sorted by name
  auto script = retort::create_script(s);
  EXPECT_NE(script.find(") PARTITION BY HASH (id);"), std::string::npos) << script;
  EXPECT_NE(script.find("CREATE TABLE \"public\".\"parent_0\" PARTITION OF \"public\".\"parent\""),
            std::string::npos)
      << script;
  EXPECT_LT(script.find("CREATE FUNCTION \"public\".\"touch\"()"), script.find("CREATE TABLE"));
  EXPECT_GT(script.find("CREATE TRIGGER \"parent_touch\" BEFORE UPDATE ON \"public\".\"parent\""),
            script.find("CREATE TABLE"));

  retort::ModelSet bad;
  EXPECT_THROW(bad.function("no_parentheses", "RETURNS int LANGUAGE sql AS 'SELECT 1'"),
               retort::Error);
  retort::ModelSet twice;
  twice.function("f()", "RETURNS int LANGUAGE sql AS 'SELECT 1'");
  twice.function("public.f()", "RETURNS int LANGUAGE sql AS 'SELECT 2'");
  EXPECT_NE(error_of(twice).find("function public.f(): registered twice"), std::string::npos)
      << error_of(twice);
}

// Items of kinds without a builder of their own go in as the schema spells them, and their names
// share the table's one namespace with the other constraints and indexes.
TEST(Model, ConstraintTakesAnyTableItem) {
  retort::ModelSet m;
  m.table<Parent>("parent")
      .column(&Parent::id, "id", retort::primary_key)
      .column(&Parent::name, "name")
      .constraint(retort::ExclusionConstraint{"parent_name_excl", "USING gist (name WITH =)"});
  auto s = m.schema();
  const auto& p = s.schemas.at("public").tables.at("parent");
  ASSERT_EQ(p.exclusions.size(), 1u);
  EXPECT_EQ(p.exclusions[0].definition, "USING gist (name WITH =)");

  retort::ModelSet clash;
  clash.table<Parent>("parent")
      .column(&Parent::id, "id", retort::primary_key)
      .constraint(retort::ExclusionConstraint{"parent_pkey", "USING gist (id WITH =)"});
  EXPECT_NE(error_of(clash).find("two constraints or indexes are named \"parent_pkey\""),
            std::string::npos)
      << error_of(clash);
}

TEST(Model, CompositeKeyAndSchema) {
  retort::ModelSet m;
  m.in_schema("club");
  m.table<Child>("pairs")
      .column(&Child::id, "id")
      .column(&Child::parent_id, "parent_id")
      .primary_key({"id", "parent_id"});
  auto s = m.schema();
  const auto& t = s.schemas.at("club").tables.at("pairs");
  EXPECT_EQ(t.primary_key->columns, (std::vector<std::string>{"id", "parent_id"}));
}

TEST(Model, RejectsDuplicateColumn) {
  retort::ModelSet m;
  m.table<Parent>("parent").column(&Parent::id, "id").column(&Parent::name, "id");
  EXPECT_EQ(
      error_of(m),
      "invalid model: table \"parent\" (struct (anonymous namespace)::Parent), column \"id\": "
      "two columns have this name");
}

TEST(Model, RejectsUnknownForeignKeyTable) {
  retort::ModelSet m;
  m.table<Child>("child").column(&Child::parent_id, "parent_id",
                                 retort::references("nowhere", {"id"}));
  EXPECT_NE(error_of(m).find("table \"child\" (struct (anonymous namespace)::Child), foreign key "
                             "\"child_parent_id_fkey\": references table \"public.nowhere\", which "
                             "no model defines"),
            std::string::npos)
      << error_of(m);
}

TEST(Model, RejectsUnknownForeignKeyColumn) {
  retort::ModelSet m;
  m.table<Parent>("parent").column(&Parent::id, "id", retort::primary_key);
  m.table<Child>("child").column(&Child::parent_id, "parent_id",
                                 retort::references("parent", {"uid"}));
  EXPECT_NE(error_of(m).find("references column \"uid\" of \"parent\", which it does not have"),
            std::string::npos)
      << error_of(m);
}

TEST(Model, RejectsOptionalPrimaryKeyMember) {
  retort::ModelSet m;
  m.table<Child>("child").column(&Child::maybe_id, "maybe_id", retort::primary_key);
  EXPECT_EQ(error_of(m),
            "invalid model: table \"child\" (struct (anonymous namespace)::Child), column "
            "\"maybe_id\": a primary-key column cannot be nullable (its member is std::optional)");
}

TEST(Model, RejectsIndexOnMissingColumn) {
  retort::ModelSet m;
  m.table<Parent>("parent").column(&Parent::id, "id").index(retort::index("parent_x_idx").on("x"));
  EXPECT_EQ(error_of(m),
            "invalid model: table \"parent\" (struct (anonymous namespace)::Parent), column \"x\": "
            "index \"parent_x_idx\" names a column the table does not have");
}

TEST(Model, RejectsUnregisteredEnum) {
  enum class Mood { happy };
  struct WithEnum {
    Mood mood;
  };
  retort::ModelSet m;
  m.table<WithEnum>("feelings").column(&WithEnum::mood, "mood");
  EXPECT_NE(error_of(m).find("column \"mood\": its enum type"), std::string::npos) << error_of(m);
}

TEST(Model, ListsEveryError) {
  retort::ModelSet m;
  m.table<Parent>("parent")
      .column(&Parent::id, "id")
      .column(&Parent::name, "id")
      .index(retort::index("parent_x_idx").on("x"));
  auto msg = error_of(m);
  EXPECT_EQ(msg.rfind("invalid models:", 0), 0u) << msg;
  EXPECT_NE(msg.find("two columns have this name"), std::string::npos);
  EXPECT_NE(msg.find("parent_x_idx"), std::string::npos);
}

TEST(Model, RejectsTooLongName) {
  retort::ModelSet m;
  m.table<Parent>("parent")
      .column(&Parent::id, "id", retort::unique)
      .column(&Parent::name, std::string(64, 'n'));
  EXPECT_NE(error_of(m).find("longer than 63 bytes"), std::string::npos);
}

}  // namespace

namespace {

TEST(Model, ViewsInTheCurrentOrANamedSchema) {
  retort::ModelSet m;
  m.table<Parent>("parent").column(&Parent::id, "id");
  m.view("parent_ids", "SELECT id FROM parent;\n", {"security_barrier=true"});
  m.in_schema("audit").materialized_view("public.parent_count", "SELECT count(*) FROM parent");
  auto s = m.schema();
  const auto& views = s.schemas.at("public").views;
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views.at("parent_ids").definition, "SELECT id FROM parent");
  EXPECT_FALSE(views.at("parent_ids").materialized);
  EXPECT_EQ(views.at("parent_ids").options, std::vector<std::string>{"security_barrier=true"});
  EXPECT_TRUE(views.at("parent_count").materialized);
}

TEST(Model, RejectsAViewNamedLikeATableOrTwice) {
  retort::ModelSet m;
  m.table<Parent>("parent").column(&Parent::id, "id");
  m.view("parent", "SELECT 1");
  m.view("v", "SELECT 1").view("public.v", "SELECT 2");
  EXPECT_EQ(error_of(m),
            "invalid models:\n  view \"public.parent\": a table of that name is registered too\n"
            "  view \"public.v\": the view is registered twice");
}

}  // namespace

namespace {

TEST(Model, GrantsAreSortedUpperCaseAndAllExpands) {
  retort::ModelSet m;
  m.table<Parent>("parent")
      .column(&Parent::id, "id")
      .grant("reader", {"select", "Insert", "SELECT"})
      .grant("admin", {"all"});
  auto t = m.schema().schemas.at("public").tables.at("parent");
  ASSERT_EQ(t.grants.size(), 2u);
  EXPECT_EQ(t.grants[0].name, "admin");
  EXPECT_EQ(t.grants[0].privileges.size(), 7u);
  EXPECT_EQ(t.grants[1].privileges, (std::vector<std::string>{"INSERT", "SELECT"}));
}

TEST(Model, RejectsAnUnknownPrivilegeNamingTheTable) {
  retort::ModelSet m;
  try {
    m.table<Parent>("parent").column(&Parent::id, "id").grant("reader", {"READ"});
    FAIL() << "no error";
  } catch (const retort::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("table \"parent\": unknown table privilege \"READ\""),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
