// retort upgrade / downgrade / stamp: moving a database along the revision graph.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <optional>

#include "command.hpp"
#include "interrupt.hpp"
#include "progress.hpp"
#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/precheck.hpp"
#include "retort/runner.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

struct MoveOptions {
  std::string target;
  bool sql = false;
  bool precheck_only = false;
  RunnerOptions runner;
};

// "500ms", "5s", "2min", "1h": PostgreSQL's spelling of a lock_timeout.
std::chrono::milliseconds parse_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto unit = text.substr(digits);
  long long n = 0;
  try {
    if (digits == 0 || digits > 9) throw std::invalid_argument("");
    n = std::stoll(text.substr(0, digits));
  } catch (const std::exception&) {
    throw UsageError(
        fmt::format("--lock-timeout \"{}\": expected a duration such as 500ms, 5s, "
                    "2min",
                    text));
  }
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::seconds(n);
  if (unit == "min") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  throw UsageError(fmt::format(
      "--lock-timeout \"{}\": give a unit (ms, s, min or h), such as 500ms, 5s, 2min", text));
}

MoveOptions parse_move(const GlobalOptions& g, const Args& args, const char* usage,
                       const char* default_target, bool with_sql, bool destructive = false) {
  po::options_description desc(usage);
  desc.add_options()("target", po::value<std::string>(), "the revision to reach");
  if (with_sql) desc.add_options()("sql", "print the SQL script instead of running it");
  if (!destructive && with_sql)
    desc.add_options()("precheck-only",
                       "only look for rows the upgrade would fail on (NULLs, duplicates, ...)");
  desc.add_options()("lock-timeout", po::value<std::string>(),
                     "give up a lock wait after DURATION (500ms, 5s, 2min): the revision is rolled "
                     "back")("lock-retries", po::value<int>(),
                             "after a lock timeout, try the revision again N times, with backoff");
  if (destructive)
    desc.add_options()("allow-data-loss", "let a downgrade drop columns and tables that hold data");
  po::positional_options_description pos;
  pos.add("target", 1);
  auto split = take_relative_target(args);
  auto vm = parse(split.rest, desc, pos);
  MoveOptions o;
  o.target = move_target(split, vm, default_target);
  o.sql = with_sql && vm.count("sql");
  o.precheck_only = vm.count("precheck-only") > 0;
  if (o.sql && o.precheck_only) throw UsageError("--precheck-only and --sql do not go together");
  // The command line wins over retort.ini.
  auto lock_timeout =
      vm.count("lock-timeout") ? vm["lock-timeout"].as<std::string>() : g.lock_timeout.value_or("");
  if (!lock_timeout.empty()) {
    o.runner.lock_timeout = parse_duration(lock_timeout);
    if (o.runner.lock_timeout->count() <= 0) throw UsageError("--lock-timeout must be positive");
  }
  if (vm.count("lock-retries")) {
    o.runner.lock_retries = vm["lock-retries"].as<int>();
  } else if (g.lock_retries) {
    try {
      o.runner.lock_retries = std::stoi(*g.lock_retries);
    } catch (const std::exception&) {
      throw UsageError(
          fmt::format("lock-retries = \"{}\" in retort.ini is not a number", *g.lock_retries));
    }
  }
  if (o.runner.lock_retries < 0) throw UsageError("--lock-retries must be 0 or more");
  o.runner.allow_data_loss = vm.count("allow-data-loss") > 0;
  return o;
}

// Called from the runner's thread and its lock watcher's: one line at a time.
void print_line(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::cerr << line + '\n';  // one write: std::endl would make it two
}

// A runner on `conn` that names lock holders through a second connection, and that SIGINT and
// SIGTERM stop cleanly: the running statement is cancelled on the server and rolled back.
template <class Work>
auto with_runner(const GlobalOptions& g, pqxx::connection& conn, RunnerOptions options, Work work) {
  auto url = g.require_url();
  options.open_helper = [url] { return connect(url); };
  Runner runner(conn, g.schemas.front(), print_line, std::move(options));
  RevisionProgress progress(g.require_url(), conn.backendpid());
  runner.on_revision([&](const Revision& r, bool up, bool finished) { progress(r, up, finished); });
  runner.on_step([&](const std::string& what) { progress.step(what); });
  InterruptGuard guard([&runner](const char* signal) {
    print_line(
        fmt::format("retort: {} received: cancelling the running statement and rolling "
                    "back (send it again to quit at once)",
                    signal));
    runner.cancel();
  });
  return work(runner);
}

// --sql: FROM:TO needs no database; a plain TARGET starts from what the database has applied.
int print_script(const GlobalOptions& g, const RevisionGraph& graph, const std::string& spec,
                 bool upgrade) {
  std::set<std::string> applied;
  std::string target = spec;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    applied = target_set(graph, spec.substr(0, colon));
    target = spec.substr(colon + 1);
  } else {
    auto conn = connect(g.require_url());
    Runner runner(*conn, g.schemas.front());
    applied = runner.applied(graph);
  }
  auto path =
      upgrade ? plan_upgrade(graph, applied, target) : plan_downgrade(graph, applied, target);
  std::cout << migration_script(graph, path, upgrade, g.schemas.front());
  return 0;
}

// Looks at the data the upgrade's ops would meet before anything runs; prints what would fail.
bool prechecks_pass(const GlobalOptions& g, pqxx::connection& conn, const RevisionGraph& graph,
                    const MoveOptions& o) {
  std::vector<const Revision*> revisions;
  {
    Runner runner(conn, g.schemas.front());
    for (const auto& id : plan_upgrade(graph, runner.applied(graph), o.target))
      revisions.push_back(&graph.at(id));
  }
  if (revisions.empty()) {
    if (o.precheck_only) std::cout << "Nothing to check: the database is already there.\n";
    return true;
  }
  auto failures = precheck(conn, revisions);
  for (const auto& f : failures) std::cerr << "precheck failed: " << to_string(f) << "\n";
  if (!failures.empty()) {
    std::cerr << fmt::format(
        "retort: {} pre-check(s) failed: the upgrade would fail on existing rows; nothing was "
        "changed. Fix the data (or write a revision that does) first\n",
        failures.size());
    return false;
  }
  if (o.precheck_only)
    std::cout << fmt::format(
        "Pre-checks passed: {} revision(s), no row the upgrade would fail on.\n", revisions.size());
  return true;
}

int move(const GlobalOptions& g, const Args& args, bool upgrade) {
  auto o = upgrade
               ? parse_move(g, args,
                            "retort upgrade [TARGET] [--sql] [--precheck-only] [--lock-timeout D]",
                            "head", true)
               : parse_move(g, args, "retort downgrade TARGET [--sql] [--allow-data-loss]", nullptr,
                            true, true);
  auto graph = load_versions(g);
  if (o.sql) return print_script(g, graph, o.target, upgrade);
  auto conn = connect(g.require_url());
  if (upgrade && !prechecks_pass(g, *conn, graph, o)) return 1;
  if (o.precheck_only) return 0;
  auto path = with_runner(g, *conn, o.runner, [&](Runner& runner) {
    return upgrade ? runner.upgrade(graph, o.target) : runner.downgrade(graph, o.target);
  });
  if (path.empty())
    std::cout << "Nothing to do: the database is already there.\n";
  else
    std::cout << fmt::format("{} {} revision(s).\n", upgrade ? "Applied" : "Reverted", path.size());
  return 0;
}

}  // namespace

int cmd_upgrade(const GlobalOptions& g, const Args& args) { return move(g, args, true); }

int cmd_downgrade(const GlobalOptions& g, const Args& args) { return move(g, args, false); }

int cmd_stamp(const GlobalOptions& g, const Args& args) {
  auto o = parse_move(g, args, "retort stamp TARGET", nullptr, false);
  auto graph = load_versions(g);
  auto conn = connect(g.require_url());
  with_runner(g, *conn, o.runner, [&](Runner& runner) {
    runner.stamp(graph, o.target);
    return 0;
  });
  std::cout << fmt::format("Stamped the database at {} (no ops run).\n", o.target);
  return 0;
}

}  // namespace retort::cli
