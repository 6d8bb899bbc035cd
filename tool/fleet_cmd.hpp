// Fleet options (docs/fleet.md): one command run against many databases or tenant schemas.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "command.hpp"

namespace retort::cli {

struct FleetFlags {
  std::optional<std::string> targets_file;    // --targets FILE
  std::optional<std::string> targets_query;   // --targets-query SQL, run against --url
  std::optional<std::string> tenant_schemas;  // --tenant-schemas PATTERN
  std::optional<std::size_t> jobs;            // --jobs N
  std::optional<std::size_t> canary;          // --canary K
  bool continue_on_error = false;             // --continue-on-error
  std::optional<std::string> report;          // --report FILE.json

  // Any fleet option given: the command runs as a fleet (or the options are a usage error).
  bool any() const {
    return targets_file || targets_query || tenant_schemas || jobs || canary || continue_on_error ||
           report;
  }
};

// The commands that accept fleet options.
bool fleet_capable(const std::string& command);

// Runs `command` (upgrade, downgrade, stamp, current, check, diff) on every target.
int cmd_fleet(const GlobalOptions& g, const FleetFlags& flags, const std::string& command,
              const Args& args);

}  // namespace retort::cli
