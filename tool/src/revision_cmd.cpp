// retort revision [--autogenerate] and retort merge: writing revision files.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/hazard.hpp"
#include "retort/online.hpp"
#include "retort/revision_graph.hpp"
#include "retort/runner.hpp"
#include "retort/verify.hpp"
#include "target.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

void print_written(const Revision& r) {
  std::cout << r.file.string() << "\n";
  auto per_op = op_hazards(r, true);
  for (std::size_t i = 0; i < r.upgrade.size(); ++i) {
    std::cout << "  " << describe(r.upgrade[i]) << "\n";
    if (!per_op[i].empty()) std::cout << "    hazards: " << join(per_op[i]) << "\n";
  }
  for (const auto& w : r.warnings) std::cout << "  ! " << w << "\n";
  if (auto summary = summarize(per_op); !summary.empty())
    std::cout << "  hazards: " << summary << "\n";
}

// Autogenerate compares with the database as the head revision leaves it; anything else would
// write a revision that repeats or undoes someone else's.
void require_at_head(pqxx::connection_base& conn, const GlobalOptions& g,
                     const RevisionGraph& graph) {
  Runner runner(conn, g.schemas.front());
  auto applied = runner.applied(graph);
  auto at = graph.applied_heads(applied);
  auto heads = graph.heads();
  if (at != heads)
    throw Error(fmt::format(
        "the database is not at the head revision (it is at {}; head is {}): it would be compared "
        "out of date. Run retort upgrade head first",
        at.empty() ? "base" : fmt::format("{}", fmt::join(at, ", ")), fmt::join(heads, ", ")));
}

// Applies the plan to the database it was compared with, rolled back, before anything is written:
// a plan that does not reach the target is found now, not at upgrade time.
// Returns the line to print after the file's path (the first line of output stays the path).
std::string verify_plan(pqxx::connection_base& conn, const GlobalOptions& g,
                        const Comparison& cmp) {
  std::cerr << "verifying: the upgrade, then the downgrade, in a transaction that is rolled back "
               "..."
            << std::endl;
  auto v = verify(conn, g.schemas, cmp);
  if (!v.ok())
    throw Error(fmt::format(
        "verification failed: {}\nNothing was written (the database is unchanged). Pass "
        "--no-verify to write the revision anyway",
        *v.failure));
  return v.downgrade_compared ? "verified: upgrade reaches the target, downgrade restores\n"
                              : "verified: upgrade reaches the target, downgrade applies (not "
                                "compared: the upgrade has irreversible steps)\n";
}

}  // namespace

int cmd_revision(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort revision -m MSG [--autogenerate] [--target T]");
  desc.add_options()("message,m", po::value<std::string>(), "what the revision does")(
      "autogenerate", "fill it with what the target needs (compares with the database)")(
      "target", po::value<std::string>()->default_value("models"),
      "models, a snapshot .json file, or a database URL")(
      "head", po::value<std::string>(), "the parent revision when versions/ has several heads")(
      "no-verify",
      "with --autogenerate: write the revision without first applying it (and its downgrade) "
      "to the database in a transaction that is rolled back")(
      "online",
      "with --autogenerate: online forms for tables that exist (CREATE INDEX CONCURRENTLY, "
      "constraints NOT VALID then VALIDATE, SET NOT NULL through a check, ...), applied in steps "
      "under a lock timeout (also `online = true` in retort.ini)");
  add_rename_options(desc);
  auto vm = parse(args, desc);
  if (!vm.count("message")) throw UsageError("-m MSG is required");
  auto message = vm["message"].as<std::string>();
  auto graph = RevisionGraph::load(g.versions);
  auto heads = graph.heads();
  std::vector<std::string> parents;
  if (vm.count("head")) {
    parents = {graph.resolve(vm["head"].as<std::string>())};
  } else if (heads.size() > 1) {
    throw Error(fmt::format(
        "{} has {} heads ({}): merge them first with retort merge -m MSG {}, or pass --head",
        g.versions, heads.size(), fmt::join(heads, ", "), fmt::join(heads, " ")));
  } else {
    parents = heads;
  }

  if (vm.count("online") && !vm.count("autogenerate"))
    throw UsageError("--online goes with --autogenerate");
  if (!vm.count("autogenerate")) {
    print_written(write_revision(g.versions, message, parents, {}, {}, {}));
    return 0;
  }
  if (vm.count("head")) throw UsageError("--head cannot be used with --autogenerate");
  // One pair for the whole command: the verification runs on the main connection, whose server
  // process has the catalog cached from the comparison.
  auto conns = connect_pair(g.require_url());
  require_at_head(*conns.main, g, graph);
  auto renames = rename_options_for_revision(vm);
  auto cmp = compare_with_target(g, vm["target"].as<std::string>(), renames, &conns);
  if (!candidates_allow_revision(renames, cmp.rename_candidates)) return 1;
  if (cmp.diff.empty()) {
    std::cout << "No changes detected: the database matches the target; nothing written.\n";
    return 0;
  }
  if (vm.count("online") || g.online) make_online(cmp.diff, cmp.current);
  auto verified =
      vm.count("no-verify") ? "not verified (--no-verify)\n" : verify_plan(*conns.main, g, cmp);
  print_written(write_revision(g.versions, message, parents, std::move(cmp.diff.upgrade),
                               std::move(cmp.diff.downgrade), cmp.diff.warnings));
  std::cout << verified;
  return 0;
}

int cmd_merge(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort merge -m MSG REV...");
  desc.add_options()("message,m", po::value<std::string>(), "what the merge is for")(
      "revisions", po::value<std::vector<std::string>>(), "revisions to merge (at least two)");
  po::positional_options_description pos;
  pos.add("revisions", -1);
  auto vm = parse(args, desc, pos);
  if (!vm.count("message")) throw UsageError("-m MSG is required");
  auto graph = RevisionGraph::load(g.versions);
  std::vector<std::string> parents;
  if (vm.count("revisions"))
    for (const auto& spec : vm["revisions"].as<std::vector<std::string>>()) {
      if (spec == "heads") {
        auto heads = graph.heads();
        parents.insert(parents.end(), heads.begin(), heads.end());
      } else {
        parents.push_back(graph.resolve(spec));
      }
    }
  if (parents.size() < 2) throw UsageError("merge needs at least two revisions (or \"heads\")");
  print_written(write_revision(g.versions, vm["message"].as<std::string>(), parents, {}, {}, {}));
  return 0;
}

}  // namespace retort::cli
