// retort.ini, the project file: found in the current directory or the nearest parent, read with
// Boost.Program_options' config-file parser so its keys are the long option names. See
// docs/adopting.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace retort::cli {

inline constexpr const char* kProjectFileName = "retort.ini";

struct ProjectFile {
  std::filesystem::path path;           // the file itself, absolute
  std::optional<std::string> versions;  // resolved against the file's directory
  std::vector<std::string> schemas;     // `schema`, repeatable
  std::optional<std::string> cli;       // the application's CLI executable (for scripts)
  std::optional<std::string> build;     // the command that rebuilds it (for scripts)
  std::optional<std::string> forward;   // a port-forward command (for scripts)
  std::optional<std::string> forward_port;
  std::optional<std::string> lock_timeout;  // upgrade/downgrade/stamp defaults
  std::optional<std::string> lock_retries;
  bool online = false;  // revision --autogenerate writes online forms
};

// The nearest retort.ini from `start` upwards, if any.
std::optional<std::filesystem::path> find_project_file(const std::filesystem::path& start);

// Reads and validates one: unknown keys and `url` (no secrets in files) are UsageErrors naming
// the file.
ProjectFile read_project_file(const std::filesystem::path& file);

}  // namespace retort::cli
