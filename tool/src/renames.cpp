// --rename / --no-rename, the terminal prompt about rename candidates, and what `revision`,
// `diff` and `check` say about the candidates left. The engine finds candidates and takes the
// answers; asking and printing happen here.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "retort/error.hpp"
#include "retort/kinds/table_item.hpp"
#include "target.hpp"

namespace po = boost::program_options;

namespace retort::cli {

void add_rename_options(po::options_description& desc) {
  desc.add_options()("rename", po::value<std::vector<std::string>>(),
                     "a rename to plan instead of drop + add, repeatable: "
                     "schema.table.column=new (a column or enum label), schema.table=new (a table "
                     "or enum type), old=new (a schema)")(
      "no-rename", "plan every rename candidate as drop + add (its values are lost)");
}

RenameOptions rename_options(const po::variables_map& vm) {
  RenameOptions options;
  if (vm.count("rename"))
    for (const auto& spec : vm["rename"].as<std::vector<std::string>>()) try {
        options.requested.push_back(RenameRequest::parse(spec));
      } catch (const Error& e) {
        throw UsageError(e.what());
      }
  options.no_rename = vm.count("no-rename") > 0;
  return options;
}

namespace {

std::string rows_text(std::int64_t rows) {
  return rows == 1 ? "1 row" : fmt::format("{} rows", rows);
}

// One candidate at a time, on the terminal: y renames, anything else (or end of input) does not.
bool ask(const RenameCandidate& c) {
  std::cerr << fmt::format(
      "Rename {}? {} holds {}: a rename keeps their values, drop + add loses them. [y/N] ",
      c.describe(), display(c.table), c.rows ? rows_text(c.rows) : "no rows");
  std::cerr.flush();
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::cerr << "\n";
    return false;
  }
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace

RenameOptions rename_options_for_revision(const po::variables_map& vm) {
  auto options = rename_options(vm);
  if (!options.no_rename && isatty(STDIN_FILENO) == 1) options.decide = ask;
  return options;
}

bool candidates_allow_revision(const RenameOptions& options,
                               const std::vector<RenameCandidate>& left) {
  if (left.empty()) return true;
  if (options.no_rename || options.decide) return true;  // said, or answered on the terminal
  std::vector<const RenameCandidate*> at_stake;
  for (const auto& c : left)
    if (c.rows > 0) at_stake.push_back(&c);
  if (at_stake.empty()) {
    for (const auto& c : left)
      std::cerr << fmt::format(
          "retort: note: {} may be a rename; its table holds no rows, so it is planned as drop + "
          "add (--rename {} renames it)\n",
          c.describe(), c.spec());
    return true;
  }
  std::cerr << "retort: error: these drops and adds may be renames, and their tables hold rows "
               "that drop + add would lose; there is no terminal to ask:\n";
  for (const auto* c : at_stake)
    std::cerr << fmt::format("  {} ({})\n", c->describe(), rows_text(c->rows));
  std::cerr << "Nothing written. Say which, and run again:\n";
  for (const auto* c : at_stake)
    std::cerr << fmt::format("  --rename {}    rename, keeping the values\n", c->spec());
  std::cerr << "  --no-rename    plan them as drop + add (the values are lost)\n";
  return false;
}

void print_rename_candidates(std::ostream& out, const std::vector<RenameCandidate>& left) {
  for (const auto& c : left)
    out << fmt::format("  ? {} may be a rename ({} at stake): --rename {} keeps them\n",
                       c.describe(), rows_text(c.rows), c.spec());
}

}  // namespace retort::cli
