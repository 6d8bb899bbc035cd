// Every op: its JSON round trip, its SQL (identifiers quoted, awkward names included), its inverse.
#include "retort/ops.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "retort/error.hpp"
#include "retort/rename.hpp"
#include "retort/retarget.hpp"
#include "retort/revision.hpp"
#include "retort/sql.hpp"

namespace {

using namespace retort;

const QualifiedName kTable{"my schema", "user"};

Column column(std::string name, std::string type) {
  Column c;
  c.name = std::move(name);
  c.type = std::move(type);
  return c;
}

Table table() {
  Table t;
  t.name = "order";
  t.columns = {column("quote\"d", "integer"), column("with space", "text")};
  t.columns[0].nullable = false;
  t.columns[1].comment = "a 'comment'";
  t.primary_key = PrimaryKey{"order_pkey", {"quote\"d"}};
  t.comment = "orders";
  return t;
}

Index index() {
  Index ix;
  ix.name = "idx \"1\"";
  IndexKey k;
  k.column = "with space";
  k.descending = true;
  ix.keys = {k};
  ix.where = "true";
  return ix;
}

ForeignKey foreign_key() {
  return ForeignKey{
      "fk", {"quote\"d"}, {"other", "select"}, {"id"}, FkAction::cascade, FkAction::no_action,
      true, false};
}

Function function(const std::string& body) {
  return Function{"it's", "x integer", "integer",
                  "(x integer DEFAULT 1)\n RETURNS integer\n LANGUAGE sql\nAS $function$" + body +
                      "$function$\n"};
}

Trigger trigger() {
  return Trigger{"touch \"it\"", "BEFORE UPDATE", "FOR EACH ROW EXECUTE FUNCTION public.f()"};
}

Sequence sequence() {
  Sequence s;
  s.name = "seq\"1";
  s.type = "integer";
  s.start = 1000;
  s.cycle = true;
  s.owned_by_table = "order";
  s.owned_by_column = "with space";
  return s;
}

Domain domain() {
  return Domain{"pos it", "integer", "1", true, {{"chk", "VALUE > 0"}, {"chk two", "VALUE < 9"}}};
}

CompositeType composite() {
  return CompositeType{"addr", {{"street", "text"}, {"zip code", "character varying(10)"}}};
}

// One of every op.
std::vector<Op> every_op() {
  return {
      op::CreateSchema{"my schema"},
      op::DropSchema{"my schema"},
      op::CreateEnum{"my schema", Enum{"mood", {"it's", "b"}}},
      op::DropEnum{"my schema", Enum{"mood", {"a"}}},
      op::AddEnumLabel{{"my schema", "mood"}, "c", "b", std::nullopt},
      op::CreateTable{"my schema", table()},
      op::DropTable{"my schema", table()},
      op::AddColumn{kTable, column("with space", "text")},
      op::DropColumn{kTable, column("with space", "text")},
      op::AlterColumnType{kTable, "quote\"d", "bigint", "text", "\"quote\"\"d\"::bigint",
                          std::nullopt},
      op::SetNotNull{kTable, "quote\"d"},
      op::DropNotNull{kTable, "quote\"d"},
      op::SetDefault{kTable, "quote\"d", "42", "7"},
      op::DropDefault{kTable, "quote\"d", "7"},
      op::AddIdentity{
          kTable, "quote\"d",
          Identity{{5, std::nullopt, std::nullopt, std::nullopt, std::nullopt, false}, true}},
      op::DropIdentity{kTable, "quote\"d", Identity{}},
      op::AlterIdentity{kTable, "quote\"d", Identity{{5, 2, std::nullopt, 1000, 10, true}, true},
                        Identity{}},
      op::AddPrimaryKey{kTable, PrimaryKey{"pk", {"quote\"d"}}},
      op::DropPrimaryKey{kTable, PrimaryKey{"pk", {"quote\"d"}}},
      op::AddUnique{kTable, UniqueConstraint{"u", {"a", "b"}, true}},
      op::DropUnique{kTable, UniqueConstraint{"u", {"a", "b"}, false}},
      op::AddCheck{kTable, CheckConstraint{"ck", "a > 0"}},
      op::DropCheck{kTable, CheckConstraint{"ck", "a > 0"}},
      op::AddForeignKey{kTable, foreign_key()},
      op::DropForeignKey{kTable, foreign_key()},
      op::CreateIndex{kTable, index()},
      op::DropIndex{kTable, index()},
      op::SetTableComment{kTable, "new", std::nullopt},
      op::SetTablePersistence{kTable, true},
      op::SetTableOptions{kTable, {"fillfactor=70"}, {"autovacuum_enabled=false"}},
      op::AlterColumnType{kTable, "c", "text", "text", std::nullopt, std::nullopt, "\"C\"",
                          std::nullopt},
      op::AddCheck{kTable, CheckConstraint{"ck", "a > 0", true}},
      op::AddUnique{kTable, UniqueConstraint{"u", {"a"}, false, true, true}},
      op::AddPrimaryKey{kTable, PrimaryKey{"pk", {"a"}, true, false}},
      op::SetColumnComment{kTable, "with space", std::nullopt, "old"},
      op::Execute{"UPDATE t SET a = 1", "UPDATE t SET a = 0"},
      op::CreateFunction{"my schema", function("SELECT 1")},
      op::DropFunction{"my schema", function("SELECT 1")},
      op::ReplaceFunction{"my schema", function("SELECT 2"), function("SELECT 1")},
      op::CreateTrigger{kTable, trigger()},
      op::DropTrigger{kTable, trigger()},
      op::CreatePartition{kTable, Partition{"order 2026", "FOR VALUES IN (2026)"}},
      op::DropPartition{kTable, Partition{"order 2026", "FOR VALUES IN (2026)"}},
      op::AttachPartition{kTable, Partition{"order 2026", "DEFAULT"}},
      op::DetachPartition{kTable, Partition{"order 2026", "DEFAULT"}},
      op::CreateExtension{"my schema", Extension{"citext", "1.6"}},
      op::DropExtension{"my schema", Extension{"citext", std::nullopt}},
      op::CreateSequence{"my schema", sequence()},
      op::DropSequence{"my schema", sequence()},
      op::AlterSequence{"my schema", sequence(), Sequence{{}, "seq\"1"}},
      op::CreateDomain{"my schema", domain()},
      op::DropDomain{"my schema", domain()},
      op::AlterDomain{"my schema", domain(), Domain{"pos it", "integer", std::nullopt, false, {}}},
      op::CreateCompositeType{"my schema", composite()},
      op::DropCompositeType{"my schema", composite()},
      op::AlterCompositeType{"my schema", composite(), CompositeType{"addr", {{"old", "int"}}}},
      op::AddExclusion{kTable, ExclusionConstraint{"ex", "USING gist (during WITH &&)"}},
      op::DropExclusion{kTable, ExclusionConstraint{"ex", "USING gist (during WITH &&)"}},
      op::SetRowSecurity{kTable, true, false, false, false},
      op::CreatePolicy{kTable, Policy{"own \"rows\"", true, "SELECT", {"reader"}, "owner = 1", {}}},
      op::DropPolicy{kTable, Policy{"own \"rows\"", false, "ALL", {"public"}, {}, "true"}},
      op::GrantPrivileges{kTable, Grant{"read er", {"INSERT", "SELECT"}}},
      op::RevokePrivileges{kTable, Grant{"read er", {"SELECT"}}},
      op::CreateView{"my schema", View{"v \"1\"", " SELECT 1", false, {"security_barrier=true"}}},
      op::DropView{"my schema", View{"mv", " SELECT 1", true, {}}},
      op::ReplaceView{"my schema", View{"v", " SELECT 1, 2", false, {}},
                      View{"v", " SELECT 1", false, {}}},
      op::RenameSchema{"my schema", "new"},
      op::RenameTable{kTable, "new\"name"},
      op::RenameColumn{kTable, "quote\"d", "new"},
      op::RenameEnum{{"my schema", "mood"}, "feeling"},
      op::RenameEnumLabel{{"my schema", "mood"}, "it's", "ok"},
      op::RenameIndex{"my schema", "idx", "new idx"},
      op::RenameConstraint{kTable, "pk", "new pk"},
  };
}

template <std::size_t... I>
std::vector<std::string_view> every_op_name(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Op>::kName...};
}

// The tests over every_op() (JSON, inverse, retargeting) see each kind of op.
TEST(Ops, EveryOpListsEachKindOfOp) {
  std::set<std::string> listed;
  for (const auto& op : every_op()) listed.insert(op_name(op));
  for (auto name : every_op_name(std::make_index_sequence<std::variant_size_v<Op>>()))
    EXPECT_TRUE(listed.contains(std::string(name))) << name << " is not in every_op()";
}

TEST(Ops, JsonRoundTrip) {
  for (const auto& op : every_op()) {
    auto j = nlohmann::json::parse(to_json(op).dump());
    EXPECT_EQ(j["op"], op_name(op));
    EXPECT_EQ(op_from_json(JsonCursor(j, "rev.json")), op) << j.dump();
  }
}

TEST(Ops, InverseOfInverseIsTheOp) {
  for (const auto& op : every_op()) {
    auto inv = inverse(op);
    if (std::holds_alternative<op::AddEnumLabel>(op)) {
      EXPECT_FALSE(inv);
      continue;
    }
    ASSERT_TRUE(inv) << op_name(op);
    EXPECT_NE(*inv, op) << op_name(op);
    auto back = inverse(*inv);
    ASSERT_TRUE(back) << op_name(op);
    EXPECT_EQ(*back, op) << op_name(op);
  }
  EXPECT_FALSE(inverse(op::Execute{"SELECT 1", std::nullopt}));
}

TEST(Ops, InversesCarryWhatTheyNeed) {
  auto drop_default =
      std::get<op::DropDefault>(*inverse(op::SetDefault{kTable, "c", "1", std::nullopt}));
  EXPECT_EQ(drop_default.old_default, "1");
  auto back_type = std::get<op::AlterColumnType>(*inverse(
      op::AlterColumnType{kTable, "c", "integer", "text", "\"c\"::integer", std::nullopt}));
  EXPECT_EQ(back_type.type, "text");
  EXPECT_EQ(back_type.old_type, "integer");
  EXPECT_FALSE(back_type.using_expr);
  auto add_back =
      std::get<op::AddColumn>(*inverse(op::DropColumn{kTable, column("c", "numeric(3,1)")}));
  EXPECT_EQ(add_back.column.type, "numeric(3,1)");
}

TEST(Ops, SqlQuotesEveryIdentifier) {
  auto sql = [](const Op& op) {
    std::string out;
    for (const auto& s : to_sql(op)) out += s + ";\n";
    return out;
  };
  EXPECT_EQ(sql(op::DropFunction{"my schema", function("SELECT 1")}),
            "DROP FUNCTION \"my schema\".\"it's\"(x integer);\n");
  EXPECT_EQ(sql(op::ReplaceFunction{"s", function("SELECT 2"), function("SELECT 1")}),
            "CREATE OR REPLACE FUNCTION \"s\".\"it's\"(x integer DEFAULT 1)\n RETURNS integer\n "
            "LANGUAGE sql\nAS $function$SELECT 2$function$\n;\n");
  EXPECT_EQ(sql(op::DropTrigger{{"s", "t"}, trigger()}),
            "DROP TRIGGER \"touch \"\"it\"\"\" ON \"s\".\"t\";\n");
  EXPECT_EQ(sql(op::AttachPartition{{"s", "t"}, Partition{"t 1", "DEFAULT"}}),
            "ALTER TABLE \"s\".\"t\" ATTACH PARTITION \"s\".\"t 1\" DEFAULT;\n");
  EXPECT_EQ(sql(op::CreateSchema{"my schema"}), "CREATE SCHEMA \"my schema\";\n");
  EXPECT_EQ(sql(op::CreateEnum{"my schema", Enum{"mood", {"it's", "b"}}}),
            "CREATE TYPE \"my schema\".\"mood\" AS ENUM ('it''s', 'b');\n");
  EXPECT_EQ(sql(op::AddEnumLabel{{"s", "mood"}, "c", "b", std::nullopt}),
            "ALTER TYPE \"s\".\"mood\" ADD VALUE 'c' BEFORE 'b';\n");
  EXPECT_EQ(sql(op::CreateTable{"my schema", table()}),
            "CREATE TABLE \"my schema\".\"order\" (\n  \"quote\"\"d\" integer NOT NULL,\n  \"with "
            "space\" text,\n  CONSTRAINT \"order_pkey\" PRIMARY KEY (\"quote\"\"d\")\n);\n"
            "COMMENT ON TABLE \"my schema\".\"order\" IS 'orders';\n"
            "COMMENT ON COLUMN \"my schema\".\"order\".\"with space\" IS 'a ''comment''';\n");
  EXPECT_EQ(sql(op::AlterColumnType{kTable, "quote\"d", "bigint", "text", "\"quote\"\"d\"::bigint",
                                    std::nullopt}),
            "ALTER TABLE \"my schema\".\"user\" ALTER COLUMN \"quote\"\"d\" TYPE bigint USING "
            "\"quote\"\"d\"::bigint;\n");
  EXPECT_EQ(sql(op::SetDefault{kTable, "quote\"d", "42", std::nullopt}),
            "ALTER TABLE \"my schema\".\"user\" ALTER COLUMN \"quote\"\"d\" SET DEFAULT 42;\n");
  EXPECT_EQ(
      sql(op::AddIdentity{kTable, "c",
                          Identity{{5, 2, std::nullopt, std::nullopt, std::nullopt, true}, true}}),
      "ALTER TABLE \"my schema\".\"user\" ALTER COLUMN \"c\" ADD GENERATED ALWAYS AS "
      "IDENTITY (START WITH 5 INCREMENT BY 2 CYCLE);\n");
  EXPECT_EQ(sql(op::AlterIdentity{
                kTable, "c", Identity{},
                Identity{{5, 2, std::nullopt, std::nullopt, std::nullopt, true}, true}}),
            "ALTER TABLE \"my schema\".\"user\" ALTER COLUMN \"c\" SET GENERATED BY DEFAULT SET "
            "INCREMENT BY 1 SET NO MINVALUE SET NO MAXVALUE SET START WITH 1 SET CACHE 1 SET NO "
            "CYCLE;\n");
  EXPECT_EQ(sql(op::AddForeignKey{kTable, foreign_key()}),
            "ALTER TABLE \"my schema\".\"user\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"quote\"\"d\") "
            "REFERENCES \"other\".\"select\" (\"id\") ON DELETE CASCADE DEFERRABLE;\n");
  EXPECT_EQ(sql(op::DropForeignKey{kTable, foreign_key()}),
            "ALTER TABLE \"my schema\".\"user\" DROP CONSTRAINT \"fk\";\n");
  EXPECT_EQ(sql(op::CreateIndex{kTable, index()}),
            "CREATE INDEX \"idx \"\"1\"\"\" ON \"my schema\".\"user\" (\"with space\" DESC) WHERE "
            "true;\n");
  EXPECT_EQ(sql(op::DropIndex{kTable, index()}), "DROP INDEX \"my schema\".\"idx \"\"1\"\"\";\n");
  EXPECT_EQ(sql(op::SetColumnComment{kTable, "with space", std::nullopt, "old"}),
            "COMMENT ON COLUMN \"my schema\".\"user\".\"with space\" IS NULL;\n");
  EXPECT_EQ(sql(op::AddUnique{kTable, UniqueConstraint{"u", {"a", "b"}, true}}),
            "ALTER TABLE \"my schema\".\"user\" ADD CONSTRAINT \"u\" UNIQUE NULLS NOT DISTINCT "
            "(\"a\", \"b\");\n");
  EXPECT_EQ(sql(op::Execute{"UPDATE t SET a = 1", std::nullopt}), "UPDATE t SET a = 1;\n");
  EXPECT_EQ(sql(op::CreateExtension{"my schema", Extension{"citext", "1.6"}}),
            "CREATE EXTENSION IF NOT EXISTS \"citext\" SCHEMA \"my schema\" VERSION '1.6';\n");
  EXPECT_EQ(sql(op::CreateSequence{"my schema", sequence()}),
            "CREATE SEQUENCE \"my schema\".\"seq\"\"1\" AS integer START WITH 1000 CYCLE;\n");
  EXPECT_EQ(sql(op::AlterSequence{"my schema", sequence(), Sequence{{}, "seq\"1"}}),
            "ALTER SEQUENCE \"my schema\".\"seq\"\"1\" AS integer INCREMENT BY 1 NO MINVALUE NO "
            "MAXVALUE START WITH 1000 CACHE 1 CYCLE OWNED BY \"order\".\"with space\";\n");
  EXPECT_EQ(sql(op::CreateDomain{"my schema", domain()}),
            "CREATE DOMAIN \"my schema\".\"pos it\" AS integer DEFAULT 1 NOT NULL CONSTRAINT "
            "\"chk\" CHECK (VALUE > 0) CONSTRAINT \"chk two\" CHECK (VALUE < 9);\n");
  EXPECT_EQ(
      sql(op::AlterDomain{"my schema", domain(),
                          Domain{"pos it", "integer", std::nullopt, false, {{"chk", "x"}}}}),
      "ALTER DOMAIN \"my schema\".\"pos it\" SET DEFAULT 1;\n"
      "ALTER DOMAIN \"my schema\".\"pos it\" SET NOT NULL;\n"
      "ALTER DOMAIN \"my schema\".\"pos it\" DROP CONSTRAINT \"chk\";\n"
      "ALTER DOMAIN \"my schema\".\"pos it\" ADD CONSTRAINT \"chk\" CHECK (VALUE > 0);\n"
      "ALTER DOMAIN \"my schema\".\"pos it\" ADD CONSTRAINT \"chk two\" CHECK (VALUE < 9);\n");
  EXPECT_EQ(
      sql(op::AlterCompositeType{"my schema", composite(),
                                 CompositeType{"addr", {{"street", "integer"}, {"old", "int"}}}}),
      "ALTER TYPE \"my schema\".\"addr\" DROP ATTRIBUTE \"old\", ALTER ATTRIBUTE "
      "\"street\" TYPE text, ADD ATTRIBUTE \"zip code\" character varying(10);\n");
  EXPECT_EQ(sql(op::RenameSchema{"my schema", "new"}),
            "ALTER SCHEMA \"my schema\" RENAME TO \"new\";\n");
  EXPECT_EQ(sql(op::RenameTable{kTable, "new\"name"}),
            "ALTER TABLE \"my schema\".\"user\" RENAME TO \"new\"\"name\";\n");
  EXPECT_EQ(sql(op::RenameColumn{kTable, "quote\"d", "new"}),
            "ALTER TABLE \"my schema\".\"user\" RENAME COLUMN \"quote\"\"d\" TO \"new\";\n");
  EXPECT_EQ(sql(op::RenameEnum{{"my schema", "mood"}, "feeling"}),
            "ALTER TYPE \"my schema\".\"mood\" RENAME TO \"feeling\";\n");
  EXPECT_EQ(sql(op::RenameEnumLabel{{"s", "mood"}, "it's", "ok"}),
            "ALTER TYPE \"s\".\"mood\" RENAME VALUE 'it''s' TO 'ok';\n");
  EXPECT_EQ(sql(op::RenameIndex{"my schema", "idx", "new idx"}),
            "ALTER INDEX \"my schema\".\"idx\" RENAME TO \"new idx\";\n");
  EXPECT_EQ(sql(op::RenameConstraint{kTable, "pk", "new pk"}),
            "ALTER TABLE \"my schema\".\"user\" RENAME CONSTRAINT \"pk\" TO \"new pk\";\n");
}

// The rename ops' revision form (keys and their order), description and inverse, to the byte.
TEST(Ops, RenamesKeepTheirRevisionFormAndDescription) {
  struct Expected {
    Op op;
    const char* json;
    const char* description;
    const char* inverse_json;
  };
  const Expected expected[] = {
      {op::RenameSchema{"my schema", "new"},
       R"({"op":"rename_schema","schema":"my schema","to":"new"})",
       "rename schema my schema to new",
       R"({"op":"rename_schema","schema":"new","to":"my schema"})"},
      {op::RenameTable{kTable, "new\"name"},
       R"({"op":"rename_table","schema":"my schema","table":"user","to":"new\"name"})",
       "rename table my schema.user to new\"name",
       R"({"op":"rename_table","schema":"my schema","table":"new\"name","to":"user"})"},
      {op::RenameColumn{kTable, "quote\"d", "new"},
       R"({"op":"rename_column","schema":"my schema","table":"user","from":"quote\"d","to":"new"})",
       "rename column my schema.user.quote\"d to new",
       R"({"op":"rename_column","schema":"my schema","table":"user","from":"new","to":"quote\"d"})"},
      {op::RenameEnum{{"my schema", "mood"}, "feeling"},
       R"({"op":"rename_enum","schema":"my schema","enum":"mood","to":"feeling"})",
       "rename enum my schema.mood to feeling",
       R"({"op":"rename_enum","schema":"my schema","enum":"feeling","to":"mood"})"},
      {op::RenameEnumLabel{{"my schema", "mood"}, "it's", "ok"},
       R"({"op":"rename_enum_label","schema":"my schema","enum":"mood","from":"it's","to":"ok"})",
       "rename label it's of enum my schema.mood to ok",
       R"({"op":"rename_enum_label","schema":"my schema","enum":"mood","from":"ok","to":"it's"})"},
      {op::RenameIndex{"my schema", "idx", "new idx"},
       R"({"op":"rename_index","schema":"my schema","from":"idx","to":"new idx"})",
       "rename index my schema.idx to new idx",
       R"({"op":"rename_index","schema":"my schema","from":"new idx","to":"idx"})"},
      {op::RenameConstraint{kTable, "pk", "new pk"},
       R"({"op":"rename_constraint","schema":"my schema","table":"user","from":"pk","to":"new pk"})",
       "rename constraint pk on my schema.user to new pk",
       R"({"op":"rename_constraint","schema":"my schema","table":"user","from":"new pk","to":"pk"})"},
  };
  for (const auto& e : expected) {
    EXPECT_EQ(to_json(e.op).dump(), e.json);
    EXPECT_EQ(describe(e.op), e.description);
    ASSERT_TRUE(inverse(e.op)) << e.json;
    EXPECT_EQ(to_json(*inverse(e.op)).dump(), e.inverse_json);
  }
}

// Retargeting (a tenant's copy of a revision) walks each op's fields: whatever an op calls them,
// every field naming the template schema moves, and nothing of another schema does.
TEST(Retarget, EveryOpMovesWholeToTheTenantSchema) {
  for (const auto& op : every_op()) {
    auto moved = retarget(op, "my schema", "tenant 1");
    auto j = to_json(moved).dump();
    EXPECT_EQ(j.find("my schema"), std::string::npos) << j;
    if (!std::holds_alternative<op::Execute>(op)) {
      EXPECT_NE(j.find("tenant 1"), std::string::npos) << j;
    }
    EXPECT_EQ(retarget(op, "elsewhere", "tenant 1"), op) << j;
  }
}

// Every op but hand-written SQL names the schema it changes: a revision changing another schema
// than the template's is refused.
TEST(Retarget, EveryOpSaysWhichSchemaItChanges) {
  for (const auto& op : every_op()) {
    Revision r;
    r.id = "abc";
    r.file = "versions/abc_x.json";
    r.upgrade = {op};
    EXPECT_NO_THROW(retarget(r, "my schema", "t1")) << op_name(op);
    if (!std::holds_alternative<op::Execute>(op)) {
      EXPECT_THROW(retarget(r, "elsewhere", "t1"), Error) << op_name(op);
    }
  }
}

// Types, expressions, bodies and definitions that name the template schema name the tenant's.
TEST(Retarget, EverySqlTextNamingTheSchemaMoves) {
  const std::string type = "\"my schema\".kind";
  const std::string value = "'a'::\"my schema\".kind";
  Column c = column("k", type);
  c.default_expr = value;
  c.generated = "\"my schema\".f(a)";
  Index ix = index();
  ix.keys[0].column.reset();
  ix.keys[0].expression = "\"my schema\".f(a)";
  ix.where = "k <> " + value;
  Table t = table();
  t.columns.push_back(c);
  t.checks = {CheckConstraint{"ck", "k <> " + value}};
  t.indexes = {ix};
  t.partition_by = "RANGE (\"my schema\".f(a))";
  const Function f{"f", "x " + type, type, "(x " + type + ")\n AS $$SELECT " + value + "$$"};
  const View v{"v", " SELECT " + value, false, {}};
  const Domain d{"d", type, value, false, {{"chk", "VALUE <> " + value}}};
  const Policy p{"p", true, "ALL", {"public"}, "k <> " + value, "k <> " + value};
  const std::vector<Op> ops = {
      op::CreateTable{"my schema", t},
      op::AddColumn{kTable, c},
      op::AlterColumnType{kTable, "k", type, type + "[]", "k::" + type, "k[1]::" + type},
      op::SetDefault{kTable, "k", value, value},
      op::DropDefault{kTable, "k", value},
      op::AddCheck{kTable, t.checks[0]},
      op::AddExclusion{kTable,
                       ExclusionConstraint{"ex", "USING gist (\"my schema\".f(a) WITH &&)"}},
      op::CreateIndex{kTable, ix},
      op::CreatePolicy{kTable, p},
      op::CreateTrigger{kTable, Trigger{"tg", "BEFORE UPDATE",
                                        "FOR EACH ROW EXECUTE FUNCTION \"my schema\".touch()"}},
      op::ReplaceFunction{"my schema", f, f},
      op::ReplaceView{"my schema", v, v},
      op::AlterDomain{"my schema", d, d},
      op::AlterCompositeType{"my schema", CompositeType{"ct", {{"k", type}}},
                             CompositeType{"ct", {{"k", type + "[]"}}}},
  };
  for (const auto& op : ops) {
    auto j = to_json(retarget(op, "my schema", "tenant 1")).dump();
    EXPECT_EQ(j.find("my schema"), std::string::npos) << j;
  }
}

TEST(Ops, RenameRequestsFromTheCommandLine) {
  auto column = retort::RenameRequest::parse("public.members.name=full_name");
  EXPECT_EQ(column.path, (std::vector<std::string>{"public", "members", "name"}));
  EXPECT_EQ(column.to, "full_name");
  EXPECT_EQ(retort::RenameRequest::parse("public.members=people").path.size(), 2u);
  EXPECT_EQ(retort::RenameRequest::parse("extra=Weird Schema").to, "Weird Schema");
  for (const char* bad : {"public.members", "public.members=", "a.b=c.d", "a..b=c", "a.b.c.d=e"})
    EXPECT_THROW(retort::RenameRequest::parse(bad), retort::Error) << bad;
}

TEST(Ops, SqlOfKeptSettings) {
  auto sql = [](const Op& op) {
    std::string out;
    for (const auto& s : to_sql(op)) out += s + ";\n";
    return out;
  };
  EXPECT_EQ(sql(op::AddCheck{kTable, CheckConstraint{"ck", "a > 0", true}}),
            "ALTER TABLE \"my schema\".\"user\" ADD CONSTRAINT \"ck\" CHECK (a > 0) NO INHERIT;\n");
  EXPECT_EQ(sql(op::AddUnique{kTable, UniqueConstraint{"u", {"a"}, false, true, true}}),
            "ALTER TABLE \"my schema\".\"user\" ADD CONSTRAINT \"u\" UNIQUE (\"a\") DEFERRABLE "
            "INITIALLY DEFERRED;\n");
  EXPECT_EQ(sql(op::AddPrimaryKey{kTable, PrimaryKey{"pk", {"a"}, true, false}}),
            "ALTER TABLE \"my schema\".\"user\" ADD CONSTRAINT \"pk\" PRIMARY KEY (\"a\") "
            "DEFERRABLE;\n");
  EXPECT_EQ(sql(op::SetTablePersistence{kTable, true}),
            "ALTER TABLE \"my schema\".\"user\" SET UNLOGGED;\n");
  EXPECT_EQ(sql(op::SetTablePersistence{kTable, false}),
            "ALTER TABLE \"my schema\".\"user\" SET LOGGED;\n");
  EXPECT_EQ(sql(op::SetTableOptions{kTable,
                                    {"fillfactor=70", "toast_tuple_target=256"},
                                    {"fillfactor=80", "autovacuum_enabled=false"}}),
            "ALTER TABLE \"my schema\".\"user\" RESET (autovacuum_enabled);\n"
            "ALTER TABLE \"my schema\".\"user\" SET (fillfactor=70, toast_tuple_target=256);\n");
  // Back to the type's own collation.
  EXPECT_EQ(
      sql(op::AlterColumnType{kTable, "c", "text", "text", std::nullopt, std::nullopt, std::nullopt,
                              "\"C\""}),
      "ALTER TABLE \"my schema\".\"user\" ALTER COLUMN \"c\" TYPE text COLLATE \"default\";\n");
  Index ix;
  ix.name = "ix";
  ix.unique = true;
  ix.method = "gist";
  IndexKey k;
  k.column = "d";
  k.collation = "\"C\"";
  k.opclass = "tsvector_ops";
  k.opclass_options = {"siglen=32"};
  ix.keys = {k};
  ix.nulls_not_distinct = true;
  ix.options = {"fillfactor=70"};
  EXPECT_EQ(sql(op::CreateIndex{kTable, ix}),
            "CREATE UNIQUE INDEX \"ix\" ON \"my schema\".\"user\" USING gist (\"d\" COLLATE \"C\" "
            "tsvector_ops(siglen=32)) NULLS NOT DISTINCT WITH (fillfactor=70);\n");
  // A raised MINVALUE first moves a sequence position below it up to it.
  Identity raised;
  raised.min_value = 100;
  auto alter = sql(op::AlterIdentity{kTable, "c", raised, Identity{}});
  EXPECT_TRUE(
      alter.starts_with("SELECT setval(q.s, 100, false) FROM (SELECT "
                        "pg_get_serial_sequence('\"my schema\".\"user\"', 'c')"))
      << alter;
  EXPECT_EQ(sql(op::AlterIdentity{kTable, "c", Identity{}, raised}).find("setval"),
            std::string::npos);
}

std::string parse_error(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    op_from_json(JsonCursor(j, "rev.json", "/upgrade/0"));
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

// A script's ';' must not land in a trailing "--" comment of hand-written SQL.
TEST(Ops, TerminatedKeepsTheSemicolonOutOfAComment) {
  EXPECT_EQ(retort::terminated("SELECT 1"), "SELECT 1;\n");
  EXPECT_EQ(retort::terminated("SELECT 1 -- one"), "SELECT 1 -- one\n;\n");
  EXPECT_EQ(retort::terminated("SELECT 1 -- one\n, 2"), "SELECT 1 -- one\n, 2;\n");
}

TEST(Ops, MalformedOpsNameThePath) {
  EXPECT_NE(
      parse_error(R"({"op": "nope"})").find("rev.json: at /upgrade/0/op: expected a known op"),
      std::string::npos);
  EXPECT_EQ(parse_error(R"({"op": "set_not_null", "schema": "s", "table": "t"})"),
            "rev.json: at /upgrade/0: missing required key \"column\"");
  EXPECT_EQ(parse_error(R"({"op": "set_not_null", "schema": "s", "table": "t", "column": "c",
                          "extra": 1})"),
            "rev.json: at /upgrade/0: unexpected key \"extra\" (expected one of \"op\", "
            "\"schema\", \"table\", \"column\", \"online\", \"hazards\")");
  EXPECT_EQ(parse_error(R"({"op": "execute", "sql": 5})"),
            "rev.json: at /upgrade/0/sql: expected a string, found a number");
  EXPECT_EQ(parse_error(R"({"op": "add_enum_label", "schema": "s", "enum": "e", "label": "x",
                          "before": "a", "after": "b"})"),
            "rev.json: at /upgrade/0: expected at most one of \"before\" and \"after\", found an "
            "object");
}

}  // namespace
