// The CLI's commands. Each parses its own options and prints; the engine (retort::lib) prints
// nothing.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "retort/cli/run.hpp"
#include "retort/revision_graph.hpp"

namespace retort::cli {

struct GlobalOptions {
  Application app;                 // the application this CLI is built for, and its models
  std::optional<std::string> url;  // --url, else $DATABASE_URL
  std::string versions = "versions";
  std::vector<std::string> schemas;  // --schema, else public plus the models' schemas
  bool schemas_given = false;        // named with --schema: a missing one is an error
  // Defaults from retort.ini for --lock-timeout and --lock-retries (the command line wins).
  std::optional<std::string> lock_timeout;
  std::optional<std::string> lock_retries;
  bool online = false;  // retort.ini `online = true`: revision --autogenerate --online

  // The URL to use, or an error telling how to give one.
  std::string require_url() const;
};

using Args = std::vector<std::string>;

// Exit codes: 0 success, 1 drift (check) or a failed operation, 2 usage errors, 3 any error of
// `check` (so that a CI gate never mistakes an error for drift).
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCheckError = 3;

// The revisions in --versions; a directory that does not exist is an error (a wrong working
// directory must not look like "nothing to apply").
RevisionGraph load_versions(const GlobalOptions& g);

// Thrown for bad command-line usage; main prints it with the command's help.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by parse() for --help, which it adds to every command: run() prints the text, exits 0.
struct HelpRequested {
  std::string text;
};

// Parses a command's options; positional names map to `positional` in order.
boost::program_options::variables_map parse(
    const Args& args, const boost::program_options::options_description& desc,
    const boost::program_options::positional_options_description& positional = {});

// A move's TARGET is a revision, or a relative step like "-1" that looks like an option: that one
// is taken out of the arguments before parsing.
struct TargetArgs {
  Args rest;
  std::optional<std::string> relative;
};
TargetArgs take_relative_target(const Args& args);
// The TARGET given once (positional `target` or relative), else `fallback`, else a usage error.
std::string move_target(const TargetArgs& args, const boost::program_options::variables_map& vm,
                        const char* fallback);

int cmd_init(const GlobalOptions& g, const Args& args);
int cmd_erd(const GlobalOptions& g, const Args& args);
int cmd_models(const GlobalOptions& g, const Args& args);
int cmd_inspect(const GlobalOptions& g, const Args& args);
int cmd_diff(const GlobalOptions& g, const Args& args);
int cmd_check(const GlobalOptions& g, const Args& args);
int cmd_revision(const GlobalOptions& g, const Args& args);
int cmd_merge(const GlobalOptions& g, const Args& args);
int cmd_upgrade(const GlobalOptions& g, const Args& args);
int cmd_downgrade(const GlobalOptions& g, const Args& args);
int cmd_stamp(const GlobalOptions& g, const Args& args);
int cmd_current(const GlobalOptions& g, const Args& args);
int cmd_history(const GlobalOptions& g, const Args& args);
int cmd_heads(const GlobalOptions& g, const Args& args);
int cmd_show(const GlobalOptions& g, const Args& args);

}  // namespace retort::cli
