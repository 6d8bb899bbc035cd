// retort COMMAND --targets FILE | --targets-query SQL | --tenant-schemas PATTERN: one command on a
// fleet of databases or tenant schemas, with a progress line, one line per target and a report.
#include "fleet_cmd.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "retort/compare.hpp"
#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/fleet.hpp"
#include "retort/retarget.hpp"
#include "retort/runner.hpp"
#include "retort/sql.hpp"
#include "target.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
  g_signal = sig;
  std::signal(sig, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// SIGINT and SIGTERM set a flag the fleet polls while it runs; the previous handlers come back.
class SignalWatch {
 public:
  SignalWatch() {
    g_signal = 0;
    m_int = std::signal(SIGINT, on_signal);
    m_term = std::signal(SIGTERM, on_signal);
  }
  ~SignalWatch() {
    std::signal(SIGINT, m_int);
    std::signal(SIGTERM, m_term);
  }
  bool fired() const { return g_signal != 0; }

 private:
  void (*m_int)(int);
  void (*m_term)(int);
};

struct CommandArgs {
  std::string target;    // upgrade/downgrade/stamp: the revision; check/diff: what to compare
  bool verbose = false;  // current: a line per target
};

CommandArgs parse_command(const std::string& command, const Args& args) {
  po::options_description desc(fmt::format("retort {} (fleet: see docs/fleet.md)", command));
  po::positional_options_description pos;
  bool moves = command == "upgrade" || command == "downgrade" || command == "stamp";
  if (moves) {
    desc.add_options()("target", po::value<std::string>(), "the revision to reach");
    pos.add("target", 1);
  } else if (command == "check" || command == "diff") {
    desc.add_options()("target", po::value<std::string>()->default_value("models"),
                       "models, a snapshot .json file, or a database URL");
    if (command == "diff")
      desc.add_options()("format", po::value<std::string>()->default_value("text"), "text");
  } else {
    desc.add_options()("verbose,v", "a line per target too");
  }
  if (std::find(args.begin(), args.end(), "--sql") != args.end())
    throw UsageError("--sql prints one script; it does not combine with fleet options");
  auto split = moves ? take_relative_target(args) : TargetArgs{args, {}};
  auto vm = parse(split.rest, desc, pos);
  CommandArgs o;
  if (moves)
    o.target = move_target(split, vm, command == "upgrade" ? "head" : nullptr);
  else if (vm.count("target"))
    o.target = vm["target"].as<std::string>();
  if (command == "diff" && vm["format"].as<std::string>() != "text")
    throw UsageError("with fleet options diff prints text only (--report writes JSON)");
  o.verbose = vm.count("verbose") > 0;
  return o;
}

std::string heads_text(const std::vector<std::string>& heads) {
  return heads.empty() ? "<base>" : fmt::format("{}", fmt::join(heads, ","));
}

std::string seconds_text(double s) { return fmt::format("{:.1f} s", s); }

// Continuation lines of a multi-line error, indented under the target's line.
std::string indented(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

std::string diff_text(const SchemaDiff& diff) {
  std::ostringstream out;
  print_diff_text(out, diff);
  return out.str();
}

std::string names_text(const std::vector<std::string>& names, std::size_t shown = 8) {
  std::vector<std::string> head(
      names.begin(), names.begin() + static_cast<std::ptrdiff_t>(std::min(shown, names.size())));
  auto out = fmt::format("{}", fmt::join(head, ", "));
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

// The live progress line on a terminal (stderr), plain status lines otherwise; target lines go to
// stdout, clearing the progress line first.
class Display {
 public:
  Display(std::string command, std::size_t total)
      : m_command(std::move(command)), m_total(total), m_tty(isatty(STDERR_FILENO) == 1) {}

  void line(const std::string& text) {
    clear();
    std::cout << text << "\n" << std::flush;
    m_last_plain = Clock::now();
  }
  void note(const std::string& text) {
    clear();
    std::cerr << text << "\n" << std::flush;
  }
  void tick(const FleetProgress& p) {
    auto now = Clock::now();
    if (m_tty) {
      if (now - m_last_draw < std::chrono::milliseconds(200)) return;
      m_last_draw = now;
      std::cerr << "\r\033[K" << status(p) << std::flush;
      m_drawn = true;
    } else if (now - m_last_plain >= std::chrono::seconds(10)) {
      m_last_plain = now;
      std::cerr << status(p) << "\n" << std::flush;
    }
  }
  void clear() {
    if (!m_drawn) return;
    std::cerr << "\r\033[K" << std::flush;
    m_drawn = false;
  }

 private:
  std::string status(const FleetProgress& p) const {
    double secs = std::chrono::duration<double>(p.elapsed).count();
    double rate = secs > 0 ? static_cast<double>(p.done + p.failed) / secs : 0;
    return fmt::format("{}: {}/{} done, {} failed, {} running, {} left, {:.1f} s, {:.1f}/s{}",
                       m_command, p.done, m_total, p.failed, p.running, p.left, secs, rate,
                       p.stopping ? " (stopping)" : "");
  }

  std::string m_command;
  std::size_t m_total;
  bool m_tty;
  bool m_drawn = false;
  Clock::time_point m_last_draw{};
  Clock::time_point m_last_plain = Clock::now();
};

// A connection to the target; for a tenant schema, with that schema first on the search_path so
// hand-written SQL in execute ops names the tenant's objects.
std::unique_ptr<pqxx::connection> open(const Target& t) {
  auto conn = connect(t.url);
  if (t.schema) {
    pqxx::nontransaction tx(*conn);
    tx.exec_params(
        "SELECT pg_catalog.set_config('search_path', $1 || ', ' || "
        "pg_catalog.current_setting('search_path'), false)",
        quote_ident(*t.schema));
  }
  return conn;
}

// What runners say while they work ("waiting for another migrator ..."), from the worker threads
// to the display; a line per applied revision would drown the per-target lines, so those stay out.
class Notes {
 public:
  Runner::Listener listener(const Target& t) {
    return [this, name = t.name](const std::string& message) {
      if (message.starts_with("applied ") || message.starts_with("reverted ")) return;
      std::lock_guard lock(m_mutex);
      m_lines.push_back(name + ": " + message);
    };
  }
  std::vector<std::string> take() {
    std::lock_guard lock(m_mutex);
    return std::exchange(m_lines, {});
  }

 private:
  std::mutex m_mutex;
  std::vector<std::string> m_lines;
};

// Runs the runner's `move` (upgrade, downgrade or stamp) with cancellation armed, then reads where
// the target ended up.
TargetOutcome move_target(const GlobalOptions& g, const RevisionGraph& shared, const Target& t,
                          CancelSlot& slot, const std::string& command, const std::string& target,
                          Notes& notes) {
  std::optional<RevisionGraph> own;
  if (t.schema) own = retarget(shared, g.schemas.front(), *t.schema);
  const RevisionGraph& graph = own ? *own : shared;
  auto conn = open(t);
  auto armed = slot.arm([c = conn.get()] { c->cancel_query(); });
  Runner runner(*conn, t.schema.value_or(g.schemas.front()), notes.listener(t));
  TargetOutcome o;
  // Read before the runner takes its lock: only to say where a failed target started.
  std::set<std::string> before = runner.applied(graph);
  std::vector<std::string> path;
  try {
    if (command == "upgrade")
      path = runner.upgrade(graph, target);
    else if (command == "downgrade")
      path = runner.downgrade(graph, target);
    else
      runner.stamp(graph, target);
  } catch (const std::exception& e) {
    // The revisions before the failing one stay applied: the report says where the target is.
    armed.disarm();
    o.error = e.what();
    o.located = true;
    o.from = graph.applied_heads(before);
    try {
      auto now = runner.applied(graph);
      o.to = graph.applied_heads(now);
      for (const auto& id : now) o.revisions += !before.contains(id);
      for (const auto& id : before) o.revisions += !now.contains(id);
    } catch (const std::exception&) {
      o.to = o.from;  // the connection is gone; the failed revision rolled back with it
    }
    return o;
  }
  // Committed: a cancel now would only turn a success into a false failure.
  armed.disarm();
  auto after = runner.applied(graph);
  if (command == "upgrade") {
    before = after;
    for (const auto& id : path) before.erase(id);
  } else if (command == "downgrade") {
    before = after;
    before.insert(path.begin(), path.end());
  }
  o.from = graph.applied_heads(before);
  o.to = graph.applied_heads(after);
  o.revisions = path.size();
  o.located = true;
  bool changed = command == "stamp" ? before != after : !path.empty();
  o.status = changed ? TargetStatus::ok : TargetStatus::up_to_date;
  return o;
}

TargetOutcome current_target(const GlobalOptions& g, const RevisionGraph& shared, const Target& t,
                             CancelSlot& slot) {
  auto conn = open(t);
  auto armed = slot.arm([c = conn.get()] { c->cancel_query(); });
  Runner runner(*conn, t.schema.value_or(g.schemas.front()));
  TargetOutcome o;
  o.from = o.to = shared.applied_heads(runner.applied(shared));
  o.located = true;
  return o;
}

TargetOutcome compare_target(const GlobalOptions& g, const Schema& wanted, const Target& t,
                             bool drift_fails) {
  auto scope = t.schema ? std::vector<std::string>{*t.schema} : g.schemas;
  Schema target = t.schema ? retarget(wanted, g.schemas.front(), *t.schema) : wanted;
  auto cmp = compare(t.url, scope, std::move(target));
  TargetOutcome o;
  if (!cmp.diff.empty()) {
    o.detail = diff_text(cmp.diff);
    if (drift_fails) o.failure = fmt::format("drift: {} change(s)", cmp.diff.upgrade.size());
  }
  return o;
}

std::string finished_line(const std::string& command, const TargetResult& r) {
  if (r.status == TargetStatus::failed) {
    if (!r.raised && command == "check")
      return fmt::format("{}: {}", r.name, r.error.value_or("drift"));
    std::string progress;
    if (r.revisions)
      progress = fmt::format(" ({} -> {}, {} revision{} done)", heads_text(r.from),
                             heads_text(r.to), r.revisions, r.revisions == 1 ? "" : "s");
    return fmt::format("{}: FAILED after {}{}: {}", r.name, seconds_text(r.seconds), progress,
                       indented(r.error.value_or("")));
  }
  auto secs = seconds_text(r.seconds);
  if (command == "current") return fmt::format("{}: at {}", r.name, heads_text(r.to));
  if (command == "check") return fmt::format("{}: in sync, {}", r.name, secs);
  if (command == "diff")
    return r.detail.empty() ? fmt::format("{}: no changes, {}", r.name, secs)
                            : fmt::format("{}: changes, {}", r.name, secs);
  if (r.status == TargetStatus::up_to_date)
    return fmt::format("{}: at {}, up to date, {}", r.name, heads_text(r.to), secs);
  if (command == "stamp")
    return fmt::format("{}: {} -> {} (stamped, no ops run), {}", r.name, heads_text(r.from),
                       heads_text(r.to), secs);
  return fmt::format("{}: {} -> {}, {} revision{}, {}", r.name, heads_text(r.from),
                     heads_text(r.to), r.revisions, r.revisions == 1 ? "" : "s", secs);
}

void write_report(const std::string& path, const std::vector<TargetResult>& results) {
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  // Several applied heads are joined with ","; none is "base"; null when not known.
  auto heads = [](const TargetResult& r, const std::vector<std::string>& h) -> nlohmann::json {
    if (!r.located) return nullptr;
    if (h.empty()) return "base";
    return fmt::format("{}", fmt::join(h, ","));
  };
  for (const auto& r : results) {
    nlohmann::ordered_json j;
    j["name"] = r.name;
    j["status"] = to_string(r.status);
    j["from"] = heads(r, r.from);
    j["to"] = heads(r, r.to);
    j["revisions"] = r.revisions;
    j["seconds"] = std::round(r.seconds * 1000) / 1000;
    j["error"] = r.error ? nlohmann::json(*r.error) : nlohmann::json(nullptr);
    targets.push_back(std::move(j));
  }
  nlohmann::ordered_json doc;
  doc["targets"] = std::move(targets);
  // Written next to its place and renamed: a reader never sees half a report.
  auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) throw Error(fmt::format("{}: cannot write the report", path));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(fmt::format("{}: cannot write the report: {}", path, ec.message()));
}

// current: how many targets are at each revision.
void print_current_table(const RevisionGraph& graph, const std::vector<TargetResult>& results) {
  std::map<std::string, std::vector<std::string>> at;
  for (const auto& r : results)
    if (r.status != TargetStatus::failed && r.status != TargetStatus::skipped)
      at[heads_text(r.to)].push_back(r.name);
  if (at.empty()) return;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows(at.begin(), at.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  auto heads = graph.heads();
  std::size_t width = 8;
  for (const auto& [rev, _] : rows) width = std::max(width, rev.size());
  std::cout << fmt::format("{:<{}}  {:>7}\n", "revision", width, "targets");
  for (const auto& [rev, names] : rows) {
    std::string note;
    if (std::find(heads.begin(), heads.end(), rev) != heads.end()) note = "  (head)";
    if (rows.size() > 1 && names.size() <= 5) note += "  " + names_text(names, 5);
    std::cout << fmt::format("{:<{}}  {:>7}{}\n", rev, width, names.size(), note);
  }
}

// check and diff: targets with the same changes are shown once.
void print_grouped_changes(const std::vector<TargetResult>& results) {
  std::map<std::string, std::vector<std::string>> by_text;
  for (const auto& r : results)
    if (!r.detail.empty()) by_text[r.detail].push_back(r.name);
  for (const auto& [text, names] : by_text) {
    std::cout << fmt::format("{} target{} ({}):\n", names.size(), names.size() == 1 ? "" : "s",
                             names_text(names))
              << text;
  }
}

}  // namespace

bool fleet_capable(const std::string& command) {
  static const std::set<std::string> names{"upgrade", "downgrade", "stamp",
                                           "current", "check",     "diff"};
  return names.contains(command);
}

// Options, targets, the fleet run and its report for every fleet-capable command: one sequence
// whose steps share the parsed options.
// NOLINTNEXTLINE(readability-function-size)
int cmd_fleet(const GlobalOptions& g, const FleetFlags& flags, const std::string& command,
              const Args& args) {
  if (!fleet_capable(command))
    throw UsageError(
        "fleet options (--targets, --jobs, ...) work with upgrade, downgrade, stamp, current, "
        "check and diff only");
  auto cmd = parse_command(command, args);
  if (!flags.targets_file && !flags.targets_query && !flags.tenant_schemas)
    throw UsageError(
        "--jobs, --canary, --continue-on-error and --report need --targets FILE, "
        "--targets-query SQL or --tenant-schemas PATTERN");
  if (flags.targets_file && flags.targets_query)
    throw UsageError("give --targets FILE or --targets-query SQL, not both");
  if (flags.jobs && *flags.jobs == 0) throw UsageError("--jobs must be at least 1");
  const bool read_only = command == "current" || command == "check" || command == "diff";
  const int error_exit = command == "check" ? 3 : 1;

  try {
    // Everything that can be wrong with the inputs is found before any target is touched.
    // check and diff compare schemas: they read no revisions.
    auto graph =
        command == "check" || command == "diff" ? RevisionGraph() : RevisionGraph::load(g.versions);
    if (flags.tenant_schemas)  // an op outside the template schema is an error now, not per tenant
      (void)retarget(graph, g.schemas.front(), g.schemas.front());
    // A revision target the graph cannot resolve (unknown, ambiguous, several heads) would fail
    // every target alike: one error now instead.
    bool moves = command == "upgrade" || command == "downgrade" || command == "stamp";
    const auto& t = cmd.target;
    if (moves && t != "base" && t != "heads" && !t.starts_with("+") && !t.starts_with("-"))
      (void)graph.resolve(t);
    std::optional<Schema> wanted;
    if (command == "check" || command == "diff") wanted = load_target(g, cmd.target);

    std::vector<Target> targets;
    if (flags.targets_file)
      targets = read_targets_file(*flags.targets_file);
    else if (flags.targets_query)
      targets = query_targets(g.require_url(), *flags.targets_query);
    else
      targets = {Target{database_name(g.require_url()), g.require_url(), std::nullopt}};
    if (flags.tenant_schemas) targets = expand_tenant_schemas(targets, *flags.tenant_schemas);

    FleetOptions options;
    options.jobs = flags.jobs.value_or(4);
    // A canary guards changes; a read-only command has none to guard.
    options.canary = read_only ? 0 : flags.canary.value_or(0);
    // Reading changes nothing: one target's error is no reason to stop reading the others.
    options.continue_on_error = flags.continue_on_error || read_only;

    Notes notes;
    Fleet::Task task = [&](const Target& t, CancelSlot& slot) -> TargetOutcome {
      if (command == "current") return current_target(g, graph, t, slot);
      if (command == "check" || command == "diff")
        return compare_target(g, *wanted, t, command == "check");
      return move_target(g, graph, t, slot, command, cmd.target, notes);
    };

    Display display(command, targets.size());
    std::string header = fmt::format("{}: {} target{}, {} at a time", command, targets.size(),
                                     targets.size() == 1 ? "" : "s", options.jobs);
    if (options.canary)
      header +=
          fmt::format(", {} canar{} first", options.canary, options.canary == 1 ? "y" : "ies");
    if (flags.tenant_schemas)
      header += fmt::format(" (one at a time per database), revisions retargeted from schema {}",
                            g.schemas.front());
    display.note(header);

    SignalWatch signals;
    Fleet fleet(options);
    bool announced = false;
    Fleet::Callbacks callbacks;
    callbacks.finished = [&](const TargetResult& r) {
      if (command != "current" || cmd.verbose || r.status == TargetStatus::failed)
        display.line(finished_line(command, r));
    };
    callbacks.tick = [&](const FleetProgress& p) {
      if (signals.fired() && !announced) {
        announced = true;
        display.note(
            fmt::format("interrupted: starting no more targets; cancelling {} running "
                        "statement(s) (again to quit at once)",
                        p.running));
        fleet.interrupt();
      }
      for (const auto& line : notes.take()) display.note(line);
      display.tick(p);
    };
    auto start = Clock::now();
    auto results = fleet.run(targets, task, callbacks);
    display.clear();
    double secs = std::chrono::duration<double>(Clock::now() - start).count();

    std::map<TargetStatus, std::size_t> count;
    std::size_t raised = 0;
    for (const auto& r : results) {
      ++count[r.status];
      if (r.raised) ++raised;
    }
    if (command == "current") print_current_table(graph, results);
    if (command == "check" || command == "diff") print_grouped_changes(results);
    std::string summary;
    if (command == "check")
      summary = fmt::format("check: {} in sync, {} drifted, {} error{}", count[TargetStatus::ok],
                            count[TargetStatus::failed] - raised, raised, raised == 1 ? "" : "s");
    else if (read_only)
      summary = fmt::format("{}: {} read, {} failed", command, count[TargetStatus::ok],
                            count[TargetStatus::failed]);
    else
      summary = fmt::format("{}: {} ok, {} up to date, {} failed", command, count[TargetStatus::ok],
                            count[TargetStatus::up_to_date], count[TargetStatus::failed]);
    if (count[TargetStatus::skipped])
      summary += fmt::format(", {} skipped", count[TargetStatus::skipped]);
    std::cout << summary << fmt::format(", {}\n", seconds_text(secs));
    for (const auto& r : results)
      if (r.status == TargetStatus::skipped) {
        std::cout << fmt::format("skipped {} target{}: {}\n", count[TargetStatus::skipped],
                                 count[TargetStatus::skipped] == 1 ? "" : "s",
                                 r.error.value_or("not started"));
        break;
      }
    if (!read_only && (count[TargetStatus::failed] || count[TargetStatus::skipped]))
      std::cout << "Fix the cause and run the same command again: targets already done are up to "
                   "date and are left alone.\n";
    if (flags.report) write_report(*flags.report, results);

    if (command == "check") {
      if (raised || count[TargetStatus::skipped]) return 3;
      return count[TargetStatus::failed] ? 1 : 0;
    }
    return count[TargetStatus::failed] || count[TargetStatus::skipped] ? 1 : 0;
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    std::cerr << "retort: error: " << redact(e.what(), g.url.value_or("")) << "\n";
    return error_exit;
  }
}

}  // namespace retort::cli
