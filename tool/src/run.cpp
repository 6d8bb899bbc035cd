// The retort CLI: global options, then one command. See docs/cli.md.
#include "retort/cli/run.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "command.hpp"
#include "fleet_cmd.hpp"
#include "project_file.hpp"
#include "retort/error.hpp"
#include "retort/model.hpp"
#include "retort/runner.hpp"

namespace po = boost::program_options;
using namespace retort::cli;

namespace {

struct CommandInfo {
  int (*run)(const GlobalOptions&, const Args&);
  const char* summary;
};

const std::map<std::string, CommandInfo>& commands() {
  static const std::map<std::string, CommandInfo> table{
      {"init", {cmd_init, "write retort.ini and versions/ here, and print the CMake lines"}},
      {"models", {cmd_models, "print the compiled-in models as a snapshot or CREATE script"}},
      {"inspect", {cmd_inspect, "print the live database's schema as a snapshot or CREATE script"}},
      {"erd", {cmd_erd, "draw the tables and keys: Mermaid, Graphviz DOT or SVG"}},
      {"diff", {cmd_diff, "show what would change to make the database match a target"}},
      {"check", {cmd_check, "exit 0 when the database matches the target, 1 on drift"}},
      {"revision", {cmd_revision, "write a new revision file (--autogenerate: from a diff)"}},
      {"upgrade", {cmd_upgrade, "apply revisions up to TARGET (default head)"}},
      {"downgrade", {cmd_downgrade, "revert revisions down to TARGET"}},
      {"stamp", {cmd_stamp, "set the version table to TARGET without running ops"}},
      {"current", {cmd_current, "show the revisions the database is at"}},
      {"history", {cmd_history, "list the revisions, newest first"}},
      {"heads", {cmd_heads, "list the head revisions"}},
      {"show", {cmd_show, "show one revision's ops (and SQL)"}},
      {"merge", {cmd_merge, "write a revision that joins several heads"}},
  };
  return table;
}

void print_usage(std::ostream& out, std::string_view name) {
  out << "usage: " << name << " [--url URL] [--versions DIR] [--schema NAME]... COMMAND [ARGS]\n"
      << "       " << name
      << " (--targets FILE | --targets-query SQL | --tenant-schemas PATTERN)\n"
         "              [--jobs N] [--canary K] [--continue-on-error] [--report FILE.json] "
         "COMMAND [ARGS]\n\n"
         "global options:\n"
         "  --url URL         libpq URI or conninfo (default: $DATABASE_URL)\n"
         "  --versions DIR    revision directory (default: versions)\n"
         "  --schema NAME     schema to manage, repeatable (default: public and the models' "
         "schemas)\n"
         "  --targets FILE    run on every database listed (NAME URL or URL a line)\n"
         "  --targets-query SQL  ... on the (name, url) rows SQL returns on --url\n"
         "  --tenant-schemas PATTERN  ... on every schema LIKE PATTERN (template: the first "
         "--schema)\n"
         "  --jobs N, --canary K, --continue-on-error, --report FILE.json: see docs/fleet.md\n\n"
         "commands:\n";
  for (const auto& [name, info] : commands())
    out << fmt::format("  {:<10} {}\n", name, info.summary);
  out << "\nretort.ini in this directory or the nearest parent gives defaults for --versions and\n"
         "--schema (docs/adopting.md). Run 'retort COMMAND --help' for a command's options;\n"
         "docs/cli.md has them all.\n";
}

}  // namespace

namespace retort::cli {

RevisionGraph load_versions(const GlobalOptions& g) {
  std::error_code ec;
  if (!std::filesystem::is_directory(g.versions, ec))
    throw Error(fmt::format(
        "the versions directory \"{}\" does not exist (run retort from your project's root, or "
        "pass --versions DIR)",
        g.versions));
  return RevisionGraph::load(g.versions);
}

std::string GlobalOptions::require_url() const {
  if (url && !url->empty()) return *url;
  throw UsageError("no database given: pass --url URL or set DATABASE_URL");
}

po::variables_map parse(const Args& args, const po::options_description& desc,
                        const po::positional_options_description& positional) {
  po::options_description all(desc);
  all.add_options()("help,h", "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  // Before notify(): `--help` works even when a required option is missing.
  if (vm.count("help")) throw HelpRequested{fmt::format("{}", fmt::streamed(all))};
  po::notify(vm);
  return vm;
}

TargetArgs take_relative_target(const Args& args) {
  TargetArgs out;
  for (const auto& a : args) {
    if (a.size() > 1 && a[0] == '-' && std::all_of(a.begin() + 1, a.end(), ::isdigit)) {
      if (out.relative) throw UsageError("give one TARGET");
      out.relative = a;
    } else {
      out.rest.push_back(a);
    }
  }
  return out;
}

std::string move_target(const TargetArgs& args, const po::variables_map& vm, const char* fallback) {
  if (args.relative && vm.count("target")) throw UsageError("give one TARGET");
  if (args.relative) return *args.relative;
  if (vm.count("target")) return vm["target"].as<std::string>();
  if (fallback) return fallback;
  throw UsageError("a TARGET is required");
}

// Global options, the project file, then one command, with every error mapped to its exit code in
// one place (check's 3 included): kept whole so that no path can skip the mapping.
// NOLINTNEXTLINE(readability-function-size)
int run(int argc, char** argv, const Application& app) {
  GlobalOptions g;
  FleetFlags fleet;
  g.app = app;
  std::vector<std::string> rest;
  bool versions_given = false;
  try {
    po::options_description global;
    global.add_options()("url", po::value<std::string>())("versions", po::value<std::string>())(
        "schema", po::value<std::vector<std::string>>()->composing())("help,h", "")("version", "");
    // Fleet options (docs/fleet.md) are read here so that every fleet-capable command takes them.
    global.add_options()("targets", po::value<std::string>())(
        "targets-query", po::value<std::string>())("tenant-schemas", po::value<std::string>())(
        "jobs", po::value<std::size_t>())("canary", po::value<std::size_t>())(
        "continue-on-error", "")("report", po::value<std::string>());
    po::variables_map vm;
    // No abbreviations: "--target" (diff, check) must not be taken for "--targets".
    auto parsed =
        po::command_line_parser(argc, argv)
            .options(global)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .allow_unregistered()
            .run();
    po::store(parsed, vm);
    rest = po::collect_unrecognized(parsed.options, po::include_positional);
    if (vm.count("url"))
      g.url = vm["url"].as<std::string>();
    else if (const char* env = std::getenv("DATABASE_URL"))
      g.url = env;
    versions_given = vm.count("versions") > 0;
    if (versions_given) g.versions = vm["versions"].as<std::string>();
    if (vm.count("schema")) {
      g.schemas = vm["schema"].as<std::vector<std::string>>();
      g.schemas_given = true;
    }
    auto text = [&](const char* name) -> std::optional<std::string> {
      if (!vm.count(name)) return std::nullopt;
      return vm[name].as<std::string>();
    };
    fleet.targets_file = text("targets");
    fleet.targets_query = text("targets-query");
    fleet.tenant_schemas = text("tenant-schemas");
    fleet.report = text("report");
    if (vm.count("jobs")) fleet.jobs = vm["jobs"].as<std::size_t>();
    if (vm.count("canary")) fleet.canary = vm["canary"].as<std::size_t>();
    fleet.continue_on_error = vm.count("continue-on-error") > 0;
    if (vm.count("version")) {
      std::string_view name = app.name;
      std::cout << (name == "retort" ? "" : fmt::format("{}: ", name))
                << fmt::format("retort 0.1.0 (models: {})\n", app.models_name);
      return 0;
    }
    if (rest.empty()) {
      print_usage(vm.count("help") ? std::cout : std::cerr, app.name);
      return vm.count("help") ? 0 : kExitUsage;
    }
    if (vm.count("help")) rest.push_back("--help");
  } catch (const po::error& e) {
    std::cerr << "retort: " << e.what() << "\n";
    return kExitUsage;
  }

  auto it = commands().find(rest.front());
  if (it == commands().end()) {
    std::cerr << fmt::format("retort: unknown command \"{}\"\n", rest.front());
    print_usage(std::cerr, app.name);
    return kExitUsage;
  }
  Args args(rest.begin() + 1, rest.end());
  // Shown in pg_stat_activity, so a DBA (and a waiting migrator) can tell who holds a lock. A URL
  // that sets application_name itself still wins.
  setenv("PGAPPNAME", ("retort " + it->first).c_str(), 1);
  // check's errors are 3, every one of them: 1 means drift to a CI gate.
  const bool check = it->first == "check";
  try {
    // init writes a project file and needs no models: it reads neither.
    if (it->first == "init") return it->second.run(g, args);
    // retort.ini fills what the command line leaves out.
    if (auto file = find_project_file(std::filesystem::current_path())) {
      auto project = read_project_file(*file);
      if (!versions_given && project.versions) g.versions = *project.versions;
      g.lock_timeout = project.lock_timeout;
      g.lock_retries = project.lock_retries;
      g.online = project.online;
      if (!g.schemas_given && !project.schemas.empty()) {
        g.schemas = project.schemas;
        g.schemas_given = true;
      }
    }
    // By default retort manages the schemas the models use (public first: it holds the version
    // table), so objects in other schemas are never proposed for dropping.
    if (g.schemas.empty()) {
      auto models = g.app.models().schema();
      if (models.schemas.empty() || models.schemas.contains("public"))
        g.schemas.push_back("public");
      for (const auto& [name, _] : models.schemas)
        if (name != "public") g.schemas.push_back(name);
    }
    if (fleet.any()) return cmd_fleet(g, fleet, it->first, args);
    return it->second.run(g, args);
  } catch (const HelpRequested& help) {
    std::cout << help.text;
    return 0;
  } catch (const po::error& e) {
    std::cerr << fmt::format("retort {}: {} (see 'retort {} --help')\n", it->first, e.what(),
                             it->first);
    return check ? kExitCheckError : kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << fmt::format("{} {}: {}\n", g.app.name, it->first, e.what());
    return check ? kExitCheckError : kExitUsage;
  } catch (const retort::Cancelled& e) {
    std::cerr << fmt::format("{}: {}\n", g.app.name, e.what());
    return check ? kExitCheckError : 1;
  } catch (const std::exception& e) {
    std::cerr << "retort: error: " << e.what() << "\n";
    return check ? kExitCheckError : 1;
  }
}

}  // namespace retort::cli
