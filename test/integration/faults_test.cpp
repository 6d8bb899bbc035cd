// The runner under faults, locks and hostile input: nothing runs twice, no false success, no
// silent hang, no orphaned server backend. Each test reproduces a defect seen before the fix.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "pg_server.hpp"
#include "revision_files.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

namespace fs = std::filesystem;

// A versions/ directory of chained revisions, one per element: their upgrade ops.
std::string chain(const std::vector<std::string>& ups) {
  auto dir = retort::test::temp_dir("versions");
  std::string parent = "null";
  for (std::size_t i = 0; i < ups.size(); ++i) {
    std::string id(12, static_cast<char>('1' + i));
    write_text(dir + "/" + id + "_r.json", revision_json(id, parent, ups[i], ""));
    parent = "\"" + id + "\"";
  }
  return dir;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Server backends (other than the asking one) running a query containing `needle`.
int backends_running(const std::string& url, const std::string& needle) {
  return std::stoi(query_value(
      url, "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE " +
               quoted("%" + needle + "%") + " AND query NOT LIKE '%pg_stat_activity%'"));
}

// Waits up to `limit` for no backend to be running `needle`; true when none is.
bool gone_within(const std::string& url, const std::string& needle,
                 std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (backends_running(url, needle) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return backends_running(url, needle) == 0;
}

// `retort upgrade head` as a shell command line.
std::string upgrade_command(const std::string& url, const std::string& versions) {
  std::string cmd = "'";
  cmd += RETORT_BINARY;
  cmd += "' --url '" + url + "' --versions " + versions + " --schema public upgrade head";
  return cmd;
}

// Runs retort in the background, sends `signal` after `delay_s` seconds, waits for it.
retort::test::ToolResult signalled(const std::string& url, const std::string& versions,
                                   const std::string& signal, const std::string& delay_s) {
  auto dir = retort::test::temp_dir("signal");
  auto cmd = upgrade_command(url, versions);
  auto r = run_shell("(" + cmd + " > " + dir + "/out 2> " + dir + "/err & p=$!; sleep " + delay_s +
                     "; kill -" + signal + " $p; wait $p; echo $? > " + dir + "/rc)");
  retort::test::ToolResult out;
  out.exit_code = std::stoi(read_text(dir + "/rc"));
  out.out = read_text(dir + "/out");
  out.err = read_text(dir + "/err");
  fs::remove_all(dir);
  return out;
}

// Defect: after a failure the ops were replayed one by one "to name the failing op", so
// everything before the failing op ran twice. A sequence is not rolled back: it counts runs.
TEST(Faults, AFailingRevisionRunsEachOpOnce) {
  auto db = fresh_database();
  exec_sql(db, "CREATE SEQUENCE public.runs");
  auto v = chain({execute("SELECT nextval('public.runs')") + ", " +
                  R"({"op": "add_column", "schema": "public", "table": "nowhere",
                      "column": {"name": "c", "type": "text", "nullable": true}})"});
  auto r = retort_at(db, v, {"upgrade"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("upgrade op #2: add column public.nowhere.c"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("relation \"public.nowhere\" does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(query_value(db, "SELECT last_value FROM public.runs"), "1");
  EXPECT_EQ(applied(db), "");
}

// Many generated ops go as one pipelined batch; a failure deep inside still names its op.
TEST(Faults, AFailureInsideABatchNamesItsOp) {
  auto db = fresh_database();
  std::string ops;
  for (int i = 0; i < 50; ++i)
    ops += R"({"op": "create_schema", "schema": "s)" + std::to_string(i) + R"("}, )";
  ops += R"({"op": "set_default", "schema": "public", "table": "t", "column": "c",
             "default": "1 +", "old_default": null}, {"op": "create_schema", "schema": "z"})";
  exec_sql(db, "CREATE TABLE public.t (c int)");
  auto v = chain({ops});
  auto r = retort_at(db, v, {"upgrade"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("upgrade op #51: set default"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SQL: ALTER TABLE \"public\".\"t\" ALTER COLUMN \"c\" SET DEFAULT 1 +"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 's%'"), "0");
}

// Defect: BEGIN/COMMIT inside an execute op committed part of a revision.
TEST(Faults, TransactionControlInExecuteIsRefusedAtReadTime) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE public.t (a int); INSERT INTO public.t VALUES (0)");
  for (auto sql :
       {"BEGIN; UPDATE public.t SET a = a + 1; COMMIT;", "UPDATE public.t SET a = 1; end",
        "SAVEPOINT x", "/* hi */ rollback", "CREATE INDEX CONCURRENTLY i ON public.t (a)"}) {
    auto v = chain({execute(sql)});
    auto r = retort_at(db, v, {"upgrade"});
    EXPECT_EQ(r.exit_code, 1) << sql;
    EXPECT_NE(r.err.find("111111111111_r.json: at /upgrade/0/sql:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("\"transactional\": false"), std::string::npos) << r.err;
  }
  EXPECT_EQ(query_value(db, "SELECT a FROM public.t"), "0");
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.retort_version') IS NULL"), "t");
  // Quoted, commented and dollar-quoted text is not a statement.
  auto fine = chain({execute("SELECT 'BEGIN; COMMIT'; -- COMMIT\\nDO $$ BEGIN PERFORM 1; END $$")});
  auto ok = retort_at(db, fine, {"upgrade"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// CREATE INDEX CONCURRENTLY needs an op of its own, run outside the transaction and recorded.
TEST(Faults, NonTransactionalOpRunsOutsideTheTransaction) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE public.t (a int)");
  auto concurrently = std::string(
      R"j({"op": "execute", "sql": "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON public.t (a)",
          "down_sql": "DROP INDEX CONCURRENTLY public.t_a", "transactional": false})j");
  auto v = chain({concurrently});
  auto r = retort_at(db, v, {"upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_a'"), "1");
  EXPECT_EQ(applied(db), "111111111111");
  auto script = retort_at(db, v, {"upgrade", "base:head", "--sql"});
  EXPECT_NE(script.out.find("-- outside a transaction:\nCREATE INDEX CONCURRENTLY"),
            std::string::npos)
      << script.out;
  // Alone in its list, or refused.
  auto mixed = chain({concurrently + ", " + execute("SELECT 1")});
  auto refused = retort_at(fresh_database(), mixed, {"upgrade"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("must be the only op of its list"), std::string::npos) << refused.err;
}

// Defect: a NUL byte cut the batch, the version row was never written, and retort said "done".
TEST(Faults, ControlBytesAreRefused) {
  auto db = fresh_database();
  for (auto [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"/upgrade/0/sql", execute("SELECT 1\\u0000; DROP TABLE x")},
           {"/upgrade/0/schema", R"({"op": "create_schema", "schema": "a\u0007b"})"},
           {"/upgrade/0/schema", R"({"op": "create_schema", "schema": ""})"}}) {
    auto v = chain({value});
    auto r = retort_at(db, v, {"upgrade"});
    EXPECT_EQ(r.exit_code, 1) << value;
    EXPECT_NE(r.err.find("111111111111_r.json: at " + field), std::string::npos) << r.err;
  }
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.retort_version') IS NULL"), "t");
}

// Defect: a newline in a revision message became a live statement in `upgrade --sql`.
TEST(Faults, SqlScriptCommentsCannotBeEscaped) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE public.keep (a int)");
  auto v = retort::test::temp_dir("versions");
  auto made = retort_at(db, v, {"revision", "-m", "x\nDROP TABLE public.keep; --"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto script = retort_at(db, v, {"upgrade", "base:head", "--sql"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_NE(script.out.find(": x\\nDROP TABLE public.keep; -- ("), std::string::npos) << script.out;
  write_text(v + "/../script.sql", script.out);
  auto psql = run_shell("psql -X -q -v ON_ERROR_STOP=1 '" + db + "' -f " + v + "/../script.sql");
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.keep') IS NOT NULL"), "t");
}

// Defect: exit 139 (stack overflow) on deep nesting, from every command that reads files.
TEST(Faults, DeepNestingIsAnErrorNotACrash) {
  auto db = fresh_database();
  auto v = retort::test::temp_dir("versions");
  std::string deep = std::string(30000, '[') + std::string(30000, ']');
  write_text(v + "/aaaaaaaaaaaa_deep.json",
             R"({"revision": "aaaaaaaaaaaa", "upgrade": )" + deep + "}");
  for (auto args : std::vector<std::vector<std::string>>{{"history"}, {"upgrade"}}) {
    auto r = retort_at(db, v, args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << r.err;
    EXPECT_NE(r.err.find("aaaaaaaaaaaa_deep.json: at /upgrade/0/0/0"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nested deeper than 64 levels"), std::string::npos) << r.err;
  }
  write_text(v + "/../snap.json", R"({"format": "retort-snapshot", "schemas": )" + deep + "}");
  auto check =
      run_retort({"--url", db, "--schema", "public", "check", "--target", v + "/../snap.json"});
  EXPECT_EQ(check.exit_code, 3) << check.err;
  EXPECT_NE(check.err.find("snap.json: at /schemas/0/0"), std::string::npos) << check.err;
}

// Defect: duplicate keys, wrapped numbers and malformed ids were accepted.
TEST(Faults, LooseJsonIsRefusedNamingFileAndPath) {
  auto db = fresh_database();
  struct Case {
    std::string text, expected;
  };
  std::vector<Case> cases = {
      {R"({"revision": "aaaaaaaaaaaa", "down_revision": null, "message": "m", "created_at": "x",
          "upgrade": [], "upgrade": [], "downgrade": []})",
       "aaaaaaaaaaaa_x.json: at /upgrade: the key \"upgrade\" appears twice"},
      {R"({"revision": "aaaaaaaaaaaa", "down_revision": "bbbb", "message": "m", "created_at": "x",
          "upgrade": [], "downgrade": []})",
       "aaaaaaaaaaaa_x.json: at /down_revision: \"bbbb\" is not a revision id"},
      {R"({"revision": "aaaaaaaaaaaa", "down_revision": null, "message": "m", "created_at": "x",
          "upgrade": [{"op": "create_table", "schema": "public", "table": {"name": "t",
          "columns": [{"name": "id", "type": "bigint", "nullable": false,
          "identity": {"always": true, "start": 18446744073709551615}}]}}], "downgrade": []})",
       "aaaaaaaaaaaa_x.json: at /upgrade/0/table/columns/0/identity/start: 18446744073709551615 is "
       "out of range"},
      {R"({"revision": "aaaaaaaaaaaa", "down_revision": null, "message": "m", "created_at": "x",
          "upgrade": [{"op": "add_primary_key", "schema": "public", "table": "t",
          "primary_key": {"name": "p", "columns": []}}], "downgrade": []})",
       "aaaaaaaaaaaa_x.json: at /upgrade/0/primary_key/columns: expected a non-empty list"},
      {R"({"revision": "aaaaaaaaaaaa", "down_revision": null, "message": "m", "created_at": "x",
          "upgrade": [{"op": "execute", "sql": "SELECT 1e999", "x": 1e999}], "downgrade": []})",
       "aaaaaaaaaaaa_x.json: invalid JSON: number overflow"},
  };
  for (const auto& c : cases) {
    auto v = retort::test::temp_dir("versions");
    write_text(v + "/aaaaaaaaaaaa_x.json", c.text);
    auto r = retort_at(db, v, {"upgrade"});
    EXPECT_EQ(r.exit_code, 1) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot: " << r.err;
  }
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.retort_version') IS NULL"), "t");
}

// Defect: false successes (exit 0) on a wrong directory, a gap in the version table, a typo.
TEST(Faults, ExitCodesNeverLie) {
  auto db = fresh_database();
  auto v =
      chain({execute("CREATE TABLE public.a (x int)"), execute("CREATE TABLE public.b (x int)"),
             execute("CREATE TABLE public.c (x int)")});
  ASSERT_EQ(retort_at(db, v, {"upgrade"}).exit_code, 0);
  for (auto cmd : {"upgrade", "history", "current"}) {
    auto r = retort_at(db, v + "/nowhere", {cmd});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_NE(r.err.find("nowhere\" does not exist"), std::string::npos) << r.err;
  }
  // A middle row deleted by hand: nothing may run on top of it; stamp is the fix.
  exec_sql(db, "DELETE FROM public.retort_version WHERE revision = '222222222222'");
  for (auto args :
       std::vector<std::vector<std::string>>{{"upgrade"}, {"current"}, {"downgrade", "base"}}) {
    auto r = retort_at(db, v, args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("lists revision 333333333333 as applied but not its parent 222222222222"),
              std::string::npos)
        << r.err;
  }
  ASSERT_EQ(retort_at(db, v, {"stamp", "head"}).exit_code, 0);
  EXPECT_EQ(retort_at(db, v, {"current"}).exit_code, 0);

  auto typo = run_retort({"--url", db, "--versions", v, "--schema", "pubilc", "check"});
  EXPECT_EQ(typo.exit_code, 3) << typo.out << typo.err;
  EXPECT_NE(typo.err.find("schema \"pubilc\" (--schema) exists neither"), std::string::npos)
      << typo.err;
  auto usage = run_retort({"--url", db, "check", "--no-such-option"});
  EXPECT_EQ(usage.exit_code, 3) << usage.err;
  auto two = retort_at(db, v, {"downgrade", "-1", "-2"});
  EXPECT_EQ(two.exit_code, 2) << two.err;
  EXPECT_NE(two.err.find("give one TARGET"), std::string::npos) << two.err;
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM public.retort_version"), "3");
}

// --help answers before anything is read or reached: no database, no versions/ needed.
TEST(Faults, EveryCommandsHelpExitsZeroWithoutTouchingAnything) {
  for (auto cmd : {"init", "erd", "models", "inspect", "diff", "check", "revision", "merge",
                   "upgrade", "downgrade", "stamp", "history", "heads", "current", "show"}) {
    auto r = run_retort(
        {"--url", "postgresql://nobody@127.0.0.1:1/none", "--versions", "/nowhere", cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find(std::string("retort ") + cmd), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--help"), std::string::npos) << cmd << ": " << r.out;
    EXPECT_EQ(r.err, "") << cmd;
  }
}

TEST(Faults, CheckSaysWhenTheDatabaseIsMerelyBehind) {
  auto db = fresh_database();
  auto versions = std::string(RETORT_SOURCE_DIR) + "/versions";
  auto all = run_retort({"--url", db, "--versions", versions, "upgrade", "head"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  ASSERT_EQ(run_retort({"--url", db, "--versions", versions, "downgrade", "-1"}).exit_code, 0);
  auto r = run_retort({"--url", db, "--versions", versions, "check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("The database is behind: 1 revision(s) in"), std::string::npos) << r.out;
}

// Defect: a locked table made upgrade wait forever, silently.
TEST(Faults, LockTimeoutNamesTheBlockerAndRetries) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE public.busy (a int)");
  auto v = chain({R"({"op": "add_column", "schema": "public", "table": "busy",
                      "column": {"name": "b", "type": "text", "nullable": true}})"});
  pqxx::connection holder(db + "?application_name=the_blocker");
  pqxx::work hold(holder);
  hold.exec("LOCK TABLE public.busy IN ACCESS SHARE MODE");
  auto start = std::chrono::steady_clock::now();
  auto r = retort_at(db, v, {"upgrade", "--lock-timeout", "1500ms", "--lock-retries", "1"});
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(seconds, 15);
  EXPECT_NE(r.err.find("hit the lock timeout (1500 ms) at upgrade op #1 (add column"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("a lock on public.busy held by pid " + std::to_string(holder.backendpid()) +
                       " (application \"the_blocker\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("retrying in"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gave up after 2 attempts"), std::string::npos) << r.err;
  hold.abort();
  EXPECT_EQ(applied(db), "");
  auto later = retort_at(db, v, {"upgrade", "--lock-timeout", "2s"});
  EXPECT_EQ(later.exit_code, 0) << later.err;
}

// lock-timeout in retort.ini is the default the command line can override.
TEST(Faults, LockTimeoutFromTheProjectFile) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE public.busy (a int)");
  auto v = chain({R"({"op": "add_column", "schema": "public", "table": "busy",
                      "column": {"name": "b", "type": "text", "nullable": true}})"});
  auto project = retort::test::temp_dir("project");
  retort::test::write_text(project + "/retort.ini",
                           "versions = " + v + "\nschema = public\nlock-timeout = 700ms\n");
  pqxx::connection holder(db);
  pqxx::work hold(holder);
  hold.exec("LOCK TABLE public.busy IN ACCESS SHARE MODE");
  auto r = run_retort({"--url", db, "upgrade"}, project);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("hit the lock timeout (700 ms)"), std::string::npos) << r.err;
  auto flag = run_retort({"--url", db, "upgrade", "--lock-timeout", "900ms"}, project);
  EXPECT_NE(flag.err.find("hit the lock timeout (900 ms)"), std::string::npos) << flag.err;
  hold.abort();
  EXPECT_EQ(applied(db), "");
  std::filesystem::remove_all(project);
}

// Without --lock-timeout a wait is still never silent, and SIGTERM ends it.
TEST(Faults, AWaitSaysWhoBlocksItAndSigtermEndsIt) {
  auto db = fresh_database();
  exec_sql(db, "CREATE TABLE public.busy (a int)");
  auto v = chain({R"({"op": "drop_table", "schema": "public", "table": {"name": "busy",
                      "columns": [{"name": "a", "type": "integer", "nullable": true}]}})"});
  pqxx::connection holder(db + "?application_name=the_blocker");
  pqxx::work hold(holder);
  hold.exec("SELECT count(*) FROM public.busy");
  auto r = signalled(db, v, "TERM", "3");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("waiting for a lock on public.busy held by pid " +
                       std::to_string(holder.backendpid()) + " (application \"the_blocker\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("interrupted: revision 111111111111"), std::string::npos) << r.err;
  EXPECT_TRUE(gone_within(db, "DROP TABLE", std::chrono::seconds(2)));
  hold.abort();
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.busy') IS NOT NULL"), "t");
}

// A statement that runs long says so: nothing hangs silently.
TEST(Faults, ALongStatementReportsProgress) {
  auto db = fresh_database();
  auto v = chain({execute("SELECT pg_sleep(5.6)")});
  auto r = retort_at(db, v, {"upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("  still applying 111111111111 rev 111111111111 ... 4 s, at upgrade op #1 "
                       "(execute: SELECT pg_sleep(5.6))"),
            std::string::npos)
      << r.err;
  // One progress reporter: the runner's own "still running" line is left to the CLI's.
  EXPECT_EQ(r.err.find("still running"), std::string::npos) << r.err;
}

// A migrator waiting for the migrators' lock says who holds it and honours --lock-timeout.
TEST(Faults, WaitingForTheMigratorsLockNamesTheHolder) {
  auto db = fresh_database();
  auto v = chain({execute("CREATE TABLE public.a (x int)")});
  pqxx::connection holder(db + "?application_name=retort%20upgrade%20elsewhere");
  pqxx::work hold(holder);
  hold.exec("SELECT pg_advisory_xact_lock(" + std::to_string(0x7265746f7274LL) + ")");
  auto r = retort_at(db, v, {"upgrade", "--lock-timeout", "1s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("waiting for another migrator to finish (the migrators' lock, held by pid " +
                       std::to_string(holder.backendpid()) +
                       ", application \"retort upgrade elsewhere\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("gave up waiting for the migrators' lock after the lock timeout (1000 ms)"),
            std::string::npos)
      << r.err;
}

// Defect: SIGTERM left the server backend running the revision, holding its locks.
TEST(Faults, SigtermCancelsTheServerStatement) {
  auto db = fresh_database();
  auto v = chain({execute("CREATE TABLE public.a (x int)"),
                  execute("CREATE TABLE public.b (x int); SELECT pg_sleep(60)")});
  auto start = std::chrono::steady_clock::now();
  auto r = signalled(db, v, "TERM", "2");
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(seconds, 10);
  EXPECT_NE(r.err.find("SIGTERM received: cancelling the running statement"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("interrupted: revision 222222222222"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rolled back; nothing of it was applied"), std::string::npos) << r.err;
  EXPECT_TRUE(gone_within(db, "pg_sleep(60)", std::chrono::seconds(2)));
  EXPECT_EQ(applied(db), "111111111111");
  EXPECT_EQ(query_value(db, "SELECT to_regclass('public.b') IS NULL"), "t");
}

// kill -9 of retort: the server ends the orphaned transaction, the database is at a revision
// boundary, and a rerun applies the rest exactly once.
TEST(Faults, KillNineLeavesARevisionBoundaryAndARerunCompletes) {
  auto db = fresh_database();
  auto v = chain({execute("CREATE TABLE public.log (n int); INSERT INTO public.log VALUES (1)"),
                  execute("INSERT INTO public.log VALUES (2); SELECT pg_sleep(60)"),
                  execute("INSERT INTO public.log VALUES (3)")});
  auto r = signalled(db, v, "KILL", "2");
  EXPECT_EQ(r.exit_code, 137) << r.err;
  EXPECT_TRUE(gone_within(db, "pg_sleep(60)", std::chrono::seconds(5)));
  EXPECT_EQ(applied(db), "111111111111");
  // Revision 2 still sleeps a minute on a rerun: make it quick, as a fixed file would be.
  auto fixed = chain({execute("CREATE TABLE public.log (n int); INSERT INTO public.log VALUES (1)"),
                      execute("INSERT INTO public.log VALUES (2)"),
                      execute("INSERT INTO public.log VALUES (3)")});
  fs::copy_file(v + "/111111111111_r.json", fixed + "/111111111111_r.json",
                fs::copy_options::overwrite_existing);
  auto rerun = retort_at(db, fixed, {"upgrade"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(query_value(db, "SELECT string_agg(n::text, ',' ORDER BY n) FROM public.log"), "1,2,3");
}

// Defect: a lost connection said "Could not obtain client encoding: not connected."
TEST(Faults, LostConnectionNamesTheRevisionAndTheReason) {
  auto db = fresh_database();
  auto v = chain({execute("CREATE TABLE public.a (x int)"),
                  execute("CREATE TABLE public.b (x int); SELECT pg_sleep(30)")});
  auto dir = retort::test::temp_dir("lost");
  auto cmd = upgrade_command(db, v);
  auto r = run_shell("(" + cmd + " > " + dir + "/out 2> " + dir +
                     "/err & p=$!; sleep 2; psql -X -q '" + db +
                     "' -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query "
                     "LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()\" >/dev/null; wait $p; "
                     "echo $? > " +
                     dir + "/rc)");
  auto err = read_text(dir + "/err");
  EXPECT_EQ(read_text(dir + "/rc"), "1\n") << err;
  EXPECT_NE(err.find("lost the connection to the database while applying revision 222222222222"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("did not commit"), std::string::npos) << err;
  EXPECT_EQ(err.find("client encoding"), std::string::npos) << err;
  EXPECT_EQ(applied(db), "111111111111");
}

// Defect: libpq's URI parse errors echoed the password.
TEST(Faults, PasswordsNeverAppear) {
  for (auto url :
       {"postgresql://u:s3cretpw@[::1:5/x", "postgresql://u:s3cr%zzetpw@localhost/x",
        "postgresql://u:s3cretpw@localhost:99999/x", "host=localhost password=s3cretpw port=abc"}) {
    auto r = run_retort({"--url", url, "current", "--versions", RETORT_SOURCE_DIR "/versions"});
    EXPECT_EQ(r.exit_code, 1) << url;
    EXPECT_EQ(r.err.find("s3cr"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("etpw"), std::string::npos) << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

// Defect: a downgrade dropped a column of 200,000 values without a word; stored warnings were
// never shown.
TEST(Faults, DowngradeRefusesToDropDataAndWarningsAreShown) {
  auto db = fresh_database();
  auto v = retort::test::temp_dir("versions");
  auto column = R"({"name": "note", "type": "text", "nullable": true})";
  write_text(v + "/111111111111_t.json",
             revision_json("111111111111", "null",
                           execute("CREATE TABLE public.t (id int)", "DROP TABLE public.t"),
                           execute("DROP TABLE public.t")));
  write_text(v + "/222222222222_c.json",
             revision_json("222222222222", "\"111111111111\"",
                           std::string(R"({"op": "add_column", "schema": "public", "table": "t",
                                          "column": )") +
                               column + "}",
                           std::string(R"({"op": "drop_column", "schema": "public", "table": "t",
                                          "column": )") +
                               column + "}",
                           R"("the downgrade drops public.t.note and its values")"));
  auto up = retort_at(db, v, {"upgrade"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.err.find("warning: 222222222222: the downgrade drops public.t.note"),
            std::string::npos)
      << up.err;
  // Empty: nothing to lose.
  ASSERT_EQ(retort_at(db, v, {"downgrade", "-1"}).exit_code, 0);
  ASSERT_EQ(retort_at(db, v, {"upgrade"}).exit_code, 0);
  exec_sql(db, "INSERT INTO public.t SELECT g, 'n' || g FROM generate_series(1, 200000) g");
  auto refused = retort_at(db, v, {"downgrade", "-1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("revision 222222222222"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("drops column public.t.note, which holds values"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--allow-data-loss"), std::string::npos) << refused.err;
  EXPECT_EQ(applied(db), "111111111111,222222222222");
  auto forced = retort_at(db, v, {"downgrade", "-1", "--allow-data-loss"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(applied(db), "111111111111");
}

}  // namespace

namespace {

// A PgBouncer in transaction pooling mode in front of the throwaway server, removed at the end
// (or by its watchdog when this process dies).
class Bouncer {
 public:
  Bouncer() {
    const auto& url = retort::test::PgServer::instance().url();  // ...@127.0.0.1:PORT/postgres
    auto colon = url.rfind(':'), slash = url.rfind('/');
    auto out = run_shell(std::string(RETORT_SOURCE_DIR) + "/scripts/throwaway-pgbouncer.sh start " +
                         "127.0.0.1 " + url.substr(colon + 1, slash - colon - 1) +
                         " --mode transaction --watch " + std::to_string(getpid()));
    if (out.exit_code != 0) throw std::runtime_error("pgbouncer did not start: " + out.err);
    m_port = value(out.out, "RETORT_BOUNCER_PORT");
    m_dir = value(out.out, "RETORT_BOUNCER_DIR");
  }
  ~Bouncer() {
    run_shell(std::string(RETORT_SOURCE_DIR) + "/scripts/throwaway-pgbouncer.sh stop " + m_dir);
  }
  // The same database, reached through PgBouncer.
  std::string url_of(const std::string& direct) const {
    return "postgresql://postgres@127.0.0.1:" + m_port + direct.substr(direct.rfind('/'));
  }

 private:
  static std::string value(const std::string& text, const std::string& key) {
    auto pos = text.find(key + "=");
    if (pos == std::string::npos) throw std::runtime_error("no " + key + " in: " + text);
    auto end = text.find('\n', pos);
    return text.substr(pos + key.size() + 1, end - pos - key.size() - 1);
  }
  std::string m_port, m_dir;
};

// Through transaction pooling a session-level advisory lock is meaningless; the migrators' lock
// is taken per transaction, so two concurrent upgrades still apply each revision once, in order.
TEST(PgBouncer, TwoConcurrentUpgradesThroughTransactionPooling) {
  Bouncer bouncer;
  auto db = fresh_database();
  auto via = bouncer.url_of(db);
  auto v = chain({execute("CREATE TABLE public.log (rev text); SELECT pg_sleep(1)"),
                  execute("INSERT INTO public.log VALUES ('2'); SELECT pg_sleep(0.5)"),
                  execute("INSERT INTO public.log VALUES ('3')")});
  auto cmd = upgrade_command(via, v);
  auto r = run_shell("(" + cmd + " > " + v + "/a.out 2>&1; echo $? >> " + v + "/a.out) & (" + cmd +
                     " > " + v + "/b.out 2>&1; echo $? >> " + v + "/b.out) & wait");
  auto a = read_text(v + "/a.out"), b = read_text(v + "/b.out");
  EXPECT_TRUE(a.ends_with("\n0\n") && b.ends_with("\n0\n")) << a << b;
  EXPECT_EQ(query_value(db, "SELECT string_agg(rev, ',' ORDER BY rev) FROM public.log"), "2,3");
  EXPECT_EQ(applied(db), "111111111111,222222222222,333333333333");
  EXPECT_NE((a + b).find("waiting for another migrator"), std::string::npos) << a << b;
  // And a downgrade, a check of the version table and a cancel all work through it too.
  auto down = retort_at(via, v, {"downgrade", "-1"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(applied(db), "111111111111,222222222222");
  auto current = retort_at(via, v, {"current"});
  EXPECT_NE(current.out.find("222222222222"), std::string::npos) << current.out << current.err;

  // An online revision runs in steps, its migrators' lock held by a second connection in a
  // transaction of its own, through the pool too.
  auto online_db = fresh_database();
  exec_sql(online_db, "CREATE TABLE public.t (a int); INSERT INTO public.t VALUES (1), (2)");
  auto online = retort::test::temp_dir("versions");
  const std::string index = R"j("schema": "public", "table": "t", "online": true,
      "index": {"name": "t_a", "keys": [{"column": "a"}]})j";
  write_text(online + "/1aaaaaaaaaaa_online.json",
             revision_json("1aaaaaaaaaaa", "null", R"({"op": "create_index", )" + index + "}",
                           R"({"op": "drop_index", )" + index + "}"));
  auto built = retort_at(bouncer.url_of(online_db), online, {"upgrade"});
  EXPECT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(query_value(online_db,
                        "SELECT count(*) FROM pg_index WHERE indisvalid AND "
                        "indexrelid = 'public.t_a'::regclass"),
            "1");

  // PgBouncer forwards the cancel request: SIGTERM leaves no orphan behind it either.
  auto slow = chain({execute("CREATE TABLE public.slow (x int); SELECT pg_sleep(45)")});
  auto other = fresh_database();
  auto interrupted = signalled(bouncer.url_of(other), slow, "TERM", "2");
  EXPECT_EQ(interrupted.exit_code, 1) << interrupted.err;
  EXPECT_NE(interrupted.err.find("interrupted: revision 111111111111"), std::string::npos)
      << interrupted.err;
  EXPECT_TRUE(gone_within(other, "pg_sleep(45)", std::chrono::seconds(2)));
  EXPECT_EQ(query_value(other, "SELECT to_regclass('public.slow') IS NULL"), "t");
}

}  // namespace
}  // namespace retort::test
