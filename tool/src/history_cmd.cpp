// retort current / history / heads / show: reading the revision graph and the version table.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

#include "command.hpp"
#include "graph_format.hpp"
#include "retort/connection.hpp"
#include "retort/hazard.hpp"
#include "retort/json_cursor.hpp"
#include "retort/revision_graph.hpp"
#include "retort/runner.hpp"
#include "retort/sql.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

std::string line(const Revision& r, const RevisionGraph& graph) {
  std::string parents =
      r.down_revisions.empty() ? "<base>" : fmt::format("{}", fmt::join(r.down_revisions, ", "));
  std::string tags;
  if (graph.children(r.id).empty()) tags += " (head)";
  if (graph.children(r.id).size() > 1) tags += " (branchpoint)";
  if (r.down_revisions.size() > 1) tags += " (merge)";
  return fmt::format("{} -> {}{}, {}", parents, r.id, tags, printable(r.message));
}

}  // namespace

int cmd_heads(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort heads");
  parse(args, desc);
  auto graph = load_versions(g);
  for (const auto& h : graph.heads()) std::cout << line(graph.at(h), graph) << "\n";
  return 0;
}

int cmd_history(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort history [--verbose] [--graph [--format mermaid|dot|svg]]");
  desc.add_options()("verbose,v", "show files, dates, ops and warnings")(
      "graph", "draw the revision graph (branches and merges) instead")(
      "format", po::value<std::string>()->default_value("mermaid"),
      "with --graph: mermaid, dot or svg (drawn by Graphviz)");
  auto vm = parse(args, desc);
  auto graph = load_versions(g);
  if (vm.count("graph")) {
    print_graph(vm["format"].as<std::string>(), history_mermaid(graph), history_dot(graph));
    return 0;
  }
  if (!vm["format"].defaulted()) throw UsageError("--format goes with --graph");
  const auto& order = graph.ordered();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto& r = graph.at(*it);
    std::cout << line(r, graph) << "\n";
    if (vm.count("verbose")) {
      std::cout << fmt::format("    file: {}\n    created: {}\n", r.file.string(), r.created_at);
      for (const auto& op : r.upgrade) std::cout << "    + " << describe(op) << "\n";
      for (const auto& w : r.warnings) std::cout << "    ! " << printable(w) << "\n";
      if (auto summary = summarize(op_hazards(r, true)); !summary.empty())
        std::cout << "    hazards: " << summary << "\n";
    }
  }
  return 0;
}

int cmd_current(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort current [--verbose]");
  desc.add_options()("verbose,v", "list every applied revision");
  auto vm = parse(args, desc);
  auto graph = load_versions(g);
  auto conn = connect(g.require_url());
  Runner runner(*conn, g.schemas.front());
  auto applied = runner.applied(graph);
  auto at = graph.applied_heads(applied);
  if (at.empty()) std::cout << "<base> (no revision applied)\n";
  for (const auto& id : at) std::cout << line(graph.at(id), graph) << "\n";
  for (const auto& p : runner.partly_applied(graph)) {
    auto steps = p.steps ? std::to_string(p.steps) : "?";
    // Zero when the first step, a CONCURRENTLY one, was begun and not finished.
    auto done = p.steps_done ? fmt::format("steps 1-{} of {} done", p.steps_done, steps)
                             : fmt::format("none of its {} steps done", steps);
    auto command = p.upgrade ? "upgrade" : "downgrade";
    std::cout << fmt::format("partly applied: {} of {}, {}; run retort {} again to finish it\n",
                             command, p.revision, done, command);
  }
  if (vm.count("verbose"))
    for (const auto& id : graph.ordered())
      if (applied.contains(id)) std::cout << "  applied: " << id << "\n";
  return 0;
}

int cmd_show(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort show REV [--sql]");
  desc.add_options()("revision", po::value<std::string>(), "revision id or unique prefix")(
      "sql", "print the upgrade and downgrade SQL");
  po::positional_options_description pos;
  pos.add("revision", 1);
  auto vm = parse(args, desc, pos);
  if (!vm.count("revision")) throw UsageError("a revision is required");
  auto graph = load_versions(g);
  const auto& r = graph.at(graph.resolve(vm["revision"].as<std::string>()));
  std::cout << fmt::format(
      "Revision: {}\nParent: {}\nMessage: {}\nCreated: {}\nFile: {}\n", r.id,
      r.down_revisions.empty() ? "<base>" : fmt::format("{}", fmt::join(r.down_revisions, ", ")),
      printable(r.message), r.created_at, r.file.string());
  for (bool upgrade : {true, false}) {
    std::cout << (upgrade ? "Upgrade:\n" : "Downgrade:\n");
    const auto& ops = upgrade ? r.upgrade : r.downgrade;
    auto per_op = op_hazards(r, upgrade);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      std::cout << "  " << describe(ops[i]) << "\n";
      if (!per_op[i].empty()) std::cout << "    hazards: " << join(per_op[i]) << "\n";
      if (vm.count("sql"))
        for (const auto& s : to_sql(ops[i])) std::cout << "    " << terminated(s);
    }
  }
  for (const auto& w : r.warnings) std::cout << "Warning: " << printable(w) << "\n";
  auto summary = summarize(op_hazards(r, true));
  std::cout << "Hazards (upgrade): " << (summary.empty() ? "none" : summary) << "\n";
  return 0;
}

}  // namespace retort::cli
