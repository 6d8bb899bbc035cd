// Schema-change tests as data: every test/cases/<kind>/<name>.case runs through evolve()
// (test/support/evolve.hpp) as the test Cases.RoundTrip/<kind>_<name>. A case file:
//
//   # one line saying what the case is about
//   -- before
//   SQL building the database as it is
//   -- rows                      (optional)
//   SQL inserting rows into it; they must survive the upgrade and the downgrade
//   -- after                     (or `-- after-snapshot` followed by a snapshot JSON document)
//   SQL building the target
//   -- downgraded                (only with the flag `irreversible`)
//   SQL building what `downgrade base` restores at best (e.g. enum labels cannot be removed)
//   -- ops
//   create_table                 (the revision file's upgrade op names, in order, one a line)
//   -- warnings                  (optional; absent or empty: no warning expected)
//   drops_table public.gone      (`diff --format json` warnings, one a line, in any order: the
//                                 kind, and the object it names when given)
//   -- hazards                   (optional)
//   create_index builds_index    (an upgrade op's name and exactly the hazard kinds the revision
//                                 file gives every op of that name, in any order; none: the name
//                                 alone)
//   -- flags                     (optional)
//   irreversible                 (the downgrade restores `downgraded`, not `before`)
//   downgrade-fails              (the downgrade must fail and leave the database as upgraded)
//   upgrade-fails                (the upgrade must fail and leave the database as it was; what
//                                 a warning foretold: nothing after it is checked)
//   values-kept                  (row contents survive the upgrade, under any table names, and
//                                 the downgrade restores them exactly: renames)
//   -- args                      (optional; one argument a line, for diff, revision and check)
//   --rename=public.t.a=b
//
// A section header is a line `-- <name>` alone; SQL comments inside SQL need more than one word
// or /* */. The round trip: `revision --autogenerate --target <after>`, `upgrade head`, the
// catalog equals the target's, the rows are kept, `check` exits 0, `downgrade base` restores.
// test/cases/README.md says the same for whoever adds a case.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "evolve.hpp"
#include "retort/ops.hpp"
#include "retort/warning.hpp"

namespace retort::test {

namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(RETORT_SOURCE_DIR) / "test" / "cases";

struct Case {
  std::string description;
  std::map<std::string, std::string> sections;  // name -> text
  std::vector<std::string> lines_of(const std::string& section) const {
    std::vector<std::string> out;
    auto it = sections.find(section);
    if (it == sections.end()) return out;
    std::istringstream in(it->second);
    for (std::string line; std::getline(in, line);) {
      auto b = line.find_first_not_of(" \t");
      if (b == std::string::npos) continue;
      out.push_back(line.substr(b, line.find_last_not_of(" \t") - b + 1));
    }
    return out;
  }
  bool has(const std::string& section) const { return sections.contains(section); }
};

// Parses a case file; throws std::runtime_error naming the file and line.
Case parse_case(const fs::path& file) {
  static const std::set<std::string> known = {"before",     "rows", "after",    "after-snapshot",
                                              "downgraded", "ops",  "warnings", "flags",
                                              "hazards",    "args"};
  static const std::regex header(R"(-- ([a-z-]+)\s*)");
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  Case c;
  std::string line, current;
  int number = 0;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(file.string() + ":" + std::to_string(number) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++number;
    std::smatch m;
    if (number == 1) {
      if (!line.starts_with("# ") || line.size() < 3)
        fail("the first line must be `# description`");
      c.description = line.substr(2);
    } else if (std::regex_match(line, m, header)) {
      current = m[1];
      if (!known.contains(current)) fail("unknown section \"" + current + "\"");
      if (c.sections.contains(current)) fail("section \"" + current + "\" given twice");
      c.sections[current];
    } else if (current.empty()) {
      if (line.find_first_not_of(" \t") != std::string::npos) fail("text before any section");
    } else {
      c.sections[current] += line + "\n";
    }
  }
  number = 0;
  if (!c.has("before")) fail("no `-- before` section");
  if (c.has("after") == c.has("after-snapshot"))
    fail("exactly one of `-- after` and `-- after-snapshot` is needed");
  if (c.lines_of("ops").empty()) fail("no expected ops (`-- ops`, one op name a line)");
  for (const auto& flag : c.lines_of("flags"))
    if (flag != "irreversible" && flag != "downgrade-fails" && flag != "upgrade-fails" &&
        flag != "values-kept")
      fail("unknown flag \"" + flag + "\"");
  auto flags = c.lines_of("flags");
  bool irreversible = std::find(flags.begin(), flags.end(), "irreversible") != flags.end();
  if (irreversible != c.has("downgraded"))
    fail("the flag `irreversible` and a `-- downgraded` section go together");
  return c;
}

std::vector<fs::path> case_files() {
  std::vector<fs::path> out;
  if (!fs::is_directory(kCases)) return out;
  for (const auto& e : fs::recursive_directory_iterator(kCases))
    if (e.is_regular_file() && e.path().extension() == ".case") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string test_name(const fs::path& file) {
  auto name = file.parent_path().filename().string() + "_" + file.stem().string();
  for (auto& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

// Pairs each expected line ("kind" or "kind object") with a warning seen, in any order; what is
// left over on either side, as text ("" when everything pairs up).
std::string unmatched_warnings(const std::vector<std::string>& expected,
                               std::vector<retort::test::DiffWarning> seen) {
  std::string out;
  for (const auto& line : expected) {
    auto space = line.find(' ');
    auto kind = line.substr(0, space);
    auto object = space == std::string::npos ? "" : line.substr(space + 1);
    auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& w) {
      return w.kind == kind && (object.empty() || w.object == object);
    });
    if (it == seen.end())
      out += "expected but not seen: " + line + "\n";
    else
      seen.erase(it);
  }
  for (const auto& w : seen)
    out += "seen but not expected: " + w.kind + " " + w.object + " (" + w.message + ")\n";
  return out;
}

// Each expected line "op kind..." against every seen op of that name ("" when all agree).
std::string unmatched_hazards(const std::vector<std::string>& expected,
                              const std::vector<std::string>& seen) {
  auto words = [](const std::string& line) {
    std::istringstream in(line);
    std::string op, kind;
    in >> op;
    std::set<std::string> kinds;
    while (in >> kind) kinds.insert(kind);
    return std::pair{op, kinds};
  };
  std::string out;
  for (const auto& line : expected) {
    auto [op, kinds] = words(line);
    bool found = false;
    for (const auto& s : seen) {
      auto [seen_op, seen_kinds] = words(s);
      if (seen_op != op) continue;
      found = true;
      if (seen_kinds != kinds) out += "expected \"" + line + "\", the file has \"" + s + "\"\n";
    }
    if (!found) out += "no upgrade op " + op + " to check hazards of\n";
  }
  return out;
}

class Cases : public ::testing::TestWithParam<fs::path> {};

TEST_P(Cases, RoundTrip) {
  Case c;
  try {
    c = parse_case(GetParam());
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  SCOPED_TRACE(GetParam().string() + ": " + c.description);
  Evolution e;
  e.before_sql = c.sections["before"];
  e.rows_sql = c.sections["rows"];
  e.after_sql = c.sections["after"];
  e.after_snapshot = c.sections["after-snapshot"];
  e.downgraded_sql = c.sections["downgraded"];
  auto flags = c.lines_of("flags");
  auto flagged = [&](const char* f) {
    return std::find(flags.begin(), flags.end(), f) != flags.end();
  };
  if (flagged("downgrade-fails")) e.downgrade = Evolution::Downgrade::fails;
  e.upgrade_fails = flagged("upgrade-fails");
  e.values_kept = flagged("values-kept");
  for (const auto& line : c.lines_of("args")) e.compare_args.push_back(line);
  auto seen = retort::test::evolve(e);
  EXPECT_EQ(seen.ops, c.lines_of("ops")) << seen.revision_out;
  EXPECT_EQ(unmatched_warnings(c.lines_of("warnings"), seen.warnings), "") << seen.revision_out;
  EXPECT_EQ(unmatched_hazards(c.lines_of("hazards"), seen.hazards), "") << seen.revision_out;
}

INSTANTIATE_TEST_SUITE_P(, Cases, ::testing::ValuesIn(case_files()),
                         [](const auto& info) { return test_name(info.param); });

// A case directory holds case files only: a misspelt extension would skip a case silently.
TEST(CaseFiles, AreAllRunAndNamedUniquely) {
  auto files = case_files();
  EXPECT_GE(files.size(), 50u) << "found under " << kCases;
  std::set<std::string> names;
  for (const auto& f : files) EXPECT_TRUE(names.insert(test_name(f)).second) << f;
  for (const auto& e : fs::recursive_directory_iterator(kCases)) {
    if (!e.is_regular_file()) continue;
    auto rel = fs::relative(e.path(), kCases);
    if (rel == "README.md" || rel.begin()->string() == "revision_errors") continue;
    EXPECT_EQ(e.path().extension(), ".case") << e.path();
    EXPECT_EQ(std::distance(rel.begin(), rel.end()), 2) << "not in a kind directory: " << e.path();
  }
}

// Every op autogenerate can write is some case's expected op: a kind's ops are exercised here
// (the unit tests keep their JSON and SQL faces). `execute` is written by hand only.
template <std::size_t... I>
std::set<std::string> every_op_name(std::index_sequence<I...>) {
  return {retort::op_name(retort::Op(std::in_place_index<I>))...};
}

TEST(CaseFiles, CoverEveryOp) {
  auto missing = every_op_name(std::make_index_sequence<std::variant_size_v<retort::Op>>());
  ASSERT_GE(missing.size(), 20u);  // the registry was read
  ASSERT_EQ(missing.erase("execute"), 1u);
  for (const auto& f : case_files()) {
    try {
      for (const auto& op : parse_case(f).lines_of("ops")) missing.erase(op);
    } catch (const std::exception&) {
      // reported by the case's own test
    }
  }
  EXPECT_TRUE(missing.empty()) << "ops no case expects: " << ::testing::PrintToString(missing);
}

// Every warning kind is some case's expected warning, except serial_differs: retort leaves a
// serial difference alone, so no revision comes of it (autogen_test covers it).
TEST(CaseFiles, CoverEveryWarningKind) {
  std::set<std::string> missing;
  for (int i = 0; i < 100; ++i) {
    auto name = std::string(retort::to_string(static_cast<retort::WarningKind>(i)));
    if (name == "unknown") break;
    missing.insert(name);
  }
  ASSERT_GE(missing.size(), 8u);  // the kinds were read
  ASSERT_EQ(missing.erase("serial_differs"), 1u);
  for (const auto& f : case_files()) {
    try {
      for (const auto& w : parse_case(f).lines_of("warnings"))
        missing.erase(w.substr(0, w.find(' ')));
    } catch (const std::exception&) {
      // reported by the case's own test
    }
  }
  EXPECT_TRUE(missing.empty()) << "warning kinds no case expects: "
                               << ::testing::PrintToString(missing);
}

// Every op autogenerate writes has its hazards asserted by some case (`-- hazards`), and every
// hazard kind is some case's.
TEST(CaseFiles, CoverEveryOpsHazards) {
  auto ops = every_op_name(std::make_index_sequence<std::variant_size_v<retort::Op>>());
  ASSERT_EQ(ops.erase("execute"), 1u);
  std::set<std::string> kinds;
  for (auto k : retort::all_hazard_kinds()) kinds.insert(std::string(retort::to_string(k)));
  ASSERT_GE(kinds.size(), 8u);
  for (const auto& f : case_files()) {
    try {
      for (const auto& line : parse_case(f).lines_of("hazards")) {
        std::istringstream in(line);
        std::string word;
        in >> word;
        ops.erase(word);
        while (in >> word) kinds.erase(word);
      }
    } catch (const std::exception&) {
      // reported by the case's own test
    }
  }
  EXPECT_TRUE(ops.empty()) << "ops whose hazards no case asserts: "
                           << ::testing::PrintToString(ops);
  EXPECT_TRUE(kinds.empty()) << "hazard kinds no case expects: " << ::testing::PrintToString(kinds);
}

}  // namespace
}  // namespace retort::test
