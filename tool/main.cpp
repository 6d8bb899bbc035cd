// retort: keeps a PostgreSQL schema in step with C++ models. See docs/cli.md.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "command.hpp"
#include "fleet_cmd.hpp"
#include "retort/error.hpp"
#include "retort/model.hpp"

namespace po = boost::program_options;
using namespace retort::cli;

namespace {

struct CommandInfo {
  int (*run)(const GlobalOptions&, const Args&);
  const char* summary;
};

const std::map<std::string, CommandInfo>& commands() {
  static const std::map<std::string, CommandInfo> table{
      {"models", {cmd_models, "print the compiled-in models as a snapshot or CREATE script"}},
      {"inspect", {cmd_inspect, "print the live database's schema as a snapshot or CREATE script"}},
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

void print_usage(std::ostream& out) {
  out << "usage: retort [--url URL] [--versions DIR] [--schema NAME]... COMMAND [ARGS]\n"
         "       retort (--targets FILE | --targets-query SQL | --tenant-schemas PATTERN)\n"
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
  out << "\nrun 'retort COMMAND --help' for a command's options; docs/cli.md has them all.\n";
}

}  // namespace

namespace retort::cli {

std::string GlobalOptions::require_url() const {
  if (url && !url->empty()) return *url;
  throw UsageError("no database given: pass --url URL or set DATABASE_URL");
}

po::variables_map parse(const Args& args, const po::options_description& desc,
                        const po::positional_options_description& positional) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
  po::notify(vm);
  return vm;
}

}  // namespace retort::cli

int main(int argc, char** argv) {
  GlobalOptions g;
  FleetFlags fleet;
  std::vector<std::string> rest;
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
    if (vm.count("versions")) g.versions = vm["versions"].as<std::string>();
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
      std::cout << "retort 0.1.0\n";
      return 0;
    }
    if (rest.empty()) {
      print_usage(vm.count("help") ? std::cout : std::cerr);
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
    print_usage(std::cerr);
    return kExitUsage;
  }
  Args args(rest.begin() + 1, rest.end());
  try {
    // By default retort manages the schemas the models use (public first: it holds the version
    // table), so objects in other schemas are never proposed for dropping.
    if (g.schemas.empty()) {
      auto models = retort_models().schema();
      if (models.schemas.empty() || models.schemas.contains("public"))
        g.schemas.push_back("public");
      for (const auto& [name, _] : models.schemas)
        if (name != "public") g.schemas.push_back(name);
    }
    if (fleet.any()) return cmd_fleet(g, fleet, it->first, args);
    return it->second.run(g, args);
  } catch (const po::error& e) {
    std::cerr << fmt::format("retort {}: {} (see 'retort {} --help')\n", it->first, e.what(),
                             it->first);
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << fmt::format("retort {}: {}\n", it->first, e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "retort: error: " << e.what() << "\n";
    return 1;
  }
}
