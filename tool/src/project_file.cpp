#include "project_file.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <fstream>

#include "command.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace retort::cli {

std::optional<fs::path> find_project_file(const fs::path& start) {
  for (auto dir = fs::absolute(start);; dir = dir.parent_path()) {
    auto candidate = dir / kProjectFileName;
    if (fs::is_regular_file(candidate)) return candidate;
    if (dir == dir.root_path() || dir.parent_path() == dir) return std::nullopt;
  }
}

ProjectFile read_project_file(const fs::path& file) {
  ProjectFile pf;
  pf.path = fs::absolute(file);
  std::ifstream in(pf.path);
  if (!in) throw UsageError(fmt::format("{}: cannot read it", pf.path.string()));
  po::options_description keys;
  keys.add_options()("versions", po::value<std::string>())(
      "schema", po::value<std::vector<std::string>>()->composing())(
      "cli", po::value<std::string>())("build", po::value<std::string>())(
      "forward", po::value<std::string>())("forward-port", po::value<std::string>())(
      "lock-timeout", po::value<std::string>())("lock-retries", po::value<std::string>())(
      "online", po::value<std::string>())("url", po::value<std::string>());
  po::variables_map vm;
  try {
    po::store(po::parse_config_file(in, keys, false), vm);
  } catch (const po::error& e) {
    throw UsageError(
        fmt::format("{}: {} (its keys are versions, schema, cli, build, forward, forward-port, "
                    "lock-timeout, lock-retries, online)",
                    pf.path.string(), e.what()));
  }
  if (vm.count("url"))
    throw UsageError(fmt::format(
        "{}: url is not allowed in the project file (no secrets in files): pass --url URL or set "
        "DATABASE_URL",
        pf.path.string()));
  auto dir = pf.path.parent_path();
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (!vm.count(key)) return std::nullopt;
    return vm[key].as<std::string>();
  };
  if (auto v = text("versions")) pf.versions = (dir / *v).lexically_normal().string();
  if (auto c = text("cli")) pf.cli = (dir / *c).lexically_normal().string();
  if (vm.count("schema")) pf.schemas = vm["schema"].as<std::vector<std::string>>();
  pf.build = text("build");
  pf.forward = text("forward");
  pf.forward_port = text("forward-port");
  pf.lock_timeout = text("lock-timeout");
  pf.lock_retries = text("lock-retries");
  if (auto online = text("online")) {
    if (*online != "true" && *online != "false")
      throw UsageError(
          fmt::format("{}: online = \"{}\": expected true or false", pf.path.string(), *online));
    pf.online = *online == "true";
  }
  return pf;
}

}  // namespace retort::cli
