// retort diff / retort check: what would change between the database and a target.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "retort/error.hpp"
#include "retort/introspect.hpp"
#include "retort/model.hpp"
#include "retort/snapshot.hpp"
#include "target.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

bool looks_like_url(const std::string& t) {
  return t.find("://") != std::string::npos || t.find('=') != std::string::npos;
}

}  // namespace

Schema load_target(const GlobalOptions& g, const std::string& target) {
  if (target == "models") return retort_models().schema();
  if (looks_like_url(target)) return introspect(target, g.schemas, MissingSchema::skip);
  if (target.ends_with(".json") || std::filesystem::exists(target)) return read_snapshot(target);
  throw UsageError(fmt::format(
      "--target \"{}\" is neither \"models\", a snapshot .json file nor a database URL", target));
}

Comparison compare_with_target(const GlobalOptions& g, const std::string& target) {
  auto url = g.require_url();
  return compare(url, g.schemas, [&] { return load_target(g, target); });
}

void print_diff_text(std::ostream& out, const SchemaDiff& diff) {
  for (const auto& op : diff.upgrade) out << "  " << describe(op) << "\n";
  for (const auto& w : diff.warnings) out << "  ! " << w.message << "\n";
}

int cmd_diff(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort diff [--target T] [--format text|json|sql]");
  desc.add_options()("target", po::value<std::string>()->default_value("models"),
                     "models, a snapshot .json file, or a database URL")(
      "format", po::value<std::string>()->default_value("text"), "text, json or sql")(
      "help,h", "show this help");
  auto vm = parse(args, desc);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  auto format = vm["format"].as<std::string>();
  if (format != "text" && format != "json" && format != "sql")
    throw UsageError("--format must be text, json or sql, not \"" + format + "\"");
  auto cmp = compare_with_target(g, vm["target"].as<std::string>());
  const auto& d = cmp.diff;
  if (format == "text") {
    if (d.empty())
      std::cout << "No changes detected.\n";
    else
      print_diff_text(std::cout, d);
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
    std::cout << dump(j);
  } else {
    for (const auto& op : d.upgrade)
      for (const auto& stmt : to_sql(op)) std::cout << stmt << ";\n";
  }
  return 0;
}

int cmd_check(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort check [--target T]");
  desc.add_options()("target", po::value<std::string>()->default_value("models"),
                     "models, a snapshot .json file, or a database URL")("help,h",
                                                                         "show this help");
  auto vm = parse(args, desc);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  try {
    auto cmp = compare_with_target(g, vm["target"].as<std::string>());
    if (cmp.diff.empty()) {
      std::cout << "In sync: the database matches the target.\n";
      return 0;
    }
    std::cout << fmt::format("Drift: {} change(s) needed to match the target:\n",
                             cmp.diff.upgrade.size());
    print_diff_text(std::cout, cmp.diff);
    return 1;
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    // 1 means drift to a CI gate; an error must not look like it.
    std::cerr << "retort: error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace retort::cli
