// Revision-file reading errors as data: every test/cases/revision_errors/<name>.expect is one
// case (test/cases/revision_errors/README.md). Its revision files (<name>.json beside it, or the
// .json files of the directory <name>/) are copied alone into an empty versions directory and
// read by `retort history` and `retort upgrade base:head --sql`, which need no database: both
// must exit 1 with nothing on stdout and every line of the .expect file (`#` lines aside) in the
// message on stderr; a single file's path must be named too.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "tool.hpp"

namespace retort::test {

namespace {

namespace fs = std::filesystem;

const fs::path kErrors = fs::path(RETORT_SOURCE_DIR) / "test" / "cases" / "revision_errors";

std::vector<fs::path> expect_files() {
  std::vector<fs::path> out;
  if (!fs::is_directory(kErrors)) return out;
  for (const auto& e : fs::directory_iterator(kErrors))
    if (e.is_regular_file() && e.path().extension() == ".expect") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// "e00000000004_wrong_type" -> "wrong_type": the revision id is there for the reader only.
std::string test_name(const fs::path& expect) {
  static const std::regex id_prefix("^[0-9a-f]{12}_");
  auto name = std::regex_replace(expect.stem().string(), id_prefix, "");
  for (auto& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

std::vector<std::string> expected_lines(const fs::path& expect) {
  std::ifstream in(expect);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && !line.starts_with("#")) out.push_back(line);
  return out;
}

class RevisionErrors : public ::testing::TestWithParam<fs::path> {};

TEST_P(RevisionErrors, Reported) {
  const auto& expect = GetParam();
  auto single = fs::path(expect).replace_extension(".json");
  auto dir = fs::path(expect).replace_extension("");
  auto versions = retort::test::temp_dir("versions");
  std::string named;  // the path the message must name, for a single file
  if (fs::is_regular_file(single)) {
    fs::copy_file(single, versions + "/" + single.filename().string());
    named = versions + "/" + single.filename().string();
  } else {
    ASSERT_TRUE(fs::is_directory(dir)) << "neither " << single << " nor " << dir;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".json")
        fs::copy_file(e.path(), versions + "/" + e.path().filename().string());
  }
  auto lines = expected_lines(expect);
  ASSERT_FALSE(lines.empty()) << expect << " expects nothing";
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"--versions", versions, "history"},
           {"--versions", versions, "upgrade", "base:head", "--sql"}}) {
    auto r = run_retort(command);
    SCOPED_TRACE(command.back() == "--sql" ? "upgrade base:head --sql" : "history");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "");
    if (!named.empty()) {
      EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
    }
    for (const auto& l : lines) {
      EXPECT_NE(r.err.find(l), std::string::npos) << "expected: " << l << "\ngot: " << r.err;
    }
  }
  fs::remove_all(versions);
}

INSTANTIATE_TEST_SUITE_P(, RevisionErrors, ::testing::ValuesIn(expect_files()),
                         [](const auto& info) { return test_name(info.param); });

// Every revision file here belongs to a case: one whose .expect is missing would never run.
TEST(RevisionErrorFiles, EachBelongsToACase) {
  auto cases = expect_files();
  EXPECT_GE(cases.size(), 15u) << "found under " << kErrors;
  std::set<std::string> names;
  for (const auto& c : cases) EXPECT_TRUE(names.insert(test_name(c)).second) << c;
  for (const auto& e : fs::directory_iterator(kErrors)) {
    auto p = e.path();
    if (p.filename() == "README.md" || p.extension() == ".expect") continue;
    auto expect = fs::path(p).replace_extension(".expect");
    EXPECT_TRUE(fs::exists(expect)) << p << " has no " << expect.filename();
  }
}

}  // namespace
}  // namespace retort::test
