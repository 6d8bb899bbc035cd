// retort diff / retort check: what would change between the database and a target.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <iostream>

#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/introspect.hpp"
#include "retort/model.hpp"
#include "retort/online.hpp"
#include "retort/runner.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql.hpp"
#include "target.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

bool looks_like_url(const std::string& t) {
  return t.find("://") != std::string::npos || t.find('=') != std::string::npos;
}

}  // namespace

Schema load_target(const GlobalOptions& g, const std::string& target) {
  if (target == "models") return g.app.models().schema();
  if (looks_like_url(target)) return introspect(target, g.schemas, MissingSchema::skip);
  if (target.ends_with(".json") || std::filesystem::exists(target)) return read_snapshot(target);
  throw UsageError(fmt::format(
      "--target \"{}\" is neither \"models\", a snapshot .json file nor a database URL", target));
}

Comparison compare_with_target(const GlobalOptions& g, const std::string& target,
                               const RenameOptions& renames, ConnectionPair* conns) {
  auto load = [&] { return load_target(g, target); };
  auto cmp = conns ? compare(*conns, g.schemas, load, renames)
                   : compare(g.require_url(), g.schemas, load, renames);
  // A schema named with --schema that neither side has is probably a typo: with none of them
  // found the comparison covered nothing, and "in sync" would be a false success.
  if (g.schemas_given) {
    std::vector<std::string> absent;
    for (const auto& s : g.schemas)
      if (!cmp.current.schemas.contains(s) && !cmp.target.schemas.contains(s)) absent.push_back(s);
    if (absent.size() == g.schemas.size())
      throw Error(
          fmt::format("schema \"{}\" (--schema) exists neither in the database nor in the target",
                      fmt::join(absent, "\", \"")));
    for (const auto& s : absent)
      std::cerr << fmt::format(
          "retort: note: schema \"{}\" (--schema) exists neither in the database nor in the "
          "target\n",
          s);
  }
  return cmp;
}

namespace {

// "N revision(s) in versions/ not applied": drift that `upgrade` fixes. Reading the version table
// also verifies it (files present, unchanged, closed under ancestry).
void print_pending(const GlobalOptions& g) {
  std::error_code ec;
  if (!std::filesystem::is_directory(g.versions, ec)) return;
  auto graph = RevisionGraph::load(g.versions);
  auto conn = connect(g.require_url());
  Runner runner(*conn, g.schemas.front());
  auto applied = runner.applied(graph);
  auto pending = graph.ordered().size() - applied.size();
  if (pending > 0)
    std::cout << fmt::format(
        "The database is behind: {} revision(s) in {} not applied (retort upgrade applies "
        "them).\n",
        pending, g.versions);
}

}  // namespace

void print_diff_text(std::ostream& out, const SchemaDiff& diff) {
  for (const auto& op : diff.upgrade) out << "  " << describe(op) << "\n";
  for (const auto& w : diff.warnings) out << "  ! " << w.message << "\n";
}

namespace {

// Objects the database holds that the target does not declare (see "Scope" in
// docs/autogenerate.md): a count, and with --verbose the list.
void print_unmanaged(std::ostream& out, const SchemaDiff& d, bool verbose) {
  if (d.unmanaged.empty()) return;
  out << fmt::format("{} unmanaged object(s) in managed schemas: not in the target, kept{}\n",
                     d.unmanaged.size(), verbose ? ":" : " (--verbose lists them)");
  if (verbose)
    for (const auto& u : d.unmanaged)
      out << fmt::format("  {} {}.{}\n", u.kind, u.name.schema, u.name.name);
}

}  // namespace

int cmd_diff(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort diff [--target T] [--format text|json|sql] [--verbose]");
  desc.add_options()("target", po::value<std::string>()->default_value("models"),
                     "models, a snapshot .json file, or a database URL")(
      "format", po::value<std::string>()->default_value("text"), "text, json or sql")(
      "verbose,v", "list unmanaged objects")(
      "online", "the plan in online forms, as revision --autogenerate --online writes it");
  add_rename_options(desc);
  auto vm = parse(args, desc);
  auto format = vm["format"].as<std::string>();
  if (format != "text" && format != "json" && format != "sql")
    throw UsageError("--format must be text, json or sql, not \"" + format + "\"");
  auto cmp = compare_with_target(g, vm["target"].as<std::string>(), rename_options(vm));
  if (vm.count("online") || g.online) make_online(cmp.diff, cmp.current);
  const auto& d = cmp.diff;
  if (format == "text") {
    if (d.empty())
      std::cout << "No changes detected.\n";
    else
      print_diff_text(std::cout, d);
    print_unmanaged(std::cout, d, vm.count("verbose") > 0);
    print_rename_candidates(std::cout, cmp.rename_candidates);
  } else if (format == "json") {
    ordered_json j;
    j["upgrade"] = ordered_json::array();
    for (const auto& op : d.upgrade) j["upgrade"].push_back(to_json(op));
    j["downgrade"] = ordered_json::array();
    for (const auto& op : d.downgrade) j["downgrade"].push_back(to_json(op));
    j["warnings"] = ordered_json::array();
    for (const auto& w : d.warnings)
      j["warnings"].push_back(
          {{"kind", to_string(w.kind)}, {"object", w.object}, {"message", w.message}});
    j["rename_candidates"] = ordered_json::array();
    for (const auto& c : cmp.rename_candidates)
      j["rename_candidates"].push_back(
          {{"rename", c.spec()}, {"what", c.describe()}, {"rows", c.rows}});
    j["unmanaged"] = ordered_json::array();
    for (const auto& u : d.unmanaged)
      j["unmanaged"].push_back(
          {{"kind", u.kind}, {"schema", u.name.schema}, {"name", u.name.name}});
    std::cout << dump(j);
  } else {
    for (const auto& op : d.upgrade)
      for (const auto& stmt : to_sql(op)) std::cout << terminated(stmt);
  }
  return 0;
}

int cmd_check(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort check [--target T]");
  desc.add_options()("target", po::value<std::string>()->default_value("models"),
                     "models, a snapshot .json file, or a database URL")(
      "online", "accepted like diff's (online forms change how, not whether, there is drift)");
  add_rename_options(desc);
  auto vm = parse(args, desc);
  try {
    auto cmp = compare_with_target(g, vm["target"].as<std::string>(), rename_options(vm));
    if (cmp.diff.empty()) {
      std::cout << "In sync: the database matches the target.\n";
      print_pending(g);
      return 0;
    }
    std::cout << fmt::format("Drift: {} change(s) needed to match the target:\n",
                             cmp.diff.upgrade.size());
    print_diff_text(std::cout, cmp.diff);
    print_rename_candidates(std::cout, cmp.rename_candidates);
    print_pending(g);
    return 1;
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    // 1 means drift to a CI gate; an error must not look like it.
    std::cerr << "retort: error: " << e.what() << "\n";
    return kExitCheckError;
  }
}

}  // namespace retort::cli
