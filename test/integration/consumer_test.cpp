// Adopting retort in another repository (examples/consumer, the "shop" app): its CLI built through
// an installed package and through add_subdirectory, its retort.ini, and the daily script run from
// its directory. Every command runs with a TMPDIR of this test's own, which must end up empty.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "pg_server.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

namespace fs = std::filesystem;

const std::string kRoot = RETORT_SOURCE_DIR;
const std::string kBuildTree = RETORT_BUILD_TREE;
const std::string kConsumer = kRoot + "/examples/consumer";

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Where this test builds its copies of the consumer; removed at the end.
const std::string& work() {
  static const std::string dir = retort::test::temp_dir("consumer-work");
  return dir;
}
// The TMPDIR of every command this test runs.
const std::string& tmp() {
  static const std::string dir = [] {
    auto d = retort::test::temp_dir("consumer-tmp");
    fs::permissions(d, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
    return d;
  }();
  return dir;
}

ToolResult sh(const std::string& command, const std::string& cwd = "") {
  return run_shell("TMPDIR=" + quote(tmp()) + " " + command, cwd);
}
// Runs a command that must succeed; throws (failing the test) with its output otherwise.
std::string must(const std::string& command, const std::string& cwd = "") {
  auto r = sh(command, cwd);
  if (r.exit_code != 0)
    throw std::runtime_error("failed (" + std::to_string(r.exit_code) + "): " + command + "\n" +
                             r.out + r.err);
  return r.out;
}

// A fresh copy of examples/consumer (sources, retort.ini, versions/; no build directory).
std::string copy_consumer(const std::string& name) {
  auto dir = work() + "/" + name;
  fs::copy(kConsumer, dir, fs::copy_options::recursive);
  fs::remove_all(dir + "/build");
  return dir;
}

// retort installed from this build tree into a prefix, once.
const std::string& prefix() {
  static const std::string dir = [] {
    auto p = work() + "/prefix";
    must("cmake --install " + quote(kBuildTree) + " --prefix " + quote(p));
    return p;
  }();
  return dir;
}

// A copy of the consumer configured against the installed package (not built).
std::string configured_consumer(const std::string& name) {
  auto dir = copy_consumer(name);
  must("cmake -S . -B build -DCMAKE_PREFIX_PATH=" + quote(prefix()), dir);
  return dir;
}

// One consumer built against the installed package, shared by the tests that only run its CLI
// (a build costs more than all they do).
const std::string& built_consumer() {
  static const std::string dir = [] {
    auto app = configured_consumer("installed");
    must("cmake --build build", app);
    return app;
  }();
  return dir;
}

// The tables a CLI's models create, as "schema.table".
std::set<std::string> model_tables(const std::string& cli) {
  std::set<std::string> out;
  auto sql = must(quote(cli) + " models --format sql");
  std::regex create(R"re(CREATE TABLE "([^"]+)"\."([^"]+)")re");
  for (std::sregex_iterator it(sql.begin(), sql.end(), create), end; it != end; ++it)
    out.insert((*it)[1].str() + "." + (*it)[2].str());
  return out;
}

const std::set<std::string> kShopTables{"public.customers", "public.orders"};

std::vector<fs::path> revisions(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path());
  return out;
}

std::string script(const std::string& args) {
  return kRoot + "/scripts/autogen_migrations.sh " + args;
}

TEST(Consumer, InstalledPackageBuildsACliWithOnlyItsTables) {
  for (auto f : {"retortConfig.cmake", "retortConfigVersion.cmake", "retortAddCli.cmake"})
    EXPECT_TRUE(fs::exists(prefix() + "/lib/cmake/retort/" + f)) << f;
  EXPECT_TRUE(fs::exists(prefix() + "/include/retort/cli/models.hpp"));
  const auto& app = built_consumer();
  EXPECT_EQ(model_tables(app + "/build/shop_retort"), kShopTables);
  EXPECT_NE(must(app + "/build/shop_retort --version").find("models: shop_models"),
            std::string::npos);
}

TEST(Consumer, AMissingModelsTargetFailsAtConfigureTime) {
  auto app = copy_consumer("missing");
  auto cmake = read_text(app + "/CMakeLists.txt");
  cmake.replace(cmake.find("MODELS shop_models"), 18, "MODELS shop_modelz");
  write_text(app + "/CMakeLists.txt", cmake);
  auto r = sh("cmake -S . -B build -DCMAKE_PREFIX_PATH=" + quote(prefix()), app);
  EXPECT_NE(r.exit_code, 0);
  // CMake wraps the message; the name must be in it, at configure time.
  EXPECT_NE(r.err.find("MODELS shop_modelz): there is no target named"), std::string::npos)
      << r.err;
}

TEST(Consumer, AddSubdirectoryBuildsOnlyTheEngineAndLeavesTheParentAlone) {
  auto app = copy_consumer("subdir");
  // No build type, as a parent may leave it: retort must not set one. The flags and launcher are
  // this build's, so that ccache (when the build uses it) serves the engine's objects: what this
  // test proves is the CMake wiring, not the compiler's work a second time.
  std::string launcher = RETORT_CXX_LAUNCHER;
  must("cmake -S . -B build -DRETORT_SOURCE_DIR=" + quote(kRoot) + " -DCMAKE_CXX_FLAGS=" +
           quote(RETORT_CXX_FLAGS) + " -DRETORT_WERROR=" + RETORT_WERROR_VALUE +
           (launcher.empty() ? "" : " -DCMAKE_CXX_COMPILER_LAUNCHER=" + quote(launcher)),
       app);
  auto cache = read_text(app + "/build/CMakeCache.txt");
  EXPECT_NE(cache.find("CMAKE_BUILD_TYPE:STRING=\n"), std::string::npos) << "build type changed";
  EXPECT_NE(cache.find("RETORT_BUILD_TESTS:BOOL=OFF"), std::string::npos);
  auto targets = must("cmake --build build --target help", app);
  EXPECT_EQ(targets.find("club_models"), std::string::npos) << "the example app is built";
  EXPECT_EQ(targets.find("retort_unit_tests"), std::string::npos) << "retort's tests are built";
  must("cmake --build build -j2 --target shop_retort", app);
  EXPECT_EQ(model_tables(app + "/build/shop_retort"), kShopTables);
}

TEST(Consumer, CommittedVersionsMatchItsModels) {
  const auto& app = built_consumer();
  auto db = retort::test::fresh_database("shop");
  auto cli = app + "/build/shop_retort";
  must(cli + " --url " + quote(db) + " --versions " + quote(kConsumer + "/versions") +
       " upgrade head");
  auto check =
      sh(cli + " --url " + quote(db) + " --versions " + quote(kConsumer + "/versions") + " check");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(Consumer, ProjectFileGivesTheVersionsAndRefusesAUrl) {
  // The project file is found from the working directory: a copy of the sources, the shared CLI.
  auto app = copy_consumer("ini");
  auto cli = built_consumer() + "/build/shop_retort";
  // Found from a subdirectory; its relative versions path is relative to the file.
  auto history = sh(cli + " history", app + "/include");
  EXPECT_EQ(history.exit_code, 0) << history.err;
  auto committed = revisions(kConsumer + "/versions");
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_NE(history.out.find(committed[0].filename().string().substr(0, 12)), std::string::npos)
      << history.out;
  // The command line overrides it.
  fs::create_directory(app + "/other");
  auto other = sh(cli + " --versions other history", app);
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(other.out, "");

  auto ini = read_text(app + "/retort.ini");
  write_text(app + "/retort.ini", ini + "bogus = 1\n");
  auto bogus = sh(cli + " history", app);
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find(app + "/retort.ini: unrecognised option 'bogus'"), std::string::npos)
      << bogus.err;
  write_text(app + "/retort.ini", ini + "url = postgresql://u:s3cret@h/db\n");
  auto url = sh(cli + " history", app);
  EXPECT_EQ(url.exit_code, 2);
  EXPECT_NE(url.err.find(app + "/retort.ini: url is not allowed"), std::string::npos) << url.err;
  EXPECT_EQ(url.err.find("s3cret"), std::string::npos) << url.err;
  auto script_url = sh(script("-m x"), app);
  EXPECT_EQ(script_url.exit_code, 2);
  EXPECT_NE(script_url.err.find("url is not allowed"), std::string::npos) << script_url.err;
  EXPECT_EQ(script_url.out.find("building"), std::string::npos) << "it built before checking";
}

TEST(Consumer, InitScaffoldsAProject) {
  auto repo = work() + "/new-repo";
  fs::create_directory(repo);
  auto init = sh(quote(RETORT_BINARY) + " init --name demo", repo);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("retort_add_cli(demo_retort MODELS demo_models)"), std::string::npos)
      << init.out;
  EXPECT_NE(init.out.find("find_package(retort CONFIG REQUIRED)"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(repo + "/versions"));
  auto ini = read_text(repo + "/retort.ini");
  EXPECT_NE(ini.find("cli = build/demo_retort"), std::string::npos) << ini;
  EXPECT_NE(ini.find("build = cmake --build build --target demo_retort"), std::string::npos);
  auto again = sh(quote(RETORT_BINARY) + " init", repo);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST(Consumer, ScriptChecksArgumentsBeforeBuilding) {
  auto app = copy_consumer("args");  // not even configured: a build would fail
  auto r = sh(script("-m x --forward 'sleep 30'"), app);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("pass --forward-port"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("building"), std::string::npos) << r.out;
  auto no_message = sh(script("--versions versions"), app);
  EXPECT_EQ(no_message.exit_code, 2);
  EXPECT_EQ(no_message.out.find("building"), std::string::npos);
  // Arguments fine, but the build fails (never configured): its log is shown, then removed.
  auto failed = sh(script("-m x"), app);
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_NE(failed.out.find("building shop_retort (log: "), std::string::npos) << failed.out;
  EXPECT_NE(failed.err.find("the build command failed: cmake --build build --target shop_retort"),
            std::string::npos)
      << failed.err;
  EXPECT_EQ(failed.out.find("Database:"), std::string::npos) << "went on after a failed build";
  // Outside any project and outside retort's tree: no guessing at the club models.
  auto nowhere = sh(script("-m x"), work());
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_NE(nowhere.err.find("no retort.ini"), std::string::npos) << nowhere.err;
}

// (c) and (d): the daily script from the consumer's directory, with no manual build at all.
TEST(Consumer, ScriptWritesTheConsumersRevisionsAndRebuildsAfterAModelEdit) {
  auto app = configured_consumer("autogen");
  fs::remove_all(app + "/versions");
  fs::create_directory(app + "/versions");

  auto first = sh(script("-m 'shop tables'"), app + "/src");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("building shop_retort (log: " + tmp() + "/"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("Models: shop_models (2 tables)"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("starting a throwaway PostgreSQL"), std::string::npos) << first.out;
  auto written = revisions(app + "/versions");
  ASSERT_EQ(written.size(), 1u) << first.out;
  auto rev = nlohmann::json::parse(read_text(written[0]));
  std::set<std::string> created;
  for (const auto& op : rev["upgrade"])
    if (op["op"] == "create_table")
      created.insert("public." + op["table"]["name"].get<std::string>());
  EXPECT_EQ(created, kShopTables) << rev.dump(2);

  // A model edit, and nothing built by hand: the revision holds exactly that change.
  auto header = read_text(app + "/include/shop/models.hpp");
  header.replace(header.find("std::int32_t total_cents;"), 25,
                 "std::int32_t total_cents;\n  std::optional<std::string> note;");
  write_text(app + "/include/shop/models.hpp", header);
  auto models = read_text(app + "/src/retort_models.cpp");
  std::string check = "retort::check(\"total_cents >= 0\"));";
  models.replace(models.find(check), check.size(),
                 "retort::check(\"total_cents >= 0\"))\n      .column(&Order::note, \"note\");");
  write_text(app + "/src/retort_models.cpp", models);

  auto second = sh(script("-m 'order note'"), app);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("Upgrading it to head (1 revisions"), std::string::npos) << second.out;
  auto now = revisions(app + "/versions");
  ASSERT_EQ(now.size(), 2u) << second.out;
  auto newest = now[0] == written[0] ? now[1] : now[0];
  auto change = nlohmann::json::parse(read_text(newest));
  ASSERT_EQ(change["upgrade"].size(), 1u) << change.dump(2);
  EXPECT_EQ(change["upgrade"][0]["op"], "add_column");
  EXPECT_EQ(change["upgrade"][0]["table"], "orders");
  EXPECT_EQ(change["upgrade"][0]["column"]["name"], "note");
  EXPECT_EQ(change["upgrade"][0]["column"]["nullable"], true);

  auto third = sh(script("-m again"), app);
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("No changes detected"), std::string::npos) << third.out;
  EXPECT_EQ(revisions(app + "/versions").size(), 2u);

  // docs/adopting.md's port-forwards, verbatim, against a database at head. kubectl, ssh and
  // socat are stand-ins here that forward the local port to the test server.
  // docs/adopting.md's "try it", with DATABASE_URL: up, one back, up again.
  auto db = retort::test::fresh_database("forwarded");
  auto with_db = "DATABASE_URL=" + quote(db) + " ";
  must(with_db + "build/shop_retort upgrade head", app);
  auto back = must(with_db + "build/shop_retort downgrade -1 2>&1", app);
  EXPECT_NE(back.find("Reverted 1 revision(s)."), std::string::npos) << back;
  must(with_db + "build/shop_retort upgrade head", app);
  auto bin = work() + "/bin";
  fs::create_directories(bin);
  auto server_port = db.substr(db.rfind(':') + 1, db.rfind('/') - db.rfind(':') - 1);
  for (auto tool : {"kubectl", "ssh", "socat"}) {
    write_text(bin + "/" + tool,
               "#!/bin/sh\n# stand-in: forwards 15432 to the test server\nexec /usr/bin/socat "
               "TCP-LISTEN:15432,fork,reuseaddr TCP:127.0.0.1:" +
                   server_port + "\n");
    fs::permissions(bin + "/" + tool, fs::perms::owner_all);
  }
  auto env = "PATH=" + quote(bin) +
             ":$PATH PGUSER=postgres PGDATABASE=" + db.substr(db.rfind('/') + 1) + " ";
  for (std::string forward :
       {"--forward \"kubectl port-forward -n dev svc/postgres 15432:5432\"",
        "--forward \"ssh -N -L 15432:db.internal:5432 bastion.example.com\" --forward-port 15432",
        "--forward \"socat TCP-LISTEN:15432,fork,reuseaddr TCP:db.internal:5432\" --forward-port "
        "15432"}) {
    auto r = sh(env + script("-m \"add order note\" " + forward), app);
    EXPECT_EQ(r.exit_code, 0) << forward << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("port-forward on 127.0.0.1:15432"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("No changes detected"), std::string::npos) << r.out;
  }

  // docs/adopting.md's CI recipe.
  auto ci = sh(kRoot +
                   "/scripts/throwaway-pg.sh run sh -c 'build/shop_retort upgrade head && "
                   "build/shop_retort check'",
               app);
  EXPECT_EQ(ci.exit_code, 0) << ci.out << ci.err;
}

// (e) Runs last (gtest keeps the order of a file).
TEST(Consumer, NothingLeftInTmpdir) {
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp())) left.push_back(e.path().string());
  EXPECT_TRUE(left.empty()) << left.size() << " left, first: " << (left.empty() ? "" : left[0]);
  fs::remove_all(work());
  fs::remove_all(tmp());
}

}  // namespace
}  // namespace retort::test
