#include <iostream>

#include "command.hpp"
#include "retort/introspect.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql.hpp"

namespace po = boost::program_options;

namespace retort::cli {

int cmd_inspect(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort inspect [--format json|sql]");
  desc.add_options()("format", po::value<std::string>()->default_value("json"), "json or sql")(
      "catalog-sql", "print the catalog queries inspect runs, as a SQL script, and exit");
  auto vm = parse(args, desc);
  if (vm.count("catalog-sql")) {
    std::cout << introspection_script(g.schemas);
    return 0;
  }
  auto format = vm["format"].as<std::string>();
  if (format != "json" && format != "sql")
    throw UsageError("--format must be json or sql, not \"" + format + "\"");
  // A schema the user named must exist; the models' schemas may not have been created yet.
  auto schema = introspect(g.require_url(), g.schemas,
                           g.schemas_given ? MissingSchema::error : MissingSchema::skip);
  if (format == "json")
    write_snapshot(std::cout, schema);
  else
    std::cout << create_script(schema);
  return 0;
}

}  // namespace retort::cli
