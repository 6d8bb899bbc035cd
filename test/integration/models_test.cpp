// The example models' CREATE script against a real server, and the throwaway server's lifecycle.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pg_server.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(Models, SqlScriptCreatesTheExampleSchema) {
  auto url = fresh_database();
  auto dir = retort::test::temp_dir();
  auto models = run_retort({"models", "--format", "sql"});
  ASSERT_EQ(models.exit_code, 0) << models.err;
  retort::test::write_text(dir + "/club.sql", models.out);
  auto psql = run_shell("psql -X -q -v ON_ERROR_STOP=1 '" + url + "' -f " + dir + "/club.sql");
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(
      query_value(url, "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public','audit')"),
      "6");
  EXPECT_EQ(query_value(url,
                        "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum "
                        "WHERE enumtypid = 'public.event_kind'::regtype"),
            "match,training,social");
  EXPECT_EQ(query_value(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"), "6");
  // The script really works as a schema: a row goes in.
  retort::test::exec_sql(url,
                         "INSERT INTO public.members (name, born_on) VALUES ('Ann', '2000-01-01')");
  EXPECT_EQ(query_value(url, "SELECT active::text FROM public.members"), "true");
}

TEST(Models, JsonIsStable) {
  auto a = run_retort({"models"});
  auto b = run_retort({"models", "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("\"format\": \"retort-snapshot\""), std::string::npos);
}

TEST(Models, UnknownFormatIsAUsageError) {
  auto r = run_retort({"models", "--format", "yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format must be json or sql"), std::string::npos) << r.err;
}

TEST(ThrowawayServer, RemovedWhenTheCommandFails) {
  std::string script = std::string(RETORT_SOURCE_DIR) + "/scripts/throwaway-pg.sh";
  auto r = run_shell(
      script +
      " run sh -c 'echo $DATABASE_URL; psql -X -Atc \"select 1\" \"$DATABASE_URL\" >&2; exit 3'");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "1\n");
  ASSERT_NE(r.out.find("postgresql://"), std::string::npos);
  // The port no longer accepts connections.
  auto url = r.out.substr(0, r.out.find('\n'));
  EXPECT_NE(run_shell("psql -X -Atc 'select 1' '" + url + "'").exit_code, 0);
}

TEST(ThrowawayServer, WatchdogRemovesItWhenTheOwnerDies) {
  std::string script = std::string(RETORT_SOURCE_DIR) + "/scripts/throwaway-pg.sh";
  // The owner is a shell that starts a server watching itself, then is killed.
  auto r = run_shell("sh -c '" + script + " start --watch $$; kill -9 $$'");
  auto dir_pos = r.out.find("RETORT_PG_DIR=");
  ASSERT_NE(dir_pos, std::string::npos) << r.out << r.err;
  auto dir = r.out.substr(dir_pos + 14, r.out.find('\n', dir_pos) - dir_pos - 14);
  ASSERT_FALSE(dir.empty());
  for (int i = 0; i < 100 && exists(dir); ++i) usleep(100'000);
  EXPECT_FALSE(exists(dir)) << dir << " still exists";
}

}  // namespace
}  // namespace retort::test
