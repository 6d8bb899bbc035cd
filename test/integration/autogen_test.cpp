// Autogenerate end to end: for each kind of difference, a 'before' and an 'after' database are
// built from SQL; `revision --autogenerate --target <after>` against 'before', `upgrade head`,
// then 'before' must equal 'after' (catalog), keep its rows, pass `check`, and `downgrade base`
// must restore it exactly.
#include <gtest/gtest.h>

#include <filesystem>

#include "pg_server.hpp"
#include "retort/connection.hpp"
#include "retort/introspect.hpp"
#include "retort/snapshot.hpp"
#include "tool.hpp"

namespace {

using retort::test::exec_sql;
using retort::test::fresh_database;
using retort::test::query_value;
using retort::test::run_retort;

const std::vector<std::string> kScopes = {"public", "extra", "Weird Schema"};

std::vector<std::string> schema_args() {
  std::vector<std::string> out;
  for (const auto& s : kScopes) {
    out.push_back("--schema");
    out.push_back(s);
  }
  return out;
}

retort::Schema inspect(const std::string& url) {
  auto c = retort::connect(url);
  pqxx::read_transaction tx(*c);
  std::vector<std::string> present;
  for (const auto& s : kScopes)
    if (!tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", s).empty())
      present.push_back(s);
  return retort::introspect(tx, present);
}

std::string catalog(const std::string& url) { return retort::dump(retort::to_json(inspect(url))); }

std::map<std::string, std::string> row_counts(const std::string& url) {
  std::map<std::string, std::string> out;
  auto s = inspect(url);
  for (const auto& [sname, ns] : s.schemas)
    for (const auto& [tname, t] : ns.tables) {
      auto c = retort::connect(url);
      pqxx::read_transaction tx(*c);
      out[sname + "." + tname] =
          tx.exec("SELECT count(*) FROM " + tx.quote_name(sname) + "." + tx.quote_name(tname))[0][0]
              .c_str();
    }
  return out;
}

retort::test::ToolResult retort_on(const std::string& url, const std::string& versions,
                                   std::vector<std::string> args) {
  std::vector<std::string> all = {"--url", url, "--versions", versions};
  auto scopes = schema_args();
  all.insert(all.end(), scopes.begin(), scopes.end());
  all.insert(all.end(), args.begin(), args.end());
  return run_retort(all);
}

// Returns the revision's warnings text (stdout of revision) for further assertions.
// `downgraded_sql`, when given, builds what a downgrade can restore at best (PostgreSQL cannot
// remove enum labels); otherwise the downgrade must restore 'before' exactly.
std::string evolve(const std::string& before_sql, const std::string& data_sql,
                   const std::string& after_sql, const std::string& downgraded_sql = "") {
  auto before = fresh_database("before");
  auto after = fresh_database("after");
  exec_sql(before, before_sql);
  if (!data_sql.empty()) exec_sql(before, data_sql);
  exec_sql(after, after_sql);
  auto original = catalog(before);
  auto rows = row_counts(before);
  auto versions = retort::test::temp_dir("versions");

  auto rev = retort_on(before, versions,
                       {"revision", "--autogenerate", "-m", "evolve", "--target", after});
  EXPECT_EQ(rev.exit_code, 0) << rev.out << rev.err;
  auto up = retort_on(before, versions, {"upgrade", "head"});
  EXPECT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_EQ(catalog(before), catalog(after));
  auto now_rows = row_counts(before);
  for (const auto& [table, count] : rows) {
    if (now_rows.contains(table)) {
      EXPECT_EQ(now_rows[table], count) << table;
    }
  }
  auto check = retort_on(before, versions, {"check", "--target", after});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The round trip drops what the upgrade added, values included: allowed here.
  auto down = retort_on(before, versions, {"downgrade", "base", "--allow-data-loss"});
  EXPECT_EQ(down.exit_code, 0) << down.out << down.err;
  if (downgraded_sql.empty()) {
    EXPECT_EQ(catalog(before), original);
  } else {
    auto expected = fresh_database("downgraded");
    exec_sql(expected, downgraded_sql);
    EXPECT_EQ(catalog(before), catalog(expected));
  }
  // Rows of tables that survived the round trip are all there (a dropped table's rows are gone,
  // which its warning says).
  auto restored = row_counts(before);
  for (const auto& [table, count] : rows) {
    if (now_rows.contains(table)) {
      EXPECT_EQ(restored[table], count) << table;
    }
  }
  std::filesystem::remove_all(versions);
  return rev.out;
}

TEST(Autogenerate, NewTablesEnumsSchemaAndCyclicForeignKeys) {
  evolve("CREATE TABLE keep (id int PRIMARY KEY);", "INSERT INTO keep VALUES (1), (2);",
         R"(CREATE TABLE keep (id int PRIMARY KEY);
            CREATE SCHEMA extra;
            CREATE TYPE extra.mood AS ENUM ('sad', 'happy');
            CREATE TABLE a (id int PRIMARY KEY, b_id int, m extra.mood DEFAULT 'happy');
            CREATE TABLE extra.b (id int PRIMARY KEY, a_id int REFERENCES a (id));
            ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES extra.b (id)
              DEFERRABLE INITIALLY DEFERRED;)");
}

TEST(Autogenerate, DropTableWarns) {
  auto out = evolve("CREATE TABLE keep (id int); CREATE TABLE gone (id int PRIMARY KEY, v text);",
                    "INSERT INTO gone VALUES (1, 'x'); INSERT INTO keep VALUES (1);",
                    "CREATE TABLE keep (id int);");
  EXPECT_NE(out.find("drops table public.gone"), std::string::npos) << out;
}

TEST(Autogenerate, ColumnsAddedAndDropped) {
  auto out = evolve("CREATE TABLE t (id int PRIMARY KEY, old text);",
                    "INSERT INTO t VALUES (1, 'a'), (2, 'b');",
                    R"(CREATE TABLE t (id int PRIMARY KEY, n int, d text NOT NULL DEFAULT 'x',
                         ts timestamptz DEFAULT now(), arr text[] DEFAULT '{}');)");
  EXPECT_NE(out.find("drops column public.t.old"), std::string::npos) << out;
}

TEST(Autogenerate, TypeChangesWithAndWithoutUsing) {
  evolve(
      "CREATE TABLE t (a int, b text, c varchar(10), d numeric(8,2), e int DEFAULT 0);",
      "INSERT INTO t VALUES (1, '42', 'abc', 1.5, 7);",
      "CREATE TABLE t (a bigint, b integer, c varchar(50), d numeric(12,4), e text DEFAULT '0');");
}

TEST(Autogenerate, NullabilityDefaultsAndIdentity) {
  evolve(
      R"(CREATE TABLE t (id int NOT NULL, a text, b text NOT NULL, c int DEFAULT 1,
              d int GENERATED ALWAYS AS IDENTITY, e int, f int GENERATED BY DEFAULT AS IDENTITY);)",
      "INSERT INTO t (id, a, b, e) VALUES (1, 'x', 'y', 5);",
      R"(CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (START WITH 100), a text NOT NULL,
              b text, c int DEFAULT 2, d int NOT NULL, e int DEFAULT 42,
              f int GENERATED ALWAYS AS IDENTITY (INCREMENT BY 10 MAXVALUE 100000));)");
}

TEST(Autogenerate, IdentityOptionsChangeInPlace) {
  auto db = fresh_database("identity");
  auto target = fresh_database("identity_target");
  exec_sql(db,
           "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, v text);"
           "INSERT INTO t (v) VALUES ('a'), ('b'), ('c');");
  exec_sql(target, "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (INCREMENT BY 5), v text)");
  auto versions = retort::test::temp_dir("versions");
  auto rev = retort_on(db, versions, {"revision", "--autogenerate", "-m", "x", "--target", target});
  ASSERT_EQ(rev.exit_code, 0) << rev.err;
  EXPECT_NE(rev.out.find("alter identity public.t.id"), std::string::npos) << rev.out;
  ASSERT_EQ(retort_on(db, versions, {"upgrade", "head"}).exit_code, 0);
  // The sequence kept its position: the next value follows the existing rows.
  exec_sql(db, "INSERT INTO t (v) VALUES ('d')");
  EXPECT_EQ(query_value(db, "SELECT id FROM t WHERE v = 'd'"), "8");
}

TEST(Autogenerate, PrimaryKeyUniqueCheckForeignKeyChanges) {
  evolve(R"(CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
            CREATE TABLE c (id int, p_id int REFERENCES p (id) ON DELETE CASCADE,
              qty int CONSTRAINT qty_positive CHECK (qty > 0));)",
         "INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1, 1, 5);",
         R"(CREATE TABLE p (id int PRIMARY KEY, code text);
            CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id) ON DELETE SET NULL,
              qty int CONSTRAINT qty_positive CHECK (qty >= 0), UNIQUE (p_id, qty));)");
}

TEST(Autogenerate, Indexes) {
  evolve(R"(CREATE TABLE t (a int, b text, c timestamptz, d boolean);
            CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b);)",
         "INSERT INTO t VALUES (1, 'x', now(), true);",
         R"(CREATE TABLE t (a int, b text, c timestamptz, d boolean);
            CREATE INDEX t_a ON t (a DESC NULLS LAST);
            CREATE UNIQUE INDEX t_lower_b ON t (lower(b)) WHERE d;
            CREATE INDEX t_c ON t USING brin (c);
            CREATE INDEX t_cov ON t (a) INCLUDE (b);
            CREATE INDEX t_pat ON t (b text_pattern_ops);)");
}

TEST(Autogenerate, CommentsAndEnumLabels) {
  evolve(R"(CREATE TYPE mood AS ENUM ('sad', 'happy');
            CREATE TABLE t (m mood); COMMENT ON TABLE t IS 'old';)",
         "INSERT INTO t VALUES ('sad');",
         R"(CREATE TYPE mood AS ENUM ('angry', 'sad', 'ok', 'happy');
            CREATE TABLE t (m mood); COMMENT ON TABLE t IS 'new';
            COMMENT ON COLUMN t.m IS 'how it feels';)",
         R"(CREATE TYPE mood AS ENUM ('angry', 'sad', 'ok', 'happy');
            CREATE TABLE t (m mood); COMMENT ON TABLE t IS 'old';)");
}

TEST(Autogenerate, GeneratedColumns) {
  evolve("CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);",
         "INSERT INTO t (a) VALUES (3);",
         "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 3) STORED, h text GENERATED ALWAYS "
         "AS (a::text) STORED);");
}

TEST(Autogenerate, AwkwardIdentifiers) {
  evolve(R"(CREATE SCHEMA "Weird Schema";
            CREATE TABLE "user" ("order" int PRIMARY KEY, "with space" text);
            CREATE TABLE "Weird Schema"."quote""d" (id int);)",
         R"(INSERT INTO "user" VALUES (1, 'x'); INSERT INTO "Weird Schema"."quote""d" VALUES (1);)",
         R"(CREATE SCHEMA "Weird Schema";
            CREATE TYPE "Weird Schema"."Mood ""x""" AS ENUM ('a''b', 'c');
            CREATE TABLE "user" ("order" bigint PRIMARY KEY, "with space" text NOT NULL DEFAULT 'it''s',
              "MixedCase" "Weird Schema"."Mood ""x""" DEFAULT 'a''b');
            CREATE TABLE "Weird Schema"."quote""d" (id int CONSTRAINT "select" UNIQUE,
              "user" int REFERENCES "user" ("order"));
            CREATE INDEX "index with space" ON "user" (lower("with space"));
            COMMENT ON COLUMN "user"."order" IS 'it''s';)");
}

TEST(Autogenerate, RealisticEvolution) {
  auto before = R"(
    CREATE TYPE status AS ENUM ('new', 'paid');
    CREATE TABLE customers (id serial PRIMARY KEY, name varchar(50) NOT NULL, email text,
      created timestamptz DEFAULT now());
    CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,
      total numeric(10,2), status status DEFAULT 'new', note text);
    CREATE INDEX orders_customer ON orders (customer_id);
    CREATE TABLE legacy (id int);)";
  auto data = R"(
    INSERT INTO customers (name, email) VALUES ('a', 'a@x'), ('b', NULL);
    INSERT INTO orders (customer_id, total) VALUES (1, 10), (2, 20.5);
    INSERT INTO legacy VALUES (1);)";
  auto after = R"(
    CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
    CREATE TABLE customers (id serial PRIMARY KEY, name varchar(120) NOT NULL,
      email text UNIQUE, created timestamptz DEFAULT now(), vip boolean DEFAULT false NOT NULL);
    CREATE TABLE orders (id bigserial PRIMARY KEY,
      customer_id int NOT NULL REFERENCES customers ON DELETE CASCADE,
      total numeric(12,2) CHECK (total >= 0), status status DEFAULT 'paid' NOT NULL);
    CREATE INDEX orders_customer ON orders (customer_id, status);
    CREATE TABLE shipments (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id bigint REFERENCES orders, sent_at timestamptz);
    COMMENT ON TABLE shipments IS 'one per parcel';)";
  // The downgrade restores everything but the new enum label, which PostgreSQL cannot remove.
  std::string downgraded = before;
  downgraded.replace(downgraded.find("('new', 'paid')"), 15, "('new', 'paid', 'shipped')");
  evolve(before, data, after, downgraded);
}

// ---- no false positives ------------------------------------------------------------------

int ops_between(const std::string& db_sql, const std::string& target_sql) {
  auto db = fresh_database("noop");
  auto target = fresh_database("noop_target");
  exec_sql(db, db_sql);
  exec_sql(target, target_sql);
  auto versions = retort::test::temp_dir("versions");
  auto r = retort_on(db, versions, {"diff", "--target", target, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["upgrade"].size(), 0u) << r.out;
  return static_cast<int>(j["upgrade"].size());
}

TEST(NoFalsePositives, EquivalentSpellingsBetweenDatabases) {
  ops_between(
      R"(CREATE SCHEMA extra; CREATE TYPE extra.k AS ENUM ('a', 'b');
         CREATE TABLE t (a varchar, b text DEFAULT 'x'::text, c timestamptz DEFAULT now(),
           d serial, e bigserial, f int4, g int8, h float8, i bool, j numeric, k numeric(10,2),
           l int[], m extra.k DEFAULT 'a'::extra.k, n int GENERATED BY DEFAULT AS IDENTITY (START WITH 5),
           o int GENERATED ALWAYS AS (f * 2) STORED, p int PRIMARY KEY);
         CREATE TABLE extra.u (id int PRIMARY KEY, t_id int REFERENCES t DEFERRABLE INITIALLY DEFERRED,
           k extra.k DEFAULT 'b');
         CREATE INDEX t_b ON t (b text_pattern_ops DESC NULLS LAST) INCLUDE (a) WHERE i;
         CREATE INDEX t_f ON t (f, g DESC);)",
      R"(CREATE SCHEMA extra; CREATE TYPE extra.k AS ENUM ('a', 'b');
         CREATE TABLE t (a character varying, b text DEFAULT 'x', c timestamp with time zone DEFAULT now(),
           d serial4, e serial8, f integer, g bigint, h double precision, i boolean, j decimal,
           k decimal(10,2), l integer[], m extra.k DEFAULT 'a', n integer GENERATED BY DEFAULT AS IDENTITY (START 5),
           o integer GENERATED ALWAYS AS (f * 2) STORED, p integer PRIMARY KEY);
         CREATE TABLE extra.u (id integer PRIMARY KEY, t_id integer REFERENCES t (p) DEFERRABLE INITIALLY DEFERRED,
           k extra.k DEFAULT 'b'::extra.k);
         CREATE INDEX t_b ON t (b text_pattern_ops DESC NULLS LAST) INCLUDE (a) WHERE i;
         CREATE INDEX t_f ON t (f ASC NULLS LAST, g DESC NULLS FIRST);)");
}

TEST(NoFalsePositives, HandWrittenSnapshotAgainstDatabase) {
  auto db = fresh_database("noop_snap");
  exec_sql(db, R"(CREATE SCHEMA extra; CREATE TYPE extra.k AS ENUM ('a', 'b');
    CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a varchar(20),
      b text DEFAULT 'x', c timestamptz DEFAULT CURRENT_TIMESTAMP, d extra.k DEFAULT 'a' NOT NULL,
      e numeric(8,2) CHECK (e > 0));
    CREATE INDEX t_lower_a ON t (lower(a)) WHERE b <> 'y';)");
  auto dir = retort::test::temp_dir("snap");
  retort::test::write_text(dir + "/target.json", R"json({
    "format": "retort-snapshot", "version": 1,
    "schemas": [
      {"name": "extra", "enums": [{"name": "k", "labels": ["a", "b"]}], "tables": []},
      {"name": "public", "enums": [], "tables": [{
        "name": "t",
        "columns": [
          {"name": "id", "type": "int8", "nullable": false, "identity": {"always": false}},
          {"name": "a", "type": "varchar(20)", "nullable": true},
          {"name": "b", "type": "text", "nullable": true, "default": "'x'"},
          {"name": "c", "type": "timestamptz", "nullable": true, "default": "now()"},
          {"name": "d", "type": "extra.k", "nullable": false, "default": "'a'"},
          {"name": "e", "type": "decimal(8, 2)", "nullable": true}
        ],
        "primary_key": {"name": "t_pkey", "columns": ["id"]},
        "checks": [{"name": "t_e_check", "expression": "e > 0"}],
        "indexes": [{"name": "t_lower_a", "method": "btree",
                     "keys": [{"expression": "lower(a)"}], "where": "b <> 'y'"}]
      }]}
    ]})json");
  auto r = retort_on(db, dir, {"diff", "--target", dir + "/target.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "No changes detected.\n");
}

TEST(NoFalsePositives, DatabaseAgainstItsOwnInspectSnapshot) {
  auto db = fresh_database("self");
  auto models = run_retort({"models", "--format", "sql"});
  exec_sql(db, models.out);
  auto r = run_retort({"--url", db, "diff"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "No changes detected.\n");
  auto c = run_retort({"--url", db, "check"});
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
}

TEST(Warnings, NotNullStepsAreFlaggedOnlyOnTablesWithRows) {
  auto db = fresh_database("rows");
  // "Order" has rows; "empty" never had any; "emptied" had rows that were deleted (its heap
  // still has pages, so it is looked into).
  exec_sql(db, R"(CREATE TABLE "Order" (id int, note text); INSERT INTO "Order" VALUES (1, NULL);
                  CREATE TABLE empty (id int, note text);
                  CREATE TABLE emptied (id int, note text); INSERT INTO emptied VALUES (1, 'x');
                  DELETE FROM emptied;)");
  auto target = fresh_database("rows_target");
  exec_sql(target, R"(CREATE TABLE "Order" (id int, note text NOT NULL, must text NOT NULL);
                      CREATE TABLE empty (id int, note text NOT NULL, must text NOT NULL);
                      CREATE TABLE emptied (id int, note text NOT NULL, must text NOT NULL);)");
  auto d = run_retort({"--url", db, "diff", "--target", target});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("! adds NOT NULL column public.Order.must without a default"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("! sets NOT NULL on public.Order.note"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("public.empty.must without"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("NOT NULL on public.empty."), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("public.emptied.must without"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("NOT NULL on public.emptied."), std::string::npos) << d.out;
}

TEST(Check, DriftExitsOneAndErrorsExitOtherwise) {
  auto db = fresh_database("drift");
  auto models = run_retort({"models", "--format", "sql"});
  exec_sql(db, models.out);
  exec_sql(db, "ALTER TABLE public.members ADD COLUMN extra int");
  auto c = run_retort({"--url", db, "check"});
  EXPECT_EQ(c.exit_code, 1);
  // Exactly that change: the drift line, one op, and its warning.
  EXPECT_EQ(c.out,
            "Drift: 1 change(s) needed to match the target:\n"
            "  drop column public.members.extra\n"
            "  ! drops column public.members.extra and its data\n");
  auto bad = run_retort({"--url", "postgresql://nobody:secret@127.0.0.1:1/x", "check"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.exit_code, 1);
  EXPECT_EQ(bad.err.find("secret"), std::string::npos) << bad.err;
  // The target is read while the database is: a bad file is still the error reported first.
  auto dir = retort::test::temp_dir("target");
  auto file = dir + "/bad.json";
  retort::test::write_text(file, R"({"format": 1})");
  auto both =
      run_retort({"--url", "postgresql://nobody:secret@127.0.0.1:1/x", "check", "--target", file});
  EXPECT_EQ(both.exit_code, 3);
  EXPECT_NE(both.err.find(file + ": at /format: expected a string"), std::string::npos) << both.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
