// Runs the built `retort` executable as a user would, capturing its output and exit code.
#pragma once

#include <string>
#include <vector>

namespace retort::test {

struct ToolResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs build/retort with the arguments (each passed as one argv element), in `cwd` if given.
ToolResult run_retort(const std::vector<std::string>& args, const std::string& cwd = "");
// Runs a command line through /bin/sh -c.
ToolResult run_shell(const std::string& command, const std::string& cwd = "");

// A fresh temporary directory, removed by the caller (or left in /tmp).
std::string temp_dir(const std::string& prefix = "retort-test");
void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

}  // namespace retort::test
