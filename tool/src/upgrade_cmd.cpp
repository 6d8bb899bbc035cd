// retort upgrade / downgrade / stamp: moving a database along the revision graph.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "command.hpp"
#include "progress.hpp"
#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/runner.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

struct MoveOptions {
  std::string target;
  bool sql = false;
};

MoveOptions parse_move(const Args& args, const char* usage, const char* default_target,
                       bool with_sql, bool* help) {
  po::options_description desc(usage);
  desc.add_options()("target", po::value<std::string>(), "the revision to reach");
  if (with_sql) desc.add_options()("sql", "print the SQL script instead of running it");
  desc.add_options()("help,h", "show this help");
  po::positional_options_description pos;
  pos.add("target", 1);
  // "-1" is a relative target, not an option.
  Args rest;
  std::optional<std::string> relative;
  for (const auto& a : args) {
    if (a.size() > 1 && a[0] == '-' && std::all_of(a.begin() + 1, a.end(), ::isdigit))
      relative = a;
    else
      rest.push_back(a);
  }
  auto vm = parse(rest, desc, pos);
  *help = vm.count("help") > 0;
  if (*help) std::cout << desc;
  MoveOptions o;
  if (relative && vm.count("target")) throw UsageError("give one TARGET");
  if (relative)
    o.target = *relative;
  else if (vm.count("target"))
    o.target = vm["target"].as<std::string>();
  else if (default_target)
    o.target = default_target;
  else if (!*help)
    throw UsageError("a TARGET is required");
  o.sql = with_sql && vm.count("sql");
  return o;
}

void print_line(const std::string& line) { std::cerr << line << "\n"; }

// --sql: FROM:TO needs no database; a plain TARGET starts from what the database has applied.
int print_script(const GlobalOptions& g, const RevisionGraph& graph, const std::string& spec,
                 bool upgrade) {
  std::set<std::string> applied;
  std::string target = spec;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    applied = target_set(graph, spec.substr(0, colon));
    target = spec.substr(colon + 1);
  } else {
    auto conn = connect(g.require_url());
    Runner runner(*conn, g.schemas.front());
    applied = runner.applied(graph);
  }
  auto path =
      upgrade ? plan_upgrade(graph, applied, target) : plan_downgrade(graph, applied, target);
  std::cout << migration_script(graph, path, upgrade, g.schemas.front());
  return 0;
}

int move(const GlobalOptions& g, const Args& args, bool upgrade) {
  bool help = false;
  auto o = upgrade ? parse_move(args, "retort upgrade [TARGET] [--sql]", "head", true, &help)
                   : parse_move(args, "retort downgrade TARGET [--sql]", nullptr, true, &help);
  if (help) return 0;
  auto graph = RevisionGraph::load(g.versions);
  if (o.sql) return print_script(g, graph, o.target, upgrade);
  if (upgrade && graph.empty()) {
    std::cout << fmt::format("No revisions in {}: nothing to apply.\n", g.versions);
    return 0;
  }
  auto conn = connect(g.require_url());
  Runner runner(*conn, g.schemas.front(), print_line);
  RevisionProgress progress(g.require_url(), conn->backendpid());
  runner.on_revision([&](const Revision& r, bool up, bool finished) { progress(r, up, finished); });
  auto path = upgrade ? runner.upgrade(graph, o.target) : runner.downgrade(graph, o.target);
  if (path.empty())
    std::cout << "Nothing to do: the database is already there.\n";
  else
    std::cout << fmt::format("{} {} revision(s).\n", upgrade ? "Applied" : "Reverted", path.size());
  return 0;
}

}  // namespace

int cmd_upgrade(const GlobalOptions& g, const Args& args) { return move(g, args, true); }

int cmd_downgrade(const GlobalOptions& g, const Args& args) { return move(g, args, false); }

int cmd_stamp(const GlobalOptions& g, const Args& args) {
  bool help = false;
  auto o = parse_move(args, "retort stamp TARGET", nullptr, false, &help);
  if (help) return 0;
  auto graph = RevisionGraph::load(g.versions);
  auto conn = connect(g.require_url());
  Runner runner(*conn, g.schemas.front(), print_line);
  runner.stamp(graph, o.target);
  std::cout << fmt::format("Stamped the database at {} (no ops run).\n", o.target);
  return 0;
}

}  // namespace retort::cli
