// Renames beyond the round trips of test/cases/rename: hints from the models (the lib call the CLI
// makes with --target models), hint conflicts, the refusal without a terminal, and the terminal
// prompt driven through a pseudo-terminal.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "evolve.hpp"
#include "pg_server.hpp"
#include "retort/compare.hpp"
#include "retort/error.hpp"
#include "retort/model.hpp"
#include "retort/snapshot.hpp"
#include "tool.hpp"

namespace {

using retort::test::exec_sql;
using retort::test::fresh_database;
using retort::test::query_value;
using retort::test::retort_on;

std::vector<std::string> op_names(const std::vector<retort::Op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(retort::op_name(op));
  return out;
}

std::size_t revision_files(const std::string& versions) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(versions))
    n += e.path().extension() == ".json";
  return n;
}

enum class Mood { sad, glad };
struct Person {
  std::int64_t id;
  std::string full_name;
  Mood mood;
};

retort::ModelSet hinted_models() {
  retort::ModelSet m;
  m.enumeration<Mood>("feeling", {"sad", "glad"})
      .renamed_from("mood")
      .label_renamed_from("glad", "happy");
  m.table<Person>("people")
      .renamed_from("members")
      .column(&Person::id, "id")
      .column(&Person::full_name, "full_name", retort::renamed_from("name"))
      .column(&Person::mood, "mood")
      .primary_key({"id"}, "people_pkey")
      .index(retort::index("people_name_idx").on("full_name").renamed_from("members_name_idx"));
  return m;
}

const char* kMembers =
    "CREATE TYPE mood AS ENUM ('sad', 'happy');"
    "CREATE TABLE members (id bigint CONSTRAINT people_pkey PRIMARY KEY, name text NOT NULL,"
    "  mood mood NOT NULL);"
    "CREATE INDEX members_name_idx ON members (name);"
    "INSERT INTO members VALUES (1, 'Ada', 'happy'), (2, 'Grace', 'sad');";

// --target models: the hints of the models rename every kind in place; the same hints through a
// snapshot (what `models --format json` writes) plan the same ops.
TEST(Rename, HintsFromModelsAndTheirSnapshot) {
  auto db = fresh_database("hints");
  exec_sql(db, kMembers);
  auto wanted = hinted_models().schema();
  auto cmp = retort::compare(db, {"public"}, wanted);
  std::vector<std::string> expected = {"rename_enum", "rename_enum_label", "rename_table",
                                       "rename_column", "rename_index"};
  EXPECT_EQ(op_names(cmp.diff.upgrade), expected);
  EXPECT_TRUE(cmp.rename_candidates.empty());

  auto text = retort::dump(retort::to_json(wanted));
  EXPECT_NE(text.find("\"renamed_from\": \"members\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"label_renamed_from\""), std::string::npos) << text;
  auto file = retort::test::temp_dir("snapshot") + "/target.json";
  retort::test::write_text(file, text);
  auto from_snapshot = retort::compare(db, {"public"}, retort::read_snapshot(file));
  EXPECT_EQ(op_names(from_snapshot.diff.upgrade), expected);

  // Applied through the CLI with the snapshot as target: values kept, then restored by downgrade.
  auto versions = retort::test::temp_dir("versions");
  auto rev = retort_on(db, versions, {"revision", "--autogenerate", "-m", "r", "--target", file});
  ASSERT_EQ(rev.exit_code, 0) << rev.out << rev.err;
  ASSERT_EQ(retort_on(db, versions, {"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(query_value(db,
                        "SELECT string_agg(full_name || ':' || mood, ',' ORDER BY id) FROM "
                        "people"),
            "Ada:glad,Grace:sad");
  // Once applied, the hints are satisfied: nothing left to do.
  EXPECT_TRUE(retort::compare(db, {"public"}, wanted).diff.empty());
  auto down = retort_on(db, versions, {"downgrade", "base"});
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_EQ(query_value(db, "SELECT string_agg(name || ':' || mood, ',' ORDER BY id) FROM members"),
            "Ada:happy,Grace:sad");
  EXPECT_EQ(query_value(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'members_name_idx'"),
            "1");
}

TEST(Rename, HintWhoseTwoNamesExistIsAnError) {
  auto db = fresh_database("conflict");
  exec_sql(db, kMembers);
  exec_sql(db, "ALTER TABLE members ADD COLUMN full_name text");
  try {
    retort::compare(db, {"public"}, hinted_models().schema());
    FAIL() << "no error";
  } catch (const retort::Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("column public.people.name"), std::string::npos) << what;
    EXPECT_NE(what.find("column public.people.full_name"), std::string::npos) << what;
  }
}

struct Candidate {
  std::string db, target, versions;
};
Candidate column_candidate(const std::string& name) {
  Candidate c{fresh_database(name), fresh_database(name + "_target"),
              retort::test::temp_dir("versions")};
  exec_sql(c.db,
           "CREATE TABLE members (id int, name text); "
           "INSERT INTO members VALUES (1, 'Ada'), (2, 'Grace');");
  exec_sql(c.target, "CREATE TABLE members (id int, full_name text)");
  return c;
}

// No terminal (CI): rows at stake -> nothing written, exit 1, the candidates and both ways out.
TEST(Rename, RefusesWithoutATerminalWhenRowsAreAtStake) {
  auto c = column_candidate("refuse");
  auto rev =
      retort_on(c.db, c.versions, {"revision", "--autogenerate", "-m", "r", "--target", c.target});
  EXPECT_EQ(rev.exit_code, 1) << rev.out << rev.err;
  EXPECT_NE(rev.err.find("column public.members.name -> full_name (2 rows)"), std::string::npos)
      << rev.err;
  EXPECT_NE(rev.err.find("--rename public.members.name=full_name"), std::string::npos) << rev.err;
  EXPECT_NE(rev.err.find("--no-rename"), std::string::npos) << rev.err;
  EXPECT_EQ(revision_files(c.versions), 0u);
  EXPECT_EQ(query_value(c.db, "SELECT string_agg(name, ',' ORDER BY id) FROM members"),
            "Ada,Grace");

  // diff and check show the candidate; check's exit code stays drift (1).
  auto diff = retort_on(c.db, c.versions, {"diff", "--target", c.target});
  EXPECT_EQ(diff.exit_code, 0);
  EXPECT_NE(diff.out.find("? column public.members.name -> full_name may be a rename"),
            std::string::npos)
      << diff.out;
  auto check = retort_on(c.db, c.versions, {"check", "--target", c.target});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("--rename public.members.name=full_name"), std::string::npos)
      << check.out;
  // With the rename said on the command line, check sees the same plan as a rename.
  auto said =
      retort_on(c.db, c.versions,
                {"diff", "--target", c.target, "--rename", "public.members.name=full_name"});
  EXPECT_NE(said.out.find("rename column public.members.name to full_name"), std::string::npos)
      << said.out;
  EXPECT_EQ(said.out.find("drop column"), std::string::npos) << said.out;
}

TEST(Rename, NoteWhenNoRowsAreAtStake) {
  auto c = column_candidate("note");
  exec_sql(c.db, "TRUNCATE members");
  auto rev =
      retort_on(c.db, c.versions, {"revision", "--autogenerate", "-m", "r", "--target", c.target});
  EXPECT_EQ(rev.exit_code, 0) << rev.out << rev.err;
  EXPECT_NE(rev.err.find("note: column public.members.name -> full_name may be a rename"),
            std::string::npos)
      << rev.err;
  EXPECT_EQ(revision_files(c.versions), 1u);
}

// The prompt, through a pseudo-terminal: one question per candidate with the rows at stake; "y"
// renames.
TEST(Rename, PromptsOnATerminal) {
  auto c = column_candidate("prompt");
  auto dir = retort::test::temp_dir("pty");
  retort::test::write_text(dir + "/drive.py", R"PY(
import os, pty, subprocess, sys, select
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
seen, answered = b"", False
while True:
    r, _, _ = select.select([master], [], [], 60)
    if not r:
        p.kill(); print("TIMEOUT"); break
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not answered and b"[y/N]" in seen:
        os.write(master, (sys.argv[1] + "\n").encode()); answered = True
p.wait()
sys.stdout.write(seen.decode(errors="replace"))
print("EXIT", p.returncode)
)PY");
  std::string cmd = "python3 " + dir + "/drive.py y '" + RETORT_BINARY + "' --url '" + c.db +
                    "' --versions " + c.versions + " revision --autogenerate -m r --target '" +
                    c.target + "'";
  auto r = retort::test::run_shell(cmd);
  EXPECT_NE(r.out.find("Rename column public.members.name -> full_name? public.members holds 2 "
                       "rows"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.out.find("EXIT 0"), std::string::npos) << r.out;
  ASSERT_EQ(revision_files(c.versions), 1u) << r.out;
  ASSERT_EQ(retort_on(c.db, c.versions, {"upgrade", "head"}).exit_code, 0);
  EXPECT_EQ(query_value(c.db, "SELECT string_agg(full_name, ',' ORDER BY id) FROM members"),
            "Ada,Grace");
}

}  // namespace
