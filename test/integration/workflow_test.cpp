// The daily workflow: the committed history in versions/ against the models, and
// scripts/autogen_migrations.sh run as a user would (throwaway server, --url, a port-forward).
#include <gtest/gtest.h>

#include <filesystem>

#include "pg_server.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

namespace fs = std::filesystem;

const std::string kRoot = RETORT_SOURCE_DIR;
const std::string kVersions = kRoot + "/versions";

// The script's temporary files (throwaway servers included) go to a directory of this test's
// own, so tests running in parallel cannot hide or fake a leftover.
const std::string& script_tmp() {
  static const std::string dir = [] {
    auto d = retort::test::temp_dir("autogen-tmp");
    fs::permissions(d, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
    return d;
  }();
  return dir;
}

// Run inside retort's own tree (no retort.ini): the club models, as before.
std::string script(const std::string& args) {
  return "cd " + kRoot + " && TMPDIR='" + script_tmp() + "' RETORT_BIN='" +
         std::string(RETORT_BINARY) + "' " + kRoot + "/scripts/autogen_migrations.sh " + args;
}

// Every file the script made in its TMPDIR (throwaway servers, logs): none once it has exited.
std::vector<std::string> leftovers() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(script_tmp())) out.push_back(e.path().string());
  return out;
}

std::set<std::string> throwaway_dirs() {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(script_tmp()))
    if (e.path().filename().string().starts_with("retort-pg.")) out.insert(e.path().string());
  return out;
}

std::vector<fs::path> json_files(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// A copy of versions/ without its newest revision, so the models are one step ahead of it.
std::string versions_without_head() {
  auto dir = retort::test::temp_dir("versions");
  auto heads = run_retort({"--versions", kVersions, "heads"});
  std::string head = heads.out.substr(heads.out.find("-> ") + 3, 12);
  for (const auto& f : json_files(kVersions))
    if (!f.filename().string().starts_with(head)) fs::copy(f, dir + "/" + f.filename().string());
  return dir;
}

bool port_open(int port) {
  return run_shell("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) + "'").exit_code ==
         0;
}

int port_of(const std::string& url) {
  auto colon = url.rfind(':');
  return std::stoi(url.substr(colon + 1, url.find('/', colon) - colon - 1));
}

TEST(History, UpgradedToHeadMatchesTheModelsAndDowngradesToEmpty) {
  auto db = fresh_database("history");
  auto history = run_retort({"--versions", kVersions, "history"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_GE(std::count(history.out.begin(), history.out.end(), '\n'), 3) << history.out;

  auto up = run_retort({"--url", db, "--versions", kVersions, "upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto check = run_retort({"--url", db, "--versions", kVersions, "check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The club uses the schema-level kinds too: an extension, a sequence, a view, a policy.
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'"), "1");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_policy"), "1");
  exec_sql(db,
           "INSERT INTO teams (name) VALUES ('Firsts');"
           "INSERT INTO members (name, email, born_on) VALUES ('Ada', 'Ada@Example.org', "
           "'1815-12-10');"
           "INSERT INTO events (team_id, kind, title, starts_at) "
           "SELECT id, 'match', 'Final', now() + interval '1 day' FROM teams");
  EXPECT_EQ(query_value(db, "SELECT number FROM members WHERE email = 'ada@example.org'"), "1000");
  EXPECT_EQ(query_value(db, "SELECT team || ': ' || title FROM upcoming_events"), "Firsts: Final");
  auto down =
      run_retort({"--url", db, "--versions", kVersions, "downgrade", "base", "--allow-data-loss"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(query_value(db,
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                        "c.relnamespace WHERE n.nspname IN ('public', 'audit') AND c.relname "
                        "NOT LIKE 'retort_version%'"),
            "0");
  EXPECT_EQ(query_value(db,
                        "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = "
                        "t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'"),
            "0");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'"), "0");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM public.retort_version"), "0");
}

TEST(AutogenScript, ThrowawayServerWithNoChanges) {
  auto versions = retort::test::temp_dir("versions");
  for (const auto& f : json_files(kVersions)) fs::copy(f, versions + "/" + f.filename().string());
  ASSERT_TRUE(throwaway_dirs().empty());
  auto r = run_shell(script("-m try --versions " + versions));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("No changes detected"), std::string::npos) << r.out;
  EXPECT_EQ(json_files(versions).size(), json_files(kVersions).size());
  EXPECT_TRUE(throwaway_dirs().empty()) << "the throwaway server was left behind";
}

TEST(AutogenScript, ThrowawayServerWritesTheMissingRevision) {
  auto versions = versions_without_head();
  auto count = json_files(versions).size();
  auto r = run_shell(script("-m 'club features' --versions " + versions));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(json_files(versions).size(), count + 1) << r.out;
  EXPECT_NE(r.out.find("create extension citext in schema public"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Next steps"), std::string::npos) << r.out;
  EXPECT_TRUE(throwaway_dirs().empty()) << "the throwaway server was left behind";
}

TEST(AutogenScript, WithUrl) {
  auto db = fresh_database("url");
  auto versions = versions_without_head();
  ASSERT_EQ(run_retort({"--url", db, "--versions", versions, "upgrade", "head"}).exit_code, 0);
  auto r = run_shell(script("--url '" + db + "' -m 'club features' --versions " + versions));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("_club_features.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("create view public.upcoming_events"), std::string::npos) << r.out;
}

// A column the models call "name" is "old_name" in a database with rows: without a terminal the
// script refuses with the two ways out; --rename passes through and renames it.
TEST(AutogenScript, RenameCandidatesRefusedThenRenamedWithTheFlag) {
  auto db = fresh_database("rename");
  auto versions = retort::test::temp_dir("versions");
  for (const auto& f : json_files(kVersions)) fs::copy(f, versions + "/" + f.filename().string());
  ASSERT_EQ(run_retort({"--url", db, "--versions", versions, "upgrade", "head"}).exit_code, 0);
  exec_sql(db,
           "INSERT INTO members (name, email, born_on, active, tags) "
           "VALUES ('Ada', 'ada@example.org', '1815-12-10', true, '{}');"
           "ALTER TABLE members RENAME COLUMN name TO old_name");
  auto refused = run_shell(script("--url '" + db + "' -m renamed --versions " + versions));
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("--rename public.members.old_name=name"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--no-rename"), std::string::npos) << refused.err;
  auto r = run_shell(script("--url '" + db + "' -m renamed --versions " + versions +
                            " --rename public.members.old_name=name"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rename column public.members.old_name to name"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("drop column"), std::string::npos) << r.out;
}

TEST(AutogenScript, RefusesADatabaseBehindHead) {
  auto db = fresh_database("behind");
  auto r = run_shell(script("--url '" + db + "' -m x --versions " + kVersions));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not at the head revision"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("upgrade head"), std::string::npos) << r.err;
}

TEST(AutogenScript, ThroughAPortForwardThatIsStoppedAfterwards) {
  auto db = fresh_database("forward");
  auto versions = versions_without_head();
  ASSERT_EQ(run_retort({"--url", db, "--versions", versions, "upgrade", "head"}).exit_code, 0);
  int server_port = port_of(db);
  int local_port = 20000 + (getpid() % 20000);
  std::string forward = "socat TCP-LISTEN:" + std::to_string(local_port) +
                        ",fork,reuseaddr TCP:127.0.0.1:" + std::to_string(server_port);
  std::string url =
      "postgresql://postgres@127.0.0.1:" + std::to_string(local_port) + db.substr(db.rfind('/'));
  auto r = run_shell(script("-m 'via forward' --versions " + versions + " --forward '" + forward +
                            "' --forward-url '" + url + "'"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("port-forward on 127.0.0.1:" + std::to_string(local_port)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("create policy members_active_visible"), std::string::npos) << r.out;
  EXPECT_FALSE(port_open(local_port)) << "the forward is still listening";
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
}

TEST(AutogenScript, ForwardStoppedWhenTheRunFails) {
  int local_port = 20000 + ((getpid() + 7) % 20000);
  int server_port = port_of(retort::test::PgServer::instance().url());
  std::string forward = "socat TCP-LISTEN:" + std::to_string(local_port) +
                        ",fork,reuseaddr TCP:127.0.0.1:" + std::to_string(server_port);
  // The database named does not exist: the run fails after the forward is up.
  auto r = run_shell(script("-m x --forward '" + forward +
                            "' --forward-url "
                            "postgresql://postgres@127.0.0.1:" +
                            std::to_string(local_port) + "/no_such_db"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no_such_db"), std::string::npos) << r.err;
  EXPECT_FALSE(port_open(local_port)) << "the forward is still listening";
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
}

TEST(AutogenScript, ForwardThatNeverListensTimesOut) {
  auto r = run_shell(script("-m x --timeout 1 --forward 'sleep 30' --forward-port 1"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("did not accept connections within 1s"), std::string::npos) << r.err;
  EXPECT_EQ(run_shell("pgrep -f '^sleep 30$'").exit_code, 1) << "the forward command still runs";
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
}

TEST(AutogenScript, RefusesARetortBinOlderThanTheSources) {
  auto dir = retort::test::temp_dir("stale-bin");
  fs::copy_file(RETORT_BINARY, dir + "/retort");
  fs::last_write_time(dir + "/retort",
                      fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 20));
  auto r = run_shell("cd " + kRoot + " && TMPDIR='" + script_tmp() + "' RETORT_BIN='" + dir +
                     "/retort' " + kRoot + "/scripts/autogen_migrations.sh -m x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/retort is older than " + kRoot + "/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rebuild it"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(AutogenScript, UsageErrors) {
  auto unknown = run_shell(script("--bogus"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown option: --bogus"), std::string::npos);
  auto no_message = run_shell(script(""));
  EXPECT_EQ(no_message.exit_code, 2);
  EXPECT_NE(no_message.err.find("-m \"message\" is required"), std::string::npos);
  auto help = run_shell(script("--help"));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("port-forward"), std::string::npos);
}

}  // namespace
}  // namespace retort::test
