// Randomized mutations of real revision and snapshot files: whatever the bytes, a reader either
// accepts the file or throws retort::Error naming it; it never crashes, hangs or throws anything
// else. The seed is fixed, so a failure reproduces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "retort/diff.hpp"
#include "retort/error.hpp"
#include "retort/model.hpp"
#include "retort/revision.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql_statements.hpp"
#include "sample_schema.hpp"

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTokens = {"{",
                                          "}",
                                          "[",
                                          "]",
                                          "\"",
                                          ",",
                                          ":",
                                          "\\u0000",
                                          "\\n",
                                          "\\u0007",
                                          "1e999",
                                          "-1e999",
                                          "18446744073709551615",
                                          "-9223372036854775809",
                                          "0.5",
                                          "null",
                                          "true",
                                          "\"\"",
                                          "[]",
                                          "{}",
                                          "\"name\": \"x\", ",
                                          "\"revision\": \"zz\", ",
                                          "\"upgrade\": [], ",
                                          "\"op\": \"execute\", ",
                                          "\"sql\": \"COMMIT\", ",
                                          "\"transactional\": false, ",
                                          std::string(200, '['),
                                          std::string(200, '{'),
                                          "\xff\xfe",
                                          "\"\\ud800\""};

std::string mutate(std::string text, std::mt19937& rng) {
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(rng); };
  int rounds = 1 + static_cast<int>(pick(2));
  for (int round = 0; round < rounds; ++round) {
    auto at = text.empty() ? 0 : pick(text.size() - 1);
    switch (pick(5)) {
      case 0:  // flip a byte
        if (!text.empty()) text[at] = static_cast<char>(pick(255));
        break;
      case 1:  // delete a range
        text.erase(at, pick(40));
        break;
      case 2:  // duplicate a range (repeated keys, repeated objects)
        text.insert(at, text.substr(at, pick(120)));
        break;
      case 3:  // a token that means something to JSON or to retort
        text.insert(at, kTokens[pick(kTokens.size() - 1)]);
        break;
      case 4:  // truncate
        text.resize(at);
        break;
      default:  // swap a value for another
        if (auto colon = text.find(": ", at); colon != std::string::npos)
          text.insert(colon + 2, kTokens[pick(kTokens.size() - 1)]);
        break;
    }
  }
  return text;
}

class MutationDir {
 public:
  MutationDir()
      : m_dir(fs::temp_directory_path() / ("retort-mutation-" + std::to_string(::getpid()))) {
    fs::create_directories(m_dir);
  }
  ~MutationDir() { fs::remove_all(m_dir); }
  const fs::path& path() const { return m_dir; }

 private:
  fs::path m_dir;
};

void write(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads `file` with `reader`; fails the test unless it succeeds or throws an Error naming it.
template <class Reader>
void expect_clean(const fs::path& file, const std::string& text, Reader reader, int* errors) {
  try {
    reader(file);
  } catch (const retort::Error& e) {
    ++*errors;
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos)
        << "the error does not name the file: " << e.what() << "\ninput: " << text;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a retort::Error: " << e.what() << "\ninput: " << text;
  }
}

TEST(ReaderMutation, RevisionFilesNeverCrashAndAlwaysNameTheFile) {
  MutationDir dir;
  auto models = retort::test::sample_schema();
  auto d = retort::diff(retort::Schema{}, models);
  auto r = retort::write_revision(dir.path() / "base", "all the models", {}, d.upgrade, d.downgrade,
                                  d.warnings);
  const auto original = slurp(r.file);
  ASSERT_NO_THROW(retort::load_revision(r.file));
  std::mt19937 rng(12);
  int errors = 0;
  const auto file = dir.path() / (r.id + "_mutated.json");
  for (int i = 0; i < 3000; ++i) {
    auto text = mutate(original, rng);
    write(file, text);
    expect_clean(
        file, text, [](const fs::path& f) { retort::load_revision(f); }, &errors);
    if (HasFailure()) break;
  }
  EXPECT_GT(errors, 2000);  // the mutations do break files
}

TEST(ReaderMutation, SnapshotFilesNeverCrashAndAlwaysNameTheFile) {
  MutationDir dir;
  std::ostringstream out;
  retort::write_snapshot(out, retort::test::sample_schema());
  const auto original = out.str();
  const auto file = dir.path() / "snap.json";
  write(file, original);
  ASSERT_NO_THROW(retort::read_snapshot(file));
  std::mt19937 rng(13);
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    auto text = mutate(original, rng);
    write(file, text);
    expect_clean(
        file, text, [](const fs::path& f) { retort::read_snapshot(f); }, &errors);
    if (HasFailure()) break;
  }
  EXPECT_GT(errors, 2000);
}

TEST(SqlStatements, SplitsOnTopLevelSemicolonsOnly) {
  auto s = retort::split_statements(
      "SELECT ';'; -- a ; comment\nSELECT $x$ ; $x$; /* ; /* nested ; */ */ SELECT \"a;b\";;\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true "
      "THEN 2 END; END; SELECT E'\\';'");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0], "SELECT ';'");
  EXPECT_EQ(s[3].substr(0, 15), "CREATE FUNCTION");
  EXPECT_EQ(s[4], "SELECT E'\\';'");
  EXPECT_EQ(retort::transaction_control("  /* x */ commit"), "COMMIT");
  EXPECT_EQ(retort::transaction_control("start transaction"), "START TRANSACTION");
  EXPECT_EQ(retort::transaction_control("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)"),
            "CREATE ... CONCURRENTLY");
  EXPECT_FALSE(retort::transaction_control("PREPARE q AS SELECT 1"));
  EXPECT_FALSE(retort::transaction_control("UPDATE t SET commit = 1"));
  EXPECT_FALSE(retort::transaction_control("DO $$ BEGIN COMMIT; END $$"));
}

}  // namespace
