#include "tool.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace retort::test {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

ToolResult run_shell(const std::string& command, const std::string& cwd) {
  auto dir = temp_dir("retort-run");
  std::string cmd = (cwd.empty() ? "" : "cd " + shell_quote(cwd) + " && ") + "( " + command +
                    " ) >" + dir + "/out 2>" + dir + "/err </dev/null";
  int status = std::system(cmd.c_str());
  ToolResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(dir + "/out");
  r.err = slurp(dir + "/err");
  std::system(("rm -rf " + dir).c_str());
  return r;
}

ToolResult run_retort(const std::vector<std::string>& args, const std::string& cwd) {
  std::string cmd = shell_quote(RETORT_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_shell(cmd, cwd);
}

std::string temp_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_text(const std::string& path) { return slurp(path); }

}  // namespace retort::test
