// Progress of upgrade/downgrade when stderr is not a terminal: each revision announced before it
// runs, plain "still ..." lines during a long statement, and an index build's own progress.
#include <gtest/gtest.h>

#include "pg_server.hpp"
#include "revision_files.hpp"
#include "tool.hpp"

namespace retort::test {

namespace {

TEST(Progress, EachRevisionIsAnnouncedBeforeItRuns) {
  auto v = retort::test::temp_dir("versions");
  write_text(v + "/1aaaaaaaaaaa_a.json",
             revision_json("1aaaaaaaaaaa", "null", execute("CREATE TABLE a (x int)"),
                           execute("DROP TABLE a")));
  write_text(v + "/2bbbbbbbbbbb_b.json",
             revision_json("2bbbbbbbbbbb", "\"1aaaaaaaaaaa\"", execute("CREATE TABLE b (x int)"),
                           execute("DROP TABLE b")));
  auto db = fresh_database("announce");
  auto up = run_retort({"--url", db, "--versions", v, "upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto a_start = up.err.find("applying 1aaaaaaaaaaa rev 1aaaaaaaaaaa ...");
  auto a_done = up.err.find("applied 1aaaaaaaaaaa");
  auto b_start = up.err.find("applying 2bbbbbbbbbbb");
  ASSERT_NE(a_start, std::string::npos) << up.err;
  ASSERT_NE(b_start, std::string::npos) << up.err;
  EXPECT_LT(a_start, a_done);
  EXPECT_LT(a_done, b_start);
  EXPECT_EQ(up.err.find('\r'), std::string::npos) << "terminal codes in plain output";
  auto down = run_retort({"--url", db, "--versions", v, "downgrade", "base"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_LT(down.err.find("reverting 2bbbbbbbbbbb"), down.err.find("reverting 1aaaaaaaaaaa"));
}

TEST(Progress, LongStatementAndIndexBuildReportWhileRunning) {
  auto v = retort::test::temp_dir("versions");
  // An index whose expression sleeps 20 ms a row: 150 rows build for about 3 s.
  write_text(v + "/1aaaaaaaaaaa_slow.json",
             revision_json("1aaaaaaaaaaa", "null",
                           execute("CREATE FUNCTION slow(i int) RETURNS int LANGUAGE plpgsql "
                                   "IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN i; END "
                                   "$$") +
                               ", " +
                               execute("CREATE TABLE big AS SELECT g AS id FROM "
                                       "generate_series(1, 150) g") +
                               ", " + execute("CREATE INDEX big_slow_idx ON big (slow(id))"),
                           ""));
  auto db = fresh_database("slow");
  auto up = run_retort({"--url", db, "--versions", v, "upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.err.find("  still applying 1aaaaaaaaaaa rev 1aaaaaaaaaaa ... 2 s"),
            std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find("creating index: building index"), std::string::npos) << up.err;
  EXPECT_LT(up.err.find("still applying"), up.err.find("applied 1aaaaaaaaaaa")) << up.err;
}

}  // namespace
}  // namespace retort::test
