#include <iostream>

#include "command.hpp"
#include "retort/model.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql.hpp"

namespace po = boost::program_options;

namespace retort::cli {

int cmd_models(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort models [--format json|sql]");
  desc.add_options()("format", po::value<std::string>()->default_value("json"), "json or sql");
  auto vm = parse(args, desc);
  auto format = vm["format"].as<std::string>();
  auto schema = g.app.models().schema();
  if (format == "json")
    write_snapshot(std::cout, schema);
  else if (format == "sql")
    std::cout << create_script(schema);
  else
    throw UsageError("--format must be json or sql, not \"" + format + "\"");
  return 0;
}

}  // namespace retort::cli
