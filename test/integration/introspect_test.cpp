// The introspector: every object kind and awkward name survives SQL -> database -> inspect ->
// CREATE script -> fresh database -> inspect; a fixed number of queries; clean errors.
#include "retort/introspect.hpp"

#include <gtest/gtest.h>

#include "pg_server.hpp"
#include "retort/cli/models.hpp"
#include "retort/compare.hpp"
#include "retort/connection.hpp"
#include "retort/model.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

retort::Schema read(const std::string& url, const std::vector<std::string>& schemas,
                    std::size_t* queries = nullptr) {
  auto c = retort::connect(url);
  pqxx::read_transaction tx(*c);
  return retort::introspect(tx, schemas, {.query_count = queries});
}

// SQL -> db1 -> introspect -> create_script -> db2 -> introspect: both equal; returns db1's.
retort::Schema round_trip(const std::string& sql, const std::vector<std::string>& schemas) {
  auto db1 = fresh_database("rt");
  auto db2 = fresh_database("rt");
  exec_sql(db1, sql);
  auto first = read(db1, schemas);
  for (const auto& s : schemas)
    if (s != "public") exec_sql(db2, retort::create_schema_sql(s));
  exec_sql(db2, retort::create_script(first));
  auto second = read(db2, schemas);
  EXPECT_EQ(retort::dump(retort::to_json(first)), retort::dump(retort::to_json(second)));
  EXPECT_EQ(first, second);
  return first;
}

// Extensions, free-standing sequences, domains and composite types survive the round trip;
// extension members (citext's type and functions) and serial/identity sequences are not read
// as objects of their own.
TEST(Introspect, SchemaLevelObjects) {
  auto s = round_trip(R"(
    CREATE EXTENSION citext;
    CREATE SEQUENCE member_number AS integer START 1000 INCREMENT 2 CACHE 10 CYCLE;
    CREATE SEQUENCE plain_seq;
    CREATE DOMAIN positive AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
    CREATE DOMAIN email AS citext CONSTRAINT email_at CHECK (VALUE LIKE '%@%');
    CREATE TYPE address AS (street text, zip varchar(10));
    CREATE TABLE members (id serial PRIMARY KEY, n int DEFAULT nextval('member_number'),
      e email, q positive, home address, k bigint GENERATED ALWAYS AS IDENTITY);
    CREATE SEQUENCE owned_seq OWNED BY members.q;)",
                      {"public"});
  const auto& ns = s.schemas.at("public");
  ASSERT_EQ(ns.extensions.size(), 1u);
  EXPECT_EQ(ns.extensions.begin()->first, "citext");
  EXPECT_TRUE(ns.domains.contains("positive"));
  EXPECT_FALSE(ns.domains.contains("citext"));  // the extension's type, not a model object
  EXPECT_EQ(ns.domains.at("email").type, "public.citext");
  EXPECT_EQ(ns.domains.at("positive").checks.at(0).expression, "VALUE > 0");
  EXPECT_EQ(ns.composites.at("address").attributes.at(1).type, "character varying(10)");
  std::vector<std::string> sequences;
  for (const auto& [name, _] : ns.sequences) sequences.push_back(name);
  EXPECT_EQ(sequences, (std::vector<std::string>{"member_number", "owned_seq", "plain_seq"}));
  EXPECT_EQ(ns.sequences.at("member_number").start, 1000);
  EXPECT_EQ(ns.sequences.at("owned_seq").owned_by_column, "q");
  EXPECT_FALSE(ns.sequences.at("plain_seq").start.has_value());  // defaults left out
}

struct Member {
  std::int64_t id;
  std::string email;
  std::int32_t number;
  std::int32_t qty;
  std::string home;
};

retort::ModelSet object_models() {
  retort::ModelSet m;
  m.extension("citext");
  m.sequence("public.member_number").as("int4").start(1000);
  m.domain("positive", "int4").server_default("1").check("positive_check", "VALUE > 0");
  m.composite("address").attribute("street", "text").attribute("zip", "varchar(10)");
  m.table<Member>("members")
      .column(&Member::id, "id", retort::primary_key)
      .column(&Member::email, "email", retort::type("public.citext"))
      .column(&Member::number, "number", retort::server_default("nextval('public.member_number')"))
      .column(&Member::qty, "qty", retort::type("public.positive"))
      .column(&Member::home, "home", retort::type("public.address"));
  return m;
}

// Models spelled as a person would (types and sequences outside pg_catalog schema-qualified, as
// everywhere in models: comparisons run with an empty search_path) compare equal to the database
// they created (canonical forms through the server); an undeclared sequence is reported as
// unmanaged, and dropped only when the models manage the schema whole.
TEST(Introspect, ModelObjectsCompareWithoutFalsePositivesAndScope) {
  auto db = fresh_database("objects");
  auto m = object_models();
  auto script = retort::create_script(m.schema());
  EXPECT_LT(script.find("CREATE EXTENSION"), script.find("CREATE TABLE")) << script;
  EXPECT_LT(script.find("CREATE SEQUENCE"), script.find("CREATE TABLE")) << script;
  exec_sql(db, script);
  auto cmp = retort::compare(db, {"public"}, m.schema());
  EXPECT_TRUE(cmp.diff.empty()) << retort::dump(retort::to_json(cmp.target));
  for (const auto& op : cmp.diff.upgrade) ADD_FAILURE() << retort::describe(op);
  EXPECT_TRUE(cmp.diff.unmanaged.empty());

  exec_sql(db, "CREATE SEQUENCE stray; CREATE DOMAIN loose AS text");
  cmp = retort::compare(db, {"public"}, m.schema());
  EXPECT_TRUE(cmp.diff.empty());
  ASSERT_EQ(cmp.diff.unmanaged.size(), 2u);
  EXPECT_EQ(cmp.diff.unmanaged[0].kind, "domain");
  EXPECT_EQ(cmp.diff.unmanaged[1].name.name, "stray");

  m.manage_all("public");
  cmp = retort::compare(db, {"public"}, m.schema());
  EXPECT_TRUE(cmp.diff.unmanaged.empty());
  std::vector<std::string> ops;
  for (const auto& op : cmp.diff.upgrade) ops.push_back(retort::op_name(op));
  EXPECT_EQ(ops, (std::vector<std::string>{"drop_sequence", "drop_domain"}));
}

TEST(Introspect, ColumnsTypesDefaultsIdentityGeneratedComments) {
  auto s = round_trip(R"(
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE TABLE t (
      a integer NOT NULL,
      b varchar(20) DEFAULT 'x',
      c numeric(10,2),
      d timestamptz DEFAULT now(),
      e text[] DEFAULT '{}',
      f mood DEFAULT 'ok',
      g bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5 CACHE 20),
      h int GENERATED BY DEFAULT AS IDENTITY,
      i int GENERATED ALWAYS AS (a * 2) STORED,
      j serial,
      k bigserial,
      l jsonb, m uuid, n bytea, o date, p boolean, q double precision, r real, s smallint);
    COMMENT ON TABLE t IS 'a table';
    COMMENT ON COLUMN t.a IS 'it''s a';)",
                      {"public"});
  const auto& t = s.schemas.at("public").tables.at("t");
  EXPECT_EQ(t.comment, "a table");
  EXPECT_EQ(t.columns.size(), 19u);
  EXPECT_EQ(t.find_column("a")->comment, "it's a");
  EXPECT_FALSE(t.find_column("a")->nullable);
  EXPECT_EQ(t.find_column("b")->type, "character varying(20)");
  EXPECT_EQ(t.find_column("b")->default_expr, "'x'::character varying");
  EXPECT_EQ(t.find_column("e")->type, "text[]");
  EXPECT_EQ(t.find_column("f")->type, "public.mood");
  EXPECT_EQ(t.find_column("f")->default_expr, "'ok'::public.mood");
  auto g = t.find_column("g")->identity;
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->always);
  EXPECT_EQ(g->start, 10);
  EXPECT_EQ(g->increment, 5);
  EXPECT_EQ(g->cache, 20);
  EXPECT_FALSE(g->max_value);
  EXPECT_EQ(t.find_column("h")->identity, retort::Identity{});
  EXPECT_EQ(t.find_column("i")->generated, "(a * 2)");
  EXPECT_FALSE(t.find_column("i")->default_expr);
  EXPECT_TRUE(t.find_column("j")->serial);
  EXPECT_FALSE(t.find_column("j")->default_expr);
  EXPECT_EQ(t.find_column("k")->type, "bigint");
  EXPECT_TRUE(t.find_column("k")->serial);
  EXPECT_EQ(s.schemas.at("public").enums.at("mood").labels,
            (std::vector<std::string>{"sad", "ok", "happy"}));
}

TEST(Introspect, ConstraintsAcrossSchemas) {
  auto s = round_trip(R"(
    CREATE SCHEMA other;
    CREATE TABLE other.p (id int, code text, CONSTRAINT p_key PRIMARY KEY (id, code));
    CREATE TABLE c (
      id int PRIMARY KEY,
      pid int, pcode text,
      u1 text, u2 text,
      qty int CONSTRAINT qty_positive CHECK (qty > 0),
      CONSTRAINT both_unique UNIQUE NULLS NOT DISTINCT (u1, u2),
      CONSTRAINT c_p FOREIGN KEY (pid, pcode) REFERENCES other.p (id, code)
        ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT c_self FOREIGN KEY (pid) REFERENCES c (id) ON DELETE RESTRICT DEFERRABLE,
      CONSTRAINT two_checks CHECK (qty < 100 AND u1 <> u2));)",
                      {"public", "other"});
  const auto& c = s.schemas.at("public").tables.at("c");
  EXPECT_EQ(c.primary_key->name, "c_pkey");
  ASSERT_EQ(c.uniques.size(), 1u);
  EXPECT_TRUE(c.uniques[0].nulls_not_distinct);
  EXPECT_EQ(c.uniques[0].columns, (std::vector<std::string>{"u1", "u2"}));
  ASSERT_EQ(c.checks.size(), 2u);
  EXPECT_EQ(c.checks[0].expression, "qty > 0");
  ASSERT_EQ(c.foreign_keys.size(), 2u);
  const auto& fk = c.foreign_keys[0];
  EXPECT_EQ(fk.name, "c_p");
  EXPECT_EQ(fk.ref_table, (retort::QualifiedName{"other", "p"}));
  EXPECT_EQ(fk.ref_columns, (std::vector<std::string>{"id", "code"}));
  EXPECT_EQ(fk.on_delete, retort::FkAction::set_null);
  EXPECT_EQ(fk.on_update, retort::FkAction::cascade);
  EXPECT_TRUE(fk.deferrable);
  EXPECT_TRUE(fk.initially_deferred);
  EXPECT_EQ(c.foreign_keys[1].on_delete, retort::FkAction::restrict);
  EXPECT_FALSE(c.foreign_keys[1].initially_deferred);
  EXPECT_EQ(s.schemas.at("other").tables.at("p").primary_key->columns.size(), 2u);
}

TEST(Introspect, Indexes) {
  auto s = round_trip(R"(
    CREATE TABLE t (a int, b text, c timestamptz, d boolean, e jsonb);
    CREATE INDEX t_multi ON t (a DESC, b NULLS FIRST);
    CREATE UNIQUE INDEX t_expr ON t (lower(b)) WHERE d;
    CREATE INDEX t_brin ON t USING brin (c);
    CREATE INDEX t_cov ON t (a) INCLUDE (b, c);
    CREATE INDEX t_pat ON t (b text_pattern_ops DESC NULLS LAST);
    CREATE INDEX t_gin ON t USING gin (e jsonb_path_ops);
    ALTER TABLE t ADD CONSTRAINT t_unique UNIQUE (a);)",
                      {"public"});
  const auto& t = s.schemas.at("public").tables.at("t");
  ASSERT_EQ(t.indexes.size(), 6u);  // the unique constraint's index is not listed
  auto find = [&](const std::string& name) {
    for (const auto& i : t.indexes)
      if (i.name == name) return i;
    ADD_FAILURE() << name;
    return retort::Index{};
  };
  auto multi = find("t_multi");
  EXPECT_TRUE(multi.keys[0].descending);
  EXPECT_FALSE(multi.keys[0].nulls_first);  // DESC's default placement is not recorded
  EXPECT_EQ(multi.keys[1].nulls_first, true);
  auto expr = find("t_expr");
  EXPECT_TRUE(expr.unique);
  EXPECT_EQ(expr.keys[0].expression, "lower(b)");
  EXPECT_EQ(expr.where, "d");
  EXPECT_EQ(find("t_brin").method, "brin");
  EXPECT_EQ(find("t_cov").include, (std::vector<std::string>{"b", "c"}));
  auto pat = find("t_pat");
  EXPECT_EQ(pat.keys[0].opclass, "text_pattern_ops");
  EXPECT_EQ(pat.keys[0].nulls_first, false);
  EXPECT_EQ(find("t_gin").keys[0].opclass, "jsonb_path_ops");
}

// Functions (overloaded, with defaults), triggers and partitioned tables survive CREATE script ->
// fresh database -> inspect; an extension's functions and partitions' own items are not read.
TEST(Introspect, FunctionsTriggersPartitions) {
  auto s = round_trip(R"(
    CREATE EXTENSION citext;
    CREATE FUNCTION f(x integer, y integer DEFAULT 2) RETURNS integer LANGUAGE sql AS 'SELECT x * y';
    CREATE FUNCTION f(x text) RETURNS text LANGUAGE sql AS 'SELECT x';
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    CREATE TABLE ev (id int NOT NULL, day date NOT NULL, PRIMARY KEY (id, day))
      PARTITION BY RANGE (day);
    CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TABLE ev_rest PARTITION OF ev DEFAULT;
    CREATE INDEX ev_day ON ev (day);
    CREATE TRIGGER ev_touch BEFORE UPDATE OF day ON ev_2026 FOR EACH ROW EXECUTE FUNCTION touch();
    CREATE TABLE t (a int REFERENCES t (a) DEFERRABLE, UNIQUE (a));
    CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW WHEN (NEW.a > 0)
      EXECUTE FUNCTION touch();)",
                      {"public"});
  const auto& ns = s.schemas.at("public");
  EXPECT_EQ(ns.functions.size(), 3u);
  const auto& f = ns.functions.at("f(x integer, y integer)");
  EXPECT_EQ(f.result, "integer");
  EXPECT_TRUE(f.definition.starts_with("(x integer, y integer DEFAULT 2)\n RETURNS integer"))
      << f.definition;
  EXPECT_FALSE(ns.tables.contains("ev_2026"));
  const auto& ev = ns.tables.at("ev");
  EXPECT_EQ(ev.partition_by, "RANGE (day)");
  ASSERT_EQ(ev.partitions.size(), 2u);
  EXPECT_EQ(ev.partitions[0].bound, "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
  EXPECT_EQ(ev.partitions[1].bound, "DEFAULT");
  EXPECT_TRUE(ev.triggers.empty());  // a partition's trigger is the partition's, not read
  const auto& t = ns.tables.at("t");
  ASSERT_EQ(t.triggers.size(), 1u);  // the foreign key's internal triggers are not read
  EXPECT_EQ(t.triggers[0].timing, "BEFORE INSERT OR UPDATE");
  EXPECT_EQ(t.triggers[0].action,
            "FOR EACH ROW WHEN ((new.a > 0)) EXECUTE FUNCTION public.touch()");
}

TEST(Introspect, AwkwardNames) {
  auto s = round_trip(R"(
    CREATE SCHEMA "Weird Schema";
    CREATE TYPE "Weird Schema"."Mood ""q""" AS ENUM ('it''s', 'with space', 'back\slash');
    CREATE TABLE "user" ("order" int PRIMARY KEY, "MixedCase" text, "with space" text,
      "quote""d" "Weird Schema"."Mood ""q""" DEFAULT 'it''s');
    CREATE TABLE "Weird Schema"."select" ("from" int CONSTRAINT "check" CHECK ("from" > 0),
      "user" int CONSTRAINT "fk ""x""" REFERENCES "user" ("order"),
      CONSTRAINT "unique" UNIQUE ("from"));
    CREATE INDEX "index with space" ON "user" ("MixedCase", lower("with space"));
    COMMENT ON TABLE "user" IS 'a ''quoted'' comment';)",
                      {"public", "Weird Schema"});
  const auto& sel = s.schemas.at("Weird Schema").tables.at("select");
  EXPECT_EQ(sel.checks.at(0).name, "check");
  EXPECT_EQ(sel.foreign_keys.at(0).name, "fk \"x\"");
  EXPECT_EQ(s.schemas.at("Weird Schema").enums.at("Mood \"q\"").labels.at(2), "back\\slash");
  EXPECT_EQ(s.schemas.at("public").tables.at("user").find_column("quote\"d")->type,
            "\"Weird Schema\".\"Mood \"\"q\"\"\"");
}

TEST(Introspect, LeavesOutTheVersionTableAndOtherSchemas) {
  auto db = fresh_database();
  exec_sql(db,
           "CREATE TABLE retort_version (revision text); CREATE TABLE kept (a int);"
           "CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.t (a int);");
  auto s = read(db, {"public"});
  EXPECT_EQ(s.schemas.size(), 1u);
  EXPECT_EQ(s.schemas.at("public").tables.size(), 1u);
  EXPECT_TRUE(s.schemas.at("public").tables.contains("kept"));
}

TEST(Introspect, QueryCountDoesNotGrowWithTables) {
  auto one = fresh_database();
  auto many = fresh_database();
  std::string table =
      "CREATE TABLE t_0 (id int PRIMARY KEY, v text UNIQUE, p int REFERENCES t_0);"
      "CREATE INDEX t_0_v ON t_0 (v);";
  exec_sql(one, table);
  std::string sql;
  for (int i = 0; i < 1000; ++i) {
    auto n = std::to_string(i);
    sql += "CREATE TABLE t_" + n + " (id int PRIMARY KEY, v text UNIQUE, p int REFERENCES t_" + n +
           "); CREATE INDEX t_" + n + "_v ON t_" + n + " (v);";
  }
  exec_sql(many, sql);
  std::size_t q1 = 0, q1000 = 0;
  auto s1 = read(one, {"public"}, &q1);
  auto s1000 = read(many, {"public"}, &q1000);
  EXPECT_EQ(s1.schemas.at("public").tables.size(), 1u);
  EXPECT_EQ(s1000.schemas.at("public").tables.size(), 1000u);
  EXPECT_GT(q1, 0u);
  EXPECT_EQ(q1, q1000);
}

TEST(Introspect, TwoConnectionsOnOneSnapshotReadTheSame) {
  auto db = fresh_database();
  exec_sql(db, retort::create_script(retort_models().schema()));
  auto single = read(db, {"public", "audit"});
  auto main = retort::connect(db), helper = retort::connect(db);
  retort::SnapshotPair pair(*main, *helper);
  std::size_t queries = 0;
  auto parallel = retort::introspect(pair.main(), {"public", "audit"},
                                     {.columns_tx = &pair.helper(), .query_count = &queries});
  EXPECT_EQ(parallel, single);
  EXPECT_GT(queries, 0u);
  // The helper reads the exporting transaction's snapshot: a table created after it is unseen.
  exec_sql(db, "CREATE TABLE public.later (a int)");
  auto again = retort::introspect(pair.main(), {"public"});
  EXPECT_FALSE(again.schemas.at("public").tables.contains("later"));
}

TEST(Introspect, OnlyTheNamedTables) {
  auto db = fresh_database();
  exec_sql(db, retort::create_script(retort_models().schema()));
  auto all = read(db, {"public", "audit"});
  auto c = retort::connect(db);
  pqxx::read_transaction tx(*c);
  // memberships refers to members and teams, which are not read: its foreign keys still name
  // their columns.
  auto some = retort::introspect(tx, {"public", "audit"}, {.tables = {{"memberships", "entries"}}});
  ASSERT_EQ(some.schemas.at("public").tables.size(), 1u);
  ASSERT_EQ(some.schemas.at("audit").tables.size(), 1u);
  EXPECT_FALSE(some.schemas.at("public").tables.at("memberships").foreign_keys.empty());
  EXPECT_EQ(some.schemas.at("public").tables.at("memberships"),
            all.schemas.at("public").tables.at("memberships"));
  EXPECT_EQ(some.schemas.at("audit").tables.at("entries"),
            all.schemas.at("audit").tables.at("entries"));
}

// Every setting of what retort manages survives inspect -> CREATE script -> replay.
TEST(Introspect, SettingsSurviveTheCreateScript) {
  auto s = round_trip(R"(
    CREATE UNLOGGED TABLE t (id int, a text COLLATE "C", b text, d tsvector,
      CONSTRAINT t_pkey PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT t_a_key UNIQUE NULLS NOT DISTINCT (a) DEFERRABLE,
      CONSTRAINT t_b_check CHECK (b <> '') NO INHERIT) WITH (fillfactor = 70);
    CREATE UNIQUE INDEX t_b_idx ON t (b COLLATE "POSIX" text_pattern_ops) NULLS NOT DISTINCT
      WITH (fillfactor = 60);
    CREATE INDEX t_d_idx ON t USING gist (d tsvector_ops (siglen = 32));)",
                      {"public"});
  const auto& t = s.schemas.at("public").tables.at("t");
  EXPECT_TRUE(t.unlogged);
  EXPECT_EQ(t.options, (std::vector<std::string>{"fillfactor=70"}));
  EXPECT_EQ(t.find_column("a")->collation, "\"C\"");
  EXPECT_FALSE(t.find_column("b")->collation);
  ASSERT_TRUE(t.primary_key);
  EXPECT_TRUE(t.primary_key->deferrable && t.primary_key->initially_deferred);
  ASSERT_EQ(t.uniques.size(), 1u);
  EXPECT_TRUE(t.uniques[0].nulls_not_distinct && t.uniques[0].deferrable);
  EXPECT_FALSE(t.uniques[0].initially_deferred);
  ASSERT_EQ(t.checks.size(), 1u);
  EXPECT_TRUE(t.checks[0].no_inherit);
  EXPECT_EQ(t.checks[0].expression, "b <> ''::text");
  ASSERT_EQ(t.indexes.size(), 2u);
  const auto& b = t.indexes[0];
  EXPECT_TRUE(b.nulls_not_distinct);
  EXPECT_EQ(b.options, (std::vector<std::string>{"fillfactor=60"}));
  EXPECT_EQ(b.keys[0].collation, "\"POSIX\"");
  EXPECT_EQ(b.keys[0].opclass, "text_pattern_ops");
  const auto& d = t.indexes[1];
  EXPECT_EQ(d.keys[0].opclass, "tsvector_ops");
  EXPECT_EQ(d.keys[0].opclass_options, (std::vector<std::string>{"siglen=32"}));
}

struct Session {
  std::int32_t id;
  std::string token;
  std::string name;
  std::optional<std::string> note;
};

// The model DSL's spelling of every setting creates them, and the database then compares equal
// to the models (canonical comparison: no drift, in either spelling).
TEST(Introspect, ModelSettingsCreateAndCompareEqual) {
  retort::ModelSet m;
  m.table<Session>("sessions")
      .column(&Session::id, "id")
      .column(&Session::token, "token", retort::collate("C"))
      .column(&Session::name, "name")
      .column(&Session::note, "note")
      .primary_key({"id"}, {}, retort::deferrable)
      .unique({"token"}, {}, retort::deferrable_initially_deferred)
      .constraint(retort::CheckConstraint{"sessions_id_check", "id > 0", true})
      .index(retort::index("sessions_name_idx")
                 .on("name")
                 .collate(retort::collate("POSIX"))
                 .opclass("text_pattern_ops")
                 .unique()
                 .nulls_not_distinct()
                 .with("fillfactor=60"))
      .index(retort::index("sessions_note_idx")
                 .on_expression("to_tsvector('simple', note)")
                 .using_method("gist")
                 .opclass("tsvector_ops", {"siglen=32"}))
      .unlogged()
      .with("fillfactor=70");
  auto wanted = m.schema();
  auto db = fresh_database();
  auto first = retort::compare(db, {"public"}, wanted);
  ASSERT_FALSE(first.diff.upgrade.empty());
  std::string sql;
  for (const auto& op : first.diff.upgrade)
    for (const auto& statement : retort::to_sql(op)) sql += statement + ";\n";
  exec_sql(db, sql);
  auto second = retort::compare(db, {"public"}, wanted);
  EXPECT_TRUE(second.diff.upgrade.empty()) << retort::dump(retort::to_json(second.current));
  const auto& t = second.current.schemas.at("public").tables.at("sessions");
  EXPECT_TRUE(t.unlogged);
  EXPECT_EQ(t.find_column("token")->collation, "\"C\"");
  EXPECT_TRUE(t.primary_key->deferrable);
  EXPECT_TRUE(t.uniques.at(0).initially_deferred);
  EXPECT_TRUE(t.checks.at(0).no_inherit);
  EXPECT_EQ(t.indexes.size(), 2u);
}

TEST(InspectCommand, JsonAndSqlFormats) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE \"order\" (id int PRIMARY KEY, note text DEFAULT 'n')");
  auto json = run_retort({"--url", db, "--schema", "public", "inspect"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["schemas"][0]["tables"][0]["name"], "order");
  auto sql = run_retort({"--url", db, "--schema", "public", "inspect", "--format", "sql"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_NE(sql.out.find("CREATE TABLE \"public\".\"order\""), std::string::npos) << sql.out;
}

TEST(InspectCommand, MissingSchemaIsNamed) {
  auto db = fresh_database();
  auto r = run_retort({"--url", db, "--schema", "nope", "inspect"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "retort: error: schema \"nope\" does not exist in the database\n");
}

TEST(InspectCommand, ConnectionFailureIsOneLineWithoutThePassword) {
  auto r = run_retort({"--url", "postgresql://someone:s3cret@127.0.0.1:1/app", "inspect"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("host 127.0.0.1, port 1, database app"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  auto kv = run_retort({"--url", "host=127.0.0.1 port=1 dbname=app password=s3cret", "inspect"});
  EXPECT_EQ(kv.err.find("s3cret"), std::string::npos) << kv.err;
  auto bad = run_retort({"--url", "postgresql://u:s3cret@host:notaport/db", "inspect"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(bad.err.find("s3cret"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace retort::test
