// retort init: scaffolds retort.ini and versions/ in an application's repository and prints the
// CMake lines that build its CLI.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "command.hpp"
#include "project_file.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace retort::cli {

namespace {

// A CMake target name from a directory name: letters, digits and underscores.
std::string target_stem(const std::string& dir) {
  std::string out;
  for (char c : dir) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out.empty() ? "app" : out;
}

}  // namespace

int cmd_init(const GlobalOptions&, const Args& args) {
  po::options_description desc("retort init [--name NAME] [--build-dir DIR]");
  desc.add_options()("name", po::value<std::string>(),
                     "the application's name: targets NAME_models and NAME_retort (default: "
                     "this directory's name)")(
      "build-dir", po::value<std::string>()->default_value("build"), "the CMake build directory");
  auto vm = parse(args, desc);
  auto here = fs::current_path();
  auto name = vm.count("name") ? vm["name"].as<std::string>() : target_stem(here.filename());
  if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789_") != std::string::npos)
    throw UsageError(
        fmt::format("--name \"{}\" is not a CMake target stem (letters, digits, _)", name));
  auto build_dir = vm["build-dir"].as<std::string>();
  auto ini = here / kProjectFileName;
  if (fs::exists(ini))
    throw UsageError(fmt::format("{} already exists; edit it instead", ini.string()));
  auto cli = name + "_retort";
  auto models = name + "_models";

  std::ofstream out(ini);
  out << fmt::format(
      "# retort's project file (docs/adopting.md). Keys are retort's long option names; relative\n"
      "# paths are relative to this file. Never put a database URL here: pass --url or set\n"
      "# DATABASE_URL.\n"
      "cli = {0}/{1}\n"
      "build = cmake --build {0} --target {1}\n"
      "versions = versions\n"
      "# schema = public\n"
      "# forward = kubectl port-forward -n dev svc/postgres 15432:5432\n"
      "# forward-port = 15432\n",
      build_dir, cli);
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", ini.string()));
  fs::create_directories(here / "versions");
  std::cout << fmt::format(
      "wrote {0}\ncreated {4}/\n\n"
      "Add to your CMakeLists.txt (a library whose source file defines retort_models(); see\n"
      "docs/models.md):\n\n"
      "  find_package(retort CONFIG REQUIRED)   # or: add_subdirectory(path/to/retort)\n"
      "  add_library({1} src/retort_models.cpp)\n"
      "  target_link_libraries({1} PUBLIC retort::lib PRIVATE retort::cli)\n"
      "  retort_add_cli({2} MODELS {1})\n\n"
      "then: cmake -S . -B {3} && cmake --build {3} --target {2}\n"
      "and every day: path/to/retort/scripts/autogen_migrations.sh -m \"what changed\"\n",
      ini.string(), models, cli, build_dir, (here / "versions").string());
  return 0;
}

}  // namespace retort::cli
