// Fleets on the throwaway server: 50 databases with --jobs 4, a failing tenant with and without
// --continue-on-error, a failing canary, a rerun after a failure, 20 tenant schemas in one
// database, passwords never shown, and Ctrl-C cancelling a running statement.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "pg_server.hpp"
#include "revision_files.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

std::string server_base() {
  const auto& url = retort::test::PgServer::instance().url();
  return url.substr(0, url.rfind('/') + 1);
}

// `n` new empty databases named prefix_0 ... prefix_{n-1}; their URLs.
std::vector<std::string> databases(const std::string& prefix, int n) {
  pqxx::connection c(retort::test::PgServer::instance().url());
  pqxx::nontransaction tx(c);
  std::vector<std::string> urls;
  for (int i = 0; i < n; ++i) {
    auto name = prefix + "_" + std::to_string(i);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name));
    tx.exec("CREATE DATABASE " + tx.quote_name(name) + " TEMPLATE template0");
    urls.push_back(server_base() + name);
  }
  return urls;
}

const char* kItems = R"({"name": "items", "columns": [{"name": "id", "type": "integer",
    "nullable": false}], "primary_key": {"name": "items_pkey", "columns": ["id"]}})";

// Two revisions in `schema`: a table items, then a column items.name.
std::string versions(const std::string& schema = "public") {
  auto dir = temp_dir("versions");
  auto table = std::string(kItems);
  write_text(dir + "/1aaaaaaaaaaa_items.json",
             revision_json(
                 "1aaaaaaaaaaa", "null",
                 R"({"op": "create_table", "schema": ")" + schema + R"(", "table": )" + table + "}",
                 R"({"op": "drop_table", "schema": ")" + schema + R"(", "table": )" + table + "}"));
  auto column =
      R"("schema": ")" + schema +
      R"(", "table": "items", "column": {"name": "name", "type": "text", "nullable": true}})";
  write_text(dir + "/2bbbbbbbbbbb_name.json",
             revision_json("2bbbbbbbbbbb", "\"1aaaaaaaaaaa\"", R"({"op": "add_column", )" + column,
                           R"({"op": "drop_column", )" + column));
  return dir;
}

// The revisions recorded in a database's version table, or "none" without one.
std::string applied(const std::string& url, const std::string& schema = "public") {
  auto table = schema + ".retort_version";
  if (query_value(url, "SELECT to_regclass('" + table + "') IS NULL") == "t") return "none";
  return query_value(
      url, "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM " + table);
}

const std::string kHead = "1aaaaaaaaaaa,2bbbbbbbbbbb";

std::string targets_file(const std::string& dir, const std::vector<std::string>& urls) {
  std::string text = "# the fleet\n\n";
  for (std::size_t i = 0; i < urls.size(); ++i)
    text += "tenant_" + std::to_string(i) + " " + urls[i] + "\n";
  write_text(dir + "/targets.txt", text);
  return dir + "/targets.txt";
}

nlohmann::json report(const std::string& path) { return nlohmann::json::parse(read_text(path)); }

std::string statuses(const nlohmann::json& r) {
  std::string out;
  for (const auto& t : r["targets"]) out += t["status"].get<std::string>().substr(0, 1);
  return out;  // "o" ok, "u" up-to-date, "f" failed, "s" skipped
}

TEST(Fleet, FiftyDatabasesWithFourJobs) {
  auto urls = databases("fifty", 50);
  auto v = versions();
  auto dir = temp_dir("fleet");
  auto file = targets_file(dir, urls);
  auto start = std::chrono::steady_clock::now();
  auto r = run_retort({"--versions", v, "--schema", "public", "upgrade", "--targets", file,
                       "--jobs", "4", "--report", dir + "/report.json"});
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_LT(secs, 30);
  for (const auto& url : urls) EXPECT_EQ(applied(url), kHead) << url;
  auto rep = report(dir + "/report.json");
  ASSERT_EQ(rep["targets"].size(), 50u);
  EXPECT_EQ(statuses(rep), std::string(50, 'o'));
  for (std::size_t i = 0; i < 50; ++i) {
    const auto& t = rep["targets"][i];
    EXPECT_EQ(t["name"], "tenant_" + std::to_string(i));
    EXPECT_EQ(t["from"], "base");
    EXPECT_EQ(t["to"], "2bbbbbbbbbbb");
    EXPECT_EQ(t["revisions"], 2);
    EXPECT_TRUE(t["error"].is_null());
    EXPECT_GE(t["seconds"].get<double>(), 0.0);
  }
  EXPECT_NE(r.out.find("tenant_17: <base> -> 2bbbbbbbbbbb, 2 revisions, "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("upgrade: 50 ok, 0 up to date, 0 failed"), std::string::npos) << r.out;

  auto again = run_retort({"--versions", v, "--schema", "public", "--targets", file, "upgrade",
                           "--report", dir + "/again.json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(statuses(report(dir + "/again.json")), std::string(50, 'u'));
  EXPECT_NE(again.out.find("tenant_3: at 2bbbbbbbbbbb, up to date"), std::string::npos);

  // One tenant behind: current shows how many are at each revision.
  ASSERT_EQ(run_retort({"--url", urls[5], "--versions", v, "--schema", "public", "downgrade", "-1"})
                .exit_code,
            0);
  auto current = run_retort({"--versions", v, "--schema", "public", "--targets", file, "current"});
  ASSERT_EQ(current.exit_code, 0) << current.err;
  EXPECT_NE(current.out.find("2bbbbbbbbbbb       49  (head)"), std::string::npos) << current.out;
  EXPECT_NE(current.out.find("1aaaaaaaaaaa        1  tenant_5"), std::string::npos) << current.out;
}

TEST(Fleet, AFailingTenantStopsStartingOthersAndARerunFinishes) {
  auto urls = databases("stop", 8);
  exec_sql(urls[2], "CREATE TABLE public.items (conflicting int)");
  auto v = versions();
  auto dir = temp_dir("fleet");
  auto file = targets_file(dir, urls);
  // A target revision that does not exist is one error, before any database is touched.
  auto unknown = run_retort({"--versions", v, "--schema", "public", "--targets", file, "--report",
                             dir + "/report.json", "upgrade", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no revision matches \"nope\""), std::string::npos) << unknown.err;
  EXPECT_EQ(applied(urls[0]), "none");

  auto r = run_retort({"--versions", v, "--schema", "public", "--targets", file, "--jobs", "1",
                       "--report", dir + "/report.json", "upgrade"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto rep = report(dir + "/report.json");
  EXPECT_EQ(statuses(rep), "oofsssss");
  EXPECT_NE(rep["targets"][2]["error"].get<std::string>().find("relation \"items\" already exists"),
            std::string::npos);
  EXPECT_EQ(rep["targets"][5]["error"],
            "not started: tenant_2 failed (run the command again to go on, or pass "
            "--continue-on-error)");
  EXPECT_NE(r.out.find("tenant_2: FAILED after "), std::string::npos) << r.out;
  EXPECT_EQ(applied(urls[0]), kHead);
  EXPECT_EQ(applied(urls[1]), kHead);
  EXPECT_EQ(applied(urls[2]), "");  // the version table, no revision
  EXPECT_EQ(query_value(urls[2],
                        "SELECT count(*) FROM information_schema.columns WHERE "
                        "table_name = 'items'"),
            "1");  // the conflicting table, as it was
  for (int i = 3; i < 8; ++i) EXPECT_EQ(applied(urls[i]), "none");

  // Fixed, the same command finishes the rest.
  exec_sql(urls[2], "DROP TABLE public.items");
  auto rerun = run_retort({"--versions", v, "--schema", "public", "--targets", file, "--jobs", "3",
                           "--report", dir + "/rerun.json", "upgrade"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_EQ(statuses(report(dir + "/rerun.json")), "uuoooooo");
  for (const auto& url : urls) EXPECT_EQ(applied(url), kHead);
}

TEST(Fleet, ContinueOnErrorFinishesEveryOtherTarget) {
  auto urls = databases("cont", 8);
  exec_sql(urls[3], "CREATE TABLE public.items (conflicting int)");
  exec_sql(urls[5], "CREATE TABLE public.extra (conflicting int)");  // fails the third revision
  auto v = versions();
  write_text(
      v + "/3ccccccccccc_extra.json",
      revision_json(
          "3ccccccccccc", "\"2bbbbbbbbbbb\"",
          R"J({"op": "execute", "sql": "CREATE TABLE extra (x int)", "down_sql": "DROP TABLE extra"})J",
          ""));
  auto dir = temp_dir("fleet");
  auto r = run_retort({"--versions", v, "--schema", "public", "--targets", targets_file(dir, urls),
                       "--jobs", "3", "--continue-on-error", "--report", dir + "/report.json",
                       "upgrade"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto rep = report(dir + "/report.json");
  EXPECT_EQ(statuses(rep), "ooofofoo");
  for (int i : {0, 1, 2, 4, 6, 7}) EXPECT_EQ(applied(urls[i]), kHead + ",3ccccccccccc") << i;
  EXPECT_EQ(applied(urls[3]), "");
  EXPECT_EQ(applied(urls[5]), kHead);  // the two revisions before the failing one stay applied
  const auto& partial = rep["targets"][5];
  EXPECT_EQ(partial["from"], "base");
  EXPECT_EQ(partial["to"], "2bbbbbbbbbbb");
  EXPECT_EQ(partial["revisions"], 2);
  EXPECT_NE(partial["error"].get<std::string>().find("revision 3ccccccccccc"), std::string::npos);
  EXPECT_EQ(rep["targets"][3]["to"], "base");
  EXPECT_NE(r.out.find("tenant_5: FAILED after "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(<base> -> 2bbbbbbbbbbb, 2 revisions done)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("upgrade: 6 ok, 0 up to date, 2 failed"), std::string::npos) << r.out;
}

TEST(Fleet, AFailingCanaryStartsNoOtherTarget) {
  auto urls = databases("canary", 6);
  exec_sql(urls[1], "CREATE TABLE public.items (conflicting int)");
  auto v = versions();
  auto dir = temp_dir("fleet");
  auto r = run_retort({"--versions", v, "--schema", "public", "--targets", targets_file(dir, urls),
                       "--jobs", "4", "--canary", "2", "--continue-on-error", "--report",
                       dir + "/report.json", "upgrade"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto rep = report(dir + "/report.json");
  EXPECT_EQ(statuses(rep), "ofssss");
  EXPECT_EQ(rep["targets"][4]["error"], "not started: canary tenant_1 failed");
  EXPECT_EQ(applied(urls[0]), kHead);
  for (int i = 2; i < 6; ++i) EXPECT_EQ(applied(urls[i]), "none") << i;
}

TEST(Fleet, TwentyTenantSchemasInOneDatabase) {
  auto db = databases("schemas", 1).front();
  std::string setup = "CREATE SCHEMA other;";
  for (int i = 1; i <= 20; ++i) setup += fmt::format("CREATE SCHEMA tenant_{:02};", i);
  exec_sql(db, setup);
  // Written against the template schema "tmpl": an enum, a table using it, and hand-written SQL
  // that names the table unqualified.
  auto v = temp_dir("versions");
  write_text(
      v + "/1aaaaaaaaaaa_items.json",
      revision_json(
          "1aaaaaaaaaaa", "null",
          R"J({"op": "create_enum", "schema": "tmpl", "enum": {"name": "kind", "labels": ["a", "b"]}},
                    {"op": "create_sequence", "schema": "tmpl", "sequence": {"name": "item_no", "type": "integer", "start": 100}},
                    {"op": "create_table", "schema": "tmpl", "table": {"name": "items", "columns": [
                      {"name": "id", "type": "integer", "nullable": false},
                      {"name": "no", "type": "integer", "nullable": false, "default": "nextval('tmpl.item_no')"},
                      {"name": "k", "type": "tmpl.kind", "nullable": false, "default": "'a'::tmpl.kind"}],
                      "primary_key": {"name": "items_pkey", "columns": ["id"]}}},
                    {"op": "execute", "sql": "INSERT INTO items (id) VALUES (1)", "down_sql": "DELETE FROM items"})J",
          ""));
  auto dir = temp_dir("fleet");
  auto r = run_retort({"--url", db, "--versions", v, "--schema", "tmpl", "--tenant-schemas",
                       "tenant\\_%", "--jobs", "4", "--report", dir + "/report.json", "upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rep = report(dir + "/report.json");
  ASSERT_EQ(rep["targets"].size(), 20u);
  EXPECT_EQ(statuses(rep), std::string(20, 'o'));
  EXPECT_EQ(rep["targets"][6]["name"], "tenant_07");
  for (int i = 1; i <= 20; ++i) {
    auto s = fmt::format("tenant_{:02}", i);
    EXPECT_EQ(applied(db, s), "1aaaaaaaaaaa") << s;
    EXPECT_EQ(query_value(db, "SELECT k::text || no FROM " + s + ".items WHERE id = 1"), "a100")
        << s;
    // Each tenant's default names its own type and sequence.
    EXPECT_EQ(query_value(db,
                          "SELECT string_agg(pg_get_expr(adbin, adrelid), ' ' ORDER BY adnum) FROM "
                          "pg_attrdef WHERE adrelid = '" +
                              s + ".items'::regclass"),
              "nextval('" + s + ".item_no'::regclass) 'a'::" + s + ".kind");
  }
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tmpl'"), "0");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'other'"), "0");

  auto current = run_retort(
      {"--url", db, "--versions", v, "--schema", "tmpl", "--tenant-schemas", "tenant%", "current"});
  ASSERT_EQ(current.exit_code, 0) << current.err;
  EXPECT_NE(current.out.find("1aaaaaaaaaaa       20  (head)"), std::string::npos) << current.out;

  // check against a snapshot of one tenant, that tenant's name being the template.
  auto snap = run_retort({"--url", db, "--schema", "tenant_01", "inspect"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  write_text(dir + "/tenant.json", snap.out);
  std::vector<std::string> check = {
      "--url",   db,      "--schema", "tenant_01",         "--tenant-schemas",
      "tenant%", "check", "--target", dir + "/tenant.json"};
  auto in_sync = run_retort(check);
  EXPECT_EQ(in_sync.exit_code, 0) << in_sync.out << in_sync.err;
  EXPECT_NE(in_sync.out.find("check: 20 in sync, 0 drifted, 0 errors"), std::string::npos)
      << in_sync.out;
  exec_sql(db, "CREATE TABLE tenant_07.stray (x int)");
  auto drift = run_retort(check);
  EXPECT_EQ(drift.exit_code, 1) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("1 target (tenant_07):\n  drop table tenant_07.stray"),
            std::string::npos)
      << drift.out;
  EXPECT_NE(drift.out.find("check: 19 in sync, 1 drifted, 0 errors"), std::string::npos)
      << drift.out;
}

TEST(Fleet, PasswordsNeverAppear) {
  const std::string pw = "Pw-s3cret-42";
  auto urls = databases("secret", 3);
  exec_sql(retort::test::PgServer::instance().url(),
           "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fleet_pw') THEN "
           "CREATE ROLE fleet_pw LOGIN SUPERUSER PASSWORD '" +
               pw + "'; END IF; END $$");
  exec_sql(urls[1], "CREATE TABLE public.items (conflicting int)");
  auto with_pw = [&](const std::string& url) {
    return "postgresql://fleet_pw:" + pw + "@" + url.substr(url.find('@') + 1);
  };
  // The control database lists the tenants, passwords included.
  auto control = databases("control", 1).front();
  std::string rows;
  for (std::size_t i = 0; i < urls.size(); ++i)
    rows += fmt::format("('t{}', '{}'),", i, with_pw(urls[i]));
  rows += "('missing', '" + with_pw(server_base() + "no_such_db") + "')";
  exec_sql(control,
           "CREATE TABLE tenants (name text, url text); INSERT INTO tenants VALUES " + rows);
  auto dir = temp_dir("fleet");
  auto v = versions();
  auto r = run_retort({"--url", with_pw(control), "--versions", v, "--schema", "public",
                       "--targets-query", "SELECT name, url FROM tenants ORDER BY name",
                       "--continue-on-error", "--report", dir + "/report.json", "upgrade"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto text = read_text(dir + "/report.json");
  EXPECT_EQ(statuses(report(dir + "/report.json")), "fofo");  // missing, t0, t1, t2
  EXPECT_NE(r.out.find("missing: FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no_such_db"), std::string::npos) << r.out;
  for (const auto* where : {&r.out, &r.err, &text})
    EXPECT_EQ(where->find(pw), std::string::npos) << *where;

  // A targets file with a conninfo line, and a query that fails on a URL with a password.
  write_text(dir + "/targets.txt",
             "kv host=127.0.0.1 port=1 dbname=x user=fleet_pw password=" + pw + "\n");
  auto kv = run_retort({"--versions", v, "--targets", dir + "/targets.txt", "current"});
  EXPECT_EQ(kv.exit_code, 1);
  EXPECT_NE(kv.out.find("kv: FAILED"), std::string::npos) << kv.out;
  auto bad_query = run_retort(
      {"--url", with_pw(control), "--versions", v, "--targets-query", "SELECT nope", "upgrade"});
  EXPECT_EQ(bad_query.exit_code, 1);
  EXPECT_NE(bad_query.err.find("--targets-query failed"), std::string::npos) << bad_query.err;
  for (const auto& res : {kv, bad_query}) {
    EXPECT_EQ(res.out.find(pw), std::string::npos) << res.out;
    EXPECT_EQ(res.err.find(pw), std::string::npos) << res.err;
  }
}

TEST(Fleet, InterruptCancelsTheRunningStatementAndReports) {
  auto urls = databases("sigint", 3);
  auto v = temp_dir("versions");
  write_text(
      v + "/1aaaaaaaaaaa_slow.json",
      revision_json(
          "1aaaaaaaaaaa", "null",
          R"J({"op": "execute", "sql": "CREATE TABLE slow (x int); SELECT pg_sleep(60)", "down_sql": null})J",
          ""));
  auto dir = temp_dir("fleet");
  auto file = targets_file(dir, urls);
  auto start = std::chrono::steady_clock::now();
  auto r = run_shell(fmt::format(
      "'{}' --versions {} --schema public --targets {} --jobs 1 --report {}/report.json upgrade & "
      "pid=$!; sleep 2; kill -INT $pid; wait $pid",
      RETORT_BINARY, v, file, dir));
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_LT(secs, 15);
  EXPECT_NE(r.err.find("interrupted: starting no more targets"), std::string::npos) << r.err;
  auto rep = report(dir + "/report.json");
  EXPECT_EQ(statuses(rep), "fss");
  EXPECT_NE(rep["targets"][0]["error"].get<std::string>().find("canceling statement"),
            std::string::npos)
      << rep["targets"][0]["error"];
  EXPECT_EQ(rep["targets"][1]["error"], "not started: interrupted");
  EXPECT_EQ(applied(urls[0]), "");
  EXPECT_EQ(query_value(urls[0], "SELECT to_regclass('public.slow') IS NULL"), "t");
  EXPECT_EQ(applied(urls[1]), "none");
}

TEST(Fleet, CheckAndDiffSummariseDriftAndKeepTheExitCodes) {
  auto urls = databases("drift", 4);
  auto v = versions();
  auto dir = temp_dir("fleet");
  auto file = targets_file(dir, urls);
  ASSERT_EQ(
      run_retort({"--versions", v, "--schema", "public", "--targets", file, "upgrade"}).exit_code,
      0);
  auto snap = run_retort({"--url", urls[0], "--schema", "public", "inspect"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  write_text(dir + "/head.json", snap.out);
  std::vector<std::string> check = {"--schema", "public",   "--targets",
                                    file,       "--report", dir + "/check.json",
                                    "check",    "--target", dir + "/head.json"};
  auto clean = run_retort(check);
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_NE(clean.out.find("check: 4 in sync, 0 drifted, 0 errors"), std::string::npos)
      << clean.out;

  exec_sql(urls[1], "CREATE TABLE public.stray (x int)");
  exec_sql(urls[3], "CREATE TABLE public.stray (x int)");
  auto drift = run_retort(check);
  EXPECT_EQ(drift.exit_code, 1) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("2 targets (tenant_1, tenant_3):\n  drop table public.stray"),
            std::string::npos)
      << drift.out;
  auto rep = report(dir + "/check.json");
  EXPECT_EQ(statuses(rep), "ofof");
  EXPECT_EQ(rep["targets"][1]["error"], "drift: 1 change(s)");

  auto diff =
      run_retort({"--schema", "public", "--targets", file, "diff", "--target", dir + "/head.json"});
  EXPECT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("2 targets (tenant_1, tenant_3):\n  drop table public.stray"),
            std::string::npos)
      << diff.out;
  EXPECT_NE(diff.out.find("tenant_0: no changes"), std::string::npos) << diff.out;

  // An unreachable target is an error, not drift: 3, and the others are still checked.
  write_text(file, read_text(file) + "gone " + server_base() + "no_such_database\n");
  auto broken = run_retort(check);
  EXPECT_EQ(broken.exit_code, 3) << broken.out << broken.err;
  EXPECT_EQ(statuses(report(dir + "/check.json")), "ofoff");
  EXPECT_NE(broken.out.find("check: 2 in sync, 2 drifted, 1 error"), std::string::npos)
      << broken.out;

  // One-column --targets-query: each target is named after its database.
  auto control = databases("drift_control", 1).front();
  exec_sql(control, "CREATE TABLE dsns (url text); INSERT INTO dsns VALUES ('" + urls[0] +
                        "'), ('" + urls[2] + "')");
  auto current = run_retort({"--url", control, "--versions", v, "--schema", "public",
                             "--targets-query", "SELECT url FROM dsns", "current", "--verbose"});
  EXPECT_EQ(current.exit_code, 0) << current.err;
  EXPECT_NE(current.out.find("drift_0: at 2bbbbbbbbbbb"), std::string::npos) << current.out;
  EXPECT_NE(current.out.find("drift_2: at 2bbbbbbbbbbb"), std::string::npos) << current.out;
  EXPECT_NE(current.out.find("2bbbbbbbbbbb        2  (head)"), std::string::npos) << current.out;
}

TEST(Fleet, ATargetWaitingForAnotherMigratorSaysSo) {
  auto urls = databases("waiting", 2);
  auto v = versions();
  auto dir = temp_dir("fleet");
  auto file = targets_file(dir, urls);
  // Another migrator holds tenant_1's lock for two seconds.
  auto r = run_shell(fmt::format(
      "psql -X -q '{}' -c 'SELECT pg_advisory_lock(125780070724212), pg_sleep(2)' >/dev/null & "
      "sleep 0.5; '{}' --versions {} --schema public --targets {} upgrade; rc=$?; wait; exit $rc",
      urls[1], RETORT_BINARY, v, file));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("tenant_1: waiting for another migrator"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("tenant_0: waiting"), std::string::npos) << r.err;
  for (const auto& url : urls) EXPECT_EQ(applied(url), kHead);
}

TEST(Fleet, TenantSchemasAcrossSeveralDatabases) {
  auto urls = databases("shard", 2);
  for (const auto& url : urls)
    exec_sql(url, "CREATE SCHEMA t_a; CREATE SCHEMA t_b; CREATE SCHEMA x");
  auto v = versions("tmpl");
  auto dir = temp_dir("fleet");
  auto r = run_retort({"--versions", v, "--schema", "tmpl", "--targets", targets_file(dir, urls),
                       "--tenant-schemas", "t\\_%", "--report", dir + "/report.json", "upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rep = report(dir + "/report.json");
  std::vector<std::string> names;
  for (const auto& t : rep["targets"]) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"tenant_0/t_a", "tenant_0/t_b", "tenant_1/t_a",
                                             "tenant_1/t_b"}));
  EXPECT_EQ(statuses(rep), "oooo");
  for (const auto& url : urls) {
    EXPECT_EQ(applied(url, "t_a"), kHead);
    EXPECT_EQ(applied(url, "t_b"), kHead);
    EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'x'"), "0");
    EXPECT_EQ(query_value(url,
                          "SELECT count(*) FROM information_schema.columns WHERE "
                          "table_schema = 't_b' AND table_name = 'items'"),
              "2");
  }
}

}  // namespace
}  // namespace retort::test
