// The runner against a real server: chains up and down, branches and merges, stamp, --sql
// replayed by psql, a failing revision, two concurrent migrators, edited and malformed files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "pg_server.hpp"
#include "revision_files.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

namespace fs = std::filesystem;

// Three revisions: a table "user" (awkward name), a column, an index.
std::string chain_dir() {
  auto dir = retort::test::temp_dir("versions");
  write_text(dir + "/1aaaaaaaaaaa_first.json",
             revision_json("1aaaaaaaaaaa", "null",
                           R"({"op": "create_table", "schema": "public", "table": {"name": "user",
                 "columns": [{"name": "id", "type": "integer", "nullable": false}],
                 "primary_key": {"name": "user_pkey", "columns": ["id"]}}})",
                           R"({"op": "drop_table", "schema": "public", "table": {"name": "user",
                 "columns": [{"name": "id", "type": "integer", "nullable": false}],
                 "primary_key": {"name": "user_pkey", "columns": ["id"]}}})"));
  write_text(dir + "/2bbbbbbbbbbb_second.json",
             revision_json("2bbbbbbbbbbb", "\"1aaaaaaaaaaa\"",
                           R"({"op": "add_column", "schema": "public", "table": "user",
                 "column": {"name": "with space", "type": "text", "nullable": true}})",
                           R"({"op": "drop_column", "schema": "public", "table": "user",
                 "column": {"name": "with space", "type": "text", "nullable": true}})"));
  write_text(dir + "/3ccccccccccc_third.json",
             revision_json("3ccccccccccc", "\"2bbbbbbbbbbb\"",
                           R"({"op": "create_index", "schema": "public", "table": "user",
                 "index": {"name": "quote\"d", "keys": [{"column": "with space"}]}})",
                           R"({"op": "drop_index", "schema": "public", "table": "user",
                 "index": {"name": "quote\"d", "keys": [{"column": "with space"}]}})"));
  return dir;
}

// A versions/ directory holding the one revision 1aaaaaaaaaaa.
std::string one_revision_dir(const std::string& up, const std::string& down) {
  auto dir = retort::test::temp_dir("versions");
  write_text(dir + "/1aaaaaaaaaaa_first.json", revision_json("1aaaaaaaaaaa", "null", up, down));
  return dir;
}

std::string inspect(const std::string& url) {
  return run_retort({"--url", url, "--schema", "public", "inspect"}).out;
}

TEST(Runner, ChainOneAtATimeAndAllAtOnce) {
  auto db = fresh_database();
  auto v = chain_dir();
  for (auto expected :
       {"1aaaaaaaaaaa", "1aaaaaaaaaaa,2bbbbbbbbbbb", "1aaaaaaaaaaa,2bbbbbbbbbbb,3ccccccccccc"}) {
    auto r = retort_at(db, v, {"upgrade", "+1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(applied(db), expected);
  }
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'quote\"d'"), "1");
  auto current = retort_at(db, v, {"current"});
  EXPECT_NE(current.out.find("3ccccccccccc (head)"), std::string::npos) << current.out;
  auto too_far = retort_at(db, v, {"upgrade", "+1"});
  EXPECT_NE(too_far.exit_code, 0);
  for (auto expected : {"1aaaaaaaaaaa,2bbbbbbbbbbb", "1aaaaaaaaaaa", ""}) {
    auto r = retort_at(db, v, {"downgrade", "-1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(applied(db), expected);
  }
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.\"user\"') IS NULL"), "t");
  ASSERT_EQ(retort_at(db, v, {"upgrade"}).exit_code, 0);
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa,2bbbbbbbbbbb,3ccccccccccc");
  ASSERT_EQ(retort_at(db, v, {"downgrade", "1aa"}).exit_code, 0);  // a unique prefix
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa");
  ASSERT_EQ(retort_at(db, v, {"downgrade", "base"}).exit_code, 0);
  EXPECT_EQ(applied(db), "");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "1");
}

// Hazards are shown before anything runs (upgrade), in the --sql script, by show and history -v;
// the chain's third revision builds an index, the downgrade of its second deletes data.
TEST(Runner, HazardsShownBeforeApplying) {
  auto db = fresh_database();
  auto dir = chain_dir();
  auto script = retort_at(db, dir, {"upgrade", "--sql"});
  EXPECT_NE(script.out.find("-- hazard: op #1 create index quote\"d on public.user: builds_index"),
            std::string::npos)
      << script.out;
  auto shown = retort_at(db, dir, {"show", "3ccc"});
  EXPECT_NE(shown.out.find("    hazards: builds_index\n"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("Hazards (upgrade): 1 builds_index"), std::string::npos) << shown.out;
  EXPECT_NE(retort_at(db, dir, {"history", "-v"}).out.find("    hazards: 1 builds_index"),
            std::string::npos);
  auto up = retort_at(db, dir, {"upgrade"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.err.find("hazards: 3ccccccccccc: 1 builds_index"), std::string::npos) << up.err;
  EXPECT_EQ(up.err.find("hazards: 1aaaaaaaaaaa"), std::string::npos) << up.err;  // none there
  auto down = retort_at(db, dir, {"downgrade", "1aaaaaaaaaaa"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_NE(down.err.find("hazard: 2bbbbbbbbbbb: op #1 drop column"), std::string::npos)
      << down.err;
  EXPECT_NE(down.err.find("deletes_data"), std::string::npos) << down.err;
}

// A large revision lists its first 20 hazards before it runs, then says how many more there
// are and where to see them: 750 lines for a revision of 1,000 ops buried the summary.
TEST(Runner, LongHazardListsAreCutShortBeforeApplying) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE t (id int)");
  std::string up, down;
  for (int i = 0; i < 25; ++i) {
    auto index = fmt::format(R"({{"name": "t_{}", "keys": [{{"column": "id"}}]}})", i);
    up +=
        fmt::format(R"({}{{"op": "create_index", "schema": "public", "table": "t", "index": {}}})",
                    i ? ", " : "", index);
    down +=
        fmt::format(R"({}{{"op": "drop_index", "schema": "public", "table": "t", "index": {}}})",
                    i ? ", " : "", index);
  }
  auto dir = retort::test::temp_dir("versions");
  write_text(dir + "/1aaaaaaaaaaa_first.json", revision_json("1aaaaaaaaaaa", "null", up, down));
  auto r = retort_at(db, dir, {"upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("hazards: 1aaaaaaaaaaa: 25 builds_index"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hazard: 1aaaaaaaaaaa: op #20 create index t_19"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("op #21"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hazard: 1aaaaaaaaaaa: ... and 5 more (retort show 1aaaaaaaaaaa)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), "25");
}

// Pre-checks: one revision per kind of failure, each found by `upgrade --precheck-only` (and by
// `upgrade` before it runs anything) with its count and sample keys; nothing is changed.
TEST(Runner, PrechecksFindRowsTheUpgradeWouldFailOn) {
  auto db = fresh_database();
  exec_sql(db, R"(CREATE TABLE p (id int PRIMARY KEY);
    CREATE TABLE t (id int PRIMARY KEY, a int, b text, c varchar(20), pid int);
    INSERT INTO p VALUES (1);
    INSERT INTO t VALUES (1, NULL, '12', 'short', 1), (2, 5, 'x', 'a much longer value', 7),
      (3, 5, '3', 'ok', NULL), (4, NULL, 'y', 'ok', 9);
    CREATE SEQUENCE s; SELECT setval('s', 100000);
    CREATE TABLE g (id int GENERATED BY DEFAULT AS IDENTITY, v int);
    INSERT INTO g (v) SELECT generate_series(1, 10);)");
  struct Kind {
    std::string up;
    std::string expected;
  };
  const std::vector<Kind> kinds = {
      {R"j({"op": "set_not_null", "schema": "public", "table": "t", "column": "a"})j",
       "2 row(s) with NULL in public.t.a; for example: 1, 4"},
      {R"j({"op": "add_column", "schema": "public", "table": "t",
           "column": {"name": "n", "type": "integer", "nullable": false}})j",
       "4 row(s), and NOT NULL column public.t.n has no default for them; for example: 1, 2, 3, "
       "..."},
      {R"j({"op": "add_unique", "schema": "public", "table": "t",
           "unique": {"name": "t_a_key", "columns": ["a"]}})j",
       "1 value(s) repeated in (a) of public.t (unique constraint t_a_key fails); for example: 5"},
      {R"j({"op": "create_index", "schema": "public", "table": "t",
           "index": {"name": "t_a", "unique": true, "keys": [{"column": "a"}]}})j",
       "1 value(s) repeated in (a) of public.t (unique index t_a fails); for example: 5"},
      {R"j({"op": "alter_column_type", "schema": "public", "table": "t", "column": "c",
           "type": "character varying(5)", "old_type": "character varying(20)"})j",
       "1 value(s) of public.t.c longer than 5; for example: 2"},
      {R"j({"op": "alter_column_type", "schema": "public", "table": "t", "column": "b",
           "type": "integer", "old_type": "text", "using": "\"b\"::integer"})j",
       "2 value(s) of public.t.b that do not convert to integer; for example: 2, 4"},
      {R"j({"op": "add_check", "schema": "public", "table": "t",
           "check": {"name": "t_a_small", "expression": "a < 5"}})j",
       "2 row(s) breaking check t_a_small (a < 5); for example: 2, 3"},
      {R"j({"op": "add_foreign_key", "schema": "public", "table": "t",
           "foreign_key": {"name": "t_pid_fkey", "columns": ["pid"], "ref_schema": "public",
                           "ref_table": "p", "ref_columns": ["id"]}})j",
       "2 row(s) of public.t with no match in public.p (t_pid_fkey); for example: 2, 4"},
      {R"j({"op": "alter_sequence", "schema": "public",
           "sequence": {"name": "s", "type": "bigint", "max_value": 50},
           "old": {"name": "s", "type": "bigint"}})j",
       "1 position of sequence public.s outside its new bounds (MAXVALUE 50); for example: "
       "100000"},
      {R"j({"op": "alter_sequence", "schema": "public",
           "sequence": {"name": "s", "type": "smallint"}, "old": {"name": "s", "type": "bigint"}})j",
       "1 position of sequence public.s outside its new bounds (AS smallint); for example: 100000"},
      {R"j({"op": "alter_identity", "schema": "public", "table": "g", "column": "id",
           "identity": {"always": false, "max_value": 5},
           "old_identity": {"always": false}})j",
       "1 position of the identity of public.g.id outside its new bounds (MAXVALUE 5); for "
       "example: 10"},
  };
  auto before = inspect(db);
  for (const auto& k : kinds) {
    auto dir = one_revision_dir(k.up, R"j({"op": "execute", "sql": "SELECT 1"})j");
    auto r = retort_at(db, dir, {"upgrade", "--precheck-only"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("precheck failed: revision 1aaaaaaaaaaa op #1 ("), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("): " + k.expected + "\n"), std::string::npos) << r.err;
    auto up = retort_at(db, dir, {"upgrade"});
    EXPECT_EQ(up.exit_code, 1) << up.err;
    EXPECT_NE(up.err.find("nothing was changed"), std::string::npos) << up.err;
    EXPECT_EQ(query_value(db, "SELECT to_regclass('public.retort_version') IS NULL"), "t");
  }
  EXPECT_EQ(inspect(db), before);
  // Fixed data passes, and the upgrade runs.
  exec_sql(db, "UPDATE t SET a = id");
  auto dir = one_revision_dir(kinds[0].up, R"j({"op": "drop_not_null", "schema": "public",
                                              "table": "t", "column": "a"})j");
  auto ok = retort_at(db, dir, {"upgrade", "--precheck-only"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("Pre-checks passed: 1 revision(s)"), std::string::npos) << ok.out;
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.retort_version') IS NULL"), "t");
  ASSERT_EQ(retort_at(db, dir, {"upgrade"}).exit_code, 0);
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa");
}

TEST(Runner, BranchAndMerge) {
  auto db = fresh_database();
  auto v = chain_dir();
  fs::remove(v + "/3ccccccccccc_third.json");
  write_text(v + "/4ddddddddddd_branch.json",
             revision_json("4ddddddddddd", "\"1aaaaaaaaaaa\"", execute("CREATE TABLE b (x int)"),
                           execute("DROP TABLE b")));
  auto heads = retort_at(db, v, {"heads"});
  EXPECT_NE(heads.out.find("2bbbbbbbbbbb"), std::string::npos);
  EXPECT_NE(heads.out.find("4ddddddddddd"), std::string::npos);
  auto ambiguous = retort_at(db, v, {"upgrade", "head"});
  EXPECT_NE(ambiguous.exit_code, 0);
  EXPECT_NE(ambiguous.err.find("there are 2 heads"), std::string::npos) << ambiguous.err;
  auto refused = retort_at(db, v, {"revision", "-m", "x"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("merge them first"), std::string::npos) << refused.err;

  auto merge = retort_at(db, v, {"merge", "-m", "join", "2bb", "4dd"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  auto one_head = retort_at(db, v, {"heads"});
  EXPECT_EQ(std::count(one_head.out.begin(), one_head.out.end(), '\n'), 1) << one_head.out;
  EXPECT_NE(one_head.out.find("(merge)"), std::string::npos) << one_head.out;
  ASSERT_EQ(retort_at(db, v, {"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM public.retort_version"), "4");
  ASSERT_EQ(retort_at(db, v, {"downgrade", "2bbbbbbbbbbb"}).exit_code, 0);
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa,2bbbbbbbbbbb");
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.b') IS NULL"), "t");
}

TEST(Runner, Stamp) {
  auto db = fresh_database();
  auto v = chain_dir();
  ASSERT_EQ(retort_at(db, v, {"stamp", "head"}).exit_code, 0);
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa,2bbbbbbbbbbb,3ccccccccccc");
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.\"user\"') IS NULL"), "t");
  ASSERT_EQ(retort_at(db, v, {"stamp", "1aaa"}).exit_code, 0);
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa");
  ASSERT_EQ(retort_at(db, v, {"stamp", "base"}).exit_code, 0);
  EXPECT_EQ(applied(db), "");
}

TEST(Runner, SqlScriptReplayedByPsqlEqualsALiveUpgrade) {
  auto live = fresh_database();
  auto replayed = fresh_database();
  auto v = chain_dir();
  ASSERT_EQ(retort_at(live, v, {"upgrade", "head"}).exit_code, 0);
  // FROM:TO needs no database at all.
  auto script =
      run_retort({"--versions", v, "--schema", "public", "upgrade", "base:head", "--sql"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_NE(script.out.find("BEGIN;"), std::string::npos);
  EXPECT_NE(script.out.find("COMMIT;"), std::string::npos);
  write_text(v + "/../replay.sql", script.out);
  auto psql =
      run_shell("psql -X -q -v ON_ERROR_STOP=1 '" + replayed + "' -f " + v + "/../replay.sql");
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(inspect(live), inspect(replayed));
  EXPECT_EQ(applied(live), applied(replayed));
  EXPECT_EQ(
      query_value(live,
                  "SELECT string_agg(checksum, ',' ORDER BY revision) FROM public.retort_version"),
      query_value(replayed,
                  "SELECT string_agg(checksum, ',' ORDER BY revision) FROM public.retort_version"));
  // And back down, from the database's own state.
  auto down = retort_at(replayed, v, {"downgrade", "base", "--sql"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  write_text(v + "/../down.sql", down.out);
  ASSERT_EQ(run_shell("psql -X -q -v ON_ERROR_STOP=1 '" + replayed + "' -f " + v + "/../down.sql")
                .exit_code,
            0);
  EXPECT_EQ(applied(replayed), "");
}

TEST(Runner, FailureInTheSecondOfThreeLeavesExactlyTheFirst) {
  auto db = fresh_database();
  auto v = chain_dir();
  write_text(v + "/2bbbbbbbbbbb_second.json",
             revision_json("2bbbbbbbbbbb", "\"1aaaaaaaaaaa\"",
                           R"({"op": "add_column", "schema": "public", "table": "user",
                 "column": {"name": "ok", "type": "text", "nullable": true}}, )" +
                               execute("INSERT INTO public.nowhere VALUES (1)"),
                           ""));
  auto r = retort_at(db, v, {"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("revision 2bbbbbbbbbbb ("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2bbbbbbbbbbb_second.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("upgrade op #2: execute: INSERT INTO public.nowhere"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("SQL: INSERT INTO public.nowhere VALUES (1)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("relation \"public.nowhere\" does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa");
  EXPECT_EQ(
      query_value(db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'ok'"),
      "0");
}

// A revision goes to the server as one script; hand-written SQL with its own semicolons and a
// trailing line comment must not swallow what follows it.
TEST(Runner, HandWrittenSqlWithSemicolonsAndCommentsApplies) {
  auto db = fresh_database();
  auto v = one_revision_dir(execute("CREATE TABLE public.a (id int); -- the table") + ", " +
                                execute("INSERT INTO public.a VALUES (1);"),
                            execute("DROP TABLE public.a -- gone"));
  auto up = retort_at(db, v, {"upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM public.a"), "1");
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa");
  auto down = retort_at(db, v, {"downgrade", "base"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_class WHERE relname = 'a'"), "0");
  fs::remove_all(v);
}

// A deferred constraint fails at COMMIT, after every statement succeeded: nothing is applied and
// the error still names the revision and the server's reason.
TEST(Runner, FailureAtCommitAppliesNothing) {
  auto db = fresh_database();
  auto v = one_revision_dir(execute("CREATE TABLE public.p (id int PRIMARY KEY)") + ", " +
                                execute("CREATE TABLE public.c (p int REFERENCES public.p "
                                        "DEFERRABLE INITIALLY DEFERRED)") +
                                ", " + execute("INSERT INTO public.c VALUES (7)"),
                            "");
  auto r = retort_at(db, v, {"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("revision 1aaaaaaaaaaa ("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("violates foreign key constraint"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("failed at COMMIT"), std::string::npos) << r.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_class WHERE relname IN ('p', 'c')"), "0");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM public.retort_version"), "0");
  fs::remove_all(v);
}

TEST(Runner, TwoConcurrentMigratorsApplyEachRevisionOnce) {
  auto db = fresh_database();
  auto v = retort::test::temp_dir("versions");
  write_text(v + "/1aaaaaaaaaaa_log.json",
             revision_json("1aaaaaaaaaaa", "null",
                           execute("CREATE TABLE log (rev text); SELECT pg_sleep(1)"),
                           execute("DROP TABLE log")));
  write_text(v + "/2bbbbbbbbbbb_two.json",
             revision_json("2bbbbbbbbbbb", "\"1aaaaaaaaaaa\"",
                           execute("INSERT INTO log VALUES ('2')"), ""));
  write_text(v + "/3ccccccccccc_three.json",
             revision_json("3ccccccccccc", "\"2bbbbbbbbbbb\"",
                           execute("INSERT INTO log VALUES ('3')"), ""));
  std::string cmd =
      std::string("'") + RETORT_BINARY + "' --url '" + db + "' --versions " + v + " upgrade head";
  auto r =
      run_shell("(" + cmd + " > " + v + "/a.out 2>&1 & " + cmd + " > " + v + "/b.out 2>&1 & wait)");
  EXPECT_EQ(r.exit_code, 0);
  auto a = retort::test::read_text(v + "/a.out"), b = retort::test::read_text(v + "/b.out");
  EXPECT_EQ(query_value(db, "SELECT string_agg(rev, ',' ORDER BY rev) FROM log"), "2,3");
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa,2bbbbbbbbbbb,3ccccccccccc");
  EXPECT_NE((a + b).find("waiting for another migrator"), std::string::npos) << a << b;
  // The lock is held per revision: the second migrator skips what the first applied.
  EXPECT_NE((a + b).find("another migrator applied it meanwhile"), std::string::npos) << a << b;
  int applied_lines = 0;
  for (auto text : {a, b})
    for (std::size_t p = text.find("\napplied "); p != std::string::npos;
         p = text.find("\napplied ", p + 1))
      ++applied_lines;
  auto starts = [](const std::string& t) { return t.starts_with("applied ") ? 1 : 0; };
  EXPECT_EQ(applied_lines + starts(a) + starts(b), 3) << a << b;
}

TEST(Runner, EditedAppliedFileIsRefused) {
  auto db = fresh_database();
  auto v = chain_dir();
  ASSERT_EQ(retort_at(db, v, {"upgrade", "2bb"}).exit_code, 0);
  auto text = retort::test::read_text(v + "/1aaaaaaaaaaa_first.json");
  write_text(v + "/1aaaaaaaaaaa_first.json", text + "\n");
  auto r = retort_at(db, v, {"upgrade", "head"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(
      r.err.find("1aaaaaaaaaaa_first.json: revision 1aaaaaaaaaaa was edited after it was applied"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(applied(db), "1aaaaaaaaaaa,2bbbbbbbbbbb");
  // A revision applied to the database but missing from versions/ is refused too.
  fs::remove(v + "/1aaaaaaaaaaa_first.json");
  write_text(v + "/1aaaaaaaaaaa_first.json", text);
  fs::remove(v + "/3ccccccccccc_third.json");
  fs::remove(v + "/2bbbbbbbbbbb_second.json");
  auto missing = retort_at(db, v, {"current"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("revision 2bbbbbbbbbbb is applied to the database but has no file"),
            std::string::npos)
      << missing.err;
}

struct Malformed {
  std::string name;
  std::string text;
  std::string expected;
};

TEST(Runner, MalformedFilesAreReportedBeforeTouchingTheDatabase) {
  auto db = fresh_database();
  std::vector<Malformed> cases = {
      {"9eeeeeeeeeee_bad.json", "{\"revision\": \"9eeeeeeeeeee\",", "9eeeeeeeeeee_bad.json:1:"},
      {"9eeeeeeeeeee_bad.json",
       revision_json("9eeeeeeeeeee", "\"3ccccccccccc\"", R"({"op": "rename_everything"})", ""),
       "9eeeeeeeeeee_bad.json: at /upgrade/0/op: expected a known op"},
      {"9eeeeeeeeeee_bad.json",
       revision_json("9eeeeeeeeeee", "\"3ccccccccccc\"",
                     R"({"op": "add_column", "schema": "public", "table": "user"})", ""),
       "9eeeeeeeeeee_bad.json: at /upgrade/0: missing required key \"column\""},
      {"9eeeeeeeeeee_bad.json",
       revision_json("9eeeeeeeeeee", "\"3ccccccccccc\"",
                     R"({"op": "drop_not_null", "schema": "public", "table": "user", "column": 5})",
                     ""),
       "9eeeeeeeeeee_bad.json: at /upgrade/0/column: expected a string, found a number"},
      {"9eeeeeeeeeee_bad.json", revision_json("8fffffffffff", "\"3ccccccccccc\"", "", ""),
       "the file name does not start with its revision id \"8fffffffffff\""},
      {"9eeeeeeeeeee_bad.json", revision_json("9eeeeeeeeeee", "\"0000000000ab\"", "", ""),
       "9eeeeeeeeeee_bad.json: down_revision 0000000000ab does not exist"},
      {"9eeeeeeeeeee_bad.json", revision_json("1aaaaaaaaaaa", "null", "", ""),
       "the file name does not start with its revision id"},
  };
  for (const auto& c : cases) {
    auto v = chain_dir();
    write_text(v + "/" + c.name, c.text);
    auto r = retort_at(db, v, {"upgrade", "head"});
    EXPECT_NE(r.exit_code, 0) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot: " << r.err;
    EXPECT_EQ(query_value(db, "SELECT to_regclass('public.retort_version') IS NULL"), "t");
    EXPECT_EQ(query_value(db, "SELECT to_regclass('public.\"user\"') IS NULL"), "t");
  }
}

}  // namespace
}  // namespace retort::test
