#include "retort/fleet.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "retort/connection.hpp"
#include "retort/error.hpp"

namespace retort {

namespace {

// The keyword/value pairs libpq reads from a URL or conninfo string; nullopt when it cannot.
std::optional<std::map<std::string, std::string>> conninfo(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (err) PQfreemem(err);
  if (!opts) return std::nullopt;
  std::map<std::string, std::string> out;
  for (auto* o = opts; o->keyword; ++o)
    if (o->val && *o->val) out.emplace(o->keyword, o->val);
  PQconninfoFree(opts);
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// A '#' at the start of a line or after a blank starts a comment; one inside a word (a password
// such as "pa#ss") does not.
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || is_space(line[i - 1]))) return line.substr(0, i);
  return line;
}

bool looks_like_url(std::string_view word) {
  return word.find("://") != std::string_view::npos || word.find('=') != std::string_view::npos;
}

void check_unique(const std::vector<Target>& targets, const std::vector<std::string>& where) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto [it, fresh] = seen.emplace(targets[i].name, i);
    if (!fresh)
      throw Error(fmt::format(
          "{}: target name \"{}\" is already used by {}; names must be unique (write NAME URL)",
          where[i], targets[i].name, where[it->second]));
  }
}

Target make_target(std::optional<std::string> name, std::string url, const std::string& where) {
  if (!conninfo(url))
    throw Error(fmt::format("{}: invalid database URL {}", where, redact_url(url)));
  Target t;
  t.name = name ? std::move(*name) : database_name(url);
  t.url = std::move(url);
  return t;
}

}  // namespace

std::string database_name(const std::string& url) {
  auto info = conninfo(url);
  if (!info) throw Error(fmt::format("invalid database URL {}", redact_url(url)));
  // libpq's order: dbname, $PGDATABASE, then the user name (the URL's, then $PGUSER).
  if (auto it = info->find("dbname"); it != info->end()) return it->second;
  if (const char* v = std::getenv("PGDATABASE"); v && *v) return v;
  if (auto it = info->find("user"); it != info->end()) return it->second;
  if (const char* v = std::getenv("PGUSER"); v && *v) return v;
  throw Error(
      fmt::format("{} names no database: give the target a name (NAME URL)", redact_url(url)));
}

std::string redact(std::string text, const std::string& url) {
  if (auto info = conninfo(url))
    if (auto it = info->find("password"); it != info->end()) {
      const std::string& pw = it->second;
      for (auto pos = text.find(pw); pos != std::string::npos; pos = text.find(pw, pos + 3))
        text.replace(pos, pw.size(), "***");
    }
  static const std::regex uri_password(R"((postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@)");
  static const std::regex kv_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))");
  text = std::regex_replace(text, uri_password, "$1***@");
  return std::regex_replace(text, kv_password, "$1***");
}

std::vector<Target> parse_targets(std::string_view text, const std::string& source) {
  std::vector<Target> targets;
  std::vector<std::string> where;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    auto line = trim(strip_comment(raw));
    if (line.empty()) continue;
    auto here = fmt::format("{}:{}", source, line_no);
    auto blank = std::find_if(line.begin(), line.end(), is_space);
    std::string first(line.begin(), blank);
    if (first.find("://") != std::string::npos && blank != line.end())
      throw Error(fmt::format("{}: more text after the URL (write NAME URL or URL)", here));
    if (looks_like_url(first))
      targets.push_back(make_target(std::nullopt, line, here));  // a conninfo has blanks inside
    else if (blank == line.end())
      throw Error(fmt::format("{}: \"{}\" is not a database URL (write NAME URL or URL)", here,
                              redact(line, line)));
    else
      targets.push_back(
          make_target(first, trim(std::string_view(line).substr(first.size())), here));
    where.push_back(here);
  }
  check_unique(targets, where);
  return targets;
}

std::vector<Target> read_targets_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot read the targets file", file.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  auto targets = parse_targets(ss.str(), file.string());
  if (targets.empty()) throw Error(fmt::format("{}: no targets in the file", file.string()));
  return targets;
}

std::vector<Target> query_targets(const std::string& url, const std::string& sql) {
  auto conn = connect(url);
  pqxx::read_transaction tx(*conn);
  pqxx::result rows;
  try {
    rows = tx.exec(sql);
  } catch (const pqxx::sql_error& e) {
    throw DatabaseError(fmt::format("--targets-query failed: {}", describe(e)));
  }
  if (rows.columns() != 1 && rows.columns() != 2)
    throw Error(
        fmt::format("--targets-query must return (name, url) or (url); it returned {} "
                    "column(s)",
                    rows.columns()));
  std::vector<Target> targets;
  std::vector<std::string> where;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto here = fmt::format("--targets-query row {}", i + 1);
    for (const auto& f : rows[i])
      if (f.is_null()) throw Error(fmt::format("{}: {} is NULL", here, f.name()));
    std::string u = rows[i][rows.columns() - 1].c_str();
    std::optional<std::string> name;
    if (rows.columns() == 2) name = rows[i][0].c_str();
    if (name && (name->empty() || std::any_of(name->begin(), name->end(), is_space)))
      throw Error(fmt::format("{}: name \"{}\" must be one word", here, *name));
    targets.push_back(make_target(name, u, here));
    where.push_back(here);
  }
  check_unique(targets, where);
  if (targets.empty()) throw Error("--targets-query returned no rows: no targets");
  return targets;
}

std::vector<Target> expand_tenant_schemas(const std::vector<Target>& databases,
                                          const std::string& pattern) {
  std::vector<Target> out;
  for (const auto& db : databases) {
    auto conn = connect(db.url);
    pqxx::read_transaction tx(*conn);
    auto rows = tx.exec_params(
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE $1 AND nspname NOT LIKE "
        "'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname COLLATE \"C\"",
        pattern);
    for (const auto& row : rows) {
      Target t;
      t.schema = row[0].c_str();
      t.name = databases.size() == 1 ? *t.schema : db.name + "/" + *t.schema;
      t.url = db.url;
      out.push_back(std::move(t));
    }
  }
  if (out.empty())
    throw Error(fmt::format("--tenant-schemas: no schema matches LIKE '{}' in {}", pattern,
                            databases.size() == 1 ? databases.front().name
                                                  : fmt::format("{} databases", databases.size())));
  return out;
}

std::string to_string(TargetStatus status) {
  switch (status) {
    case TargetStatus::ok:
      return "ok";
    case TargetStatus::up_to_date:
      return "up-to-date";
    case TargetStatus::failed:
      return "failed";
    case TargetStatus::skipped:
      return "skipped";
  }
  return "?";
}

void CancelSlot::Armed::disarm() {
  if (!m_slot) return;
  std::lock_guard lock(m_slot->m_mutex);
  m_slot->m_cancel = nullptr;
  m_slot = nullptr;
}

CancelSlot::Armed CancelSlot::arm(std::function<void()> cancel) {
  std::lock_guard lock(m_mutex);
  if (m_interrupted) throw Interrupted();
  m_cancel = std::move(cancel);
  return Armed(this);
}

bool CancelSlot::interrupted() const {
  std::lock_guard lock(m_mutex);
  return m_interrupted;
}

void CancelSlot::fire() {
  std::lock_guard lock(m_mutex);
  m_interrupted = true;
  if (!m_cancel) return;
  try {
    m_cancel();
  } catch (...) {
    // The statement may have ended meanwhile; the next tick tries again if it is still running.
  }
}

Fleet::Fleet(FleetOptions options) : m_options(options) {
  if (m_options.jobs == 0) m_options.jobs = 1;
}

void Fleet::interrupt() {
  std::lock_guard lock(m_mutex);
  m_interrupted = true;
}

namespace {

// One target's task, timed, with every way it can end turned into a result; passwords redacted.
TargetResult run_target(const Target& t, const Fleet::Task& task, CancelSlot& slot) {
  TargetResult r;
  r.name = t.name;
  auto t0 = std::chrono::steady_clock::now();
  try {
    auto o = task(t, slot);
    r.status = o.failure || o.error ? TargetStatus::failed : o.status;
    r.raised = o.error.has_value();
    r.located = o.located;
    r.from = std::move(o.from);
    r.to = std::move(o.to);
    r.revisions = o.revisions;
    if (o.error || o.failure) r.error = redact(o.error ? *o.error : *o.failure, t.url);
    r.detail = redact(std::move(o.detail), t.url);
  } catch (const std::exception& e) {
    r.status = TargetStatus::failed;
    r.raised = true;
    r.error = redact(e.what(), t.url);
  } catch (...) {
    r.status = TargetStatus::failed;
    r.raised = true;
    r.error = "an unknown error";
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

// One scheduling loop: in-flight count, canaries, database groups and the stop reason are shared
// by every step of it, which is why it stays one function.
// NOLINTNEXTLINE(readability-function-size)
std::vector<TargetResult> Fleet::run(const std::vector<Target>& targets, const Task& task,
                                     const Callbacks& callbacks) {
  using Clock = std::chrono::steady_clock;
  const std::size_t n = targets.size();
  const std::size_t canary = std::min(m_options.canary, n);
  std::vector<TargetResult> results(n);
  for (std::size_t i = 0; i < n; ++i) results[i].name = targets[i].name;
  m_slots.clear();
  for (std::size_t i = 0; i < n; ++i) m_slots.push_back(std::make_unique<CancelSlot>());

  struct Finished {
    std::size_t index;
    TargetResult result;
  };
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::vector<Finished> queue;
  std::vector<std::thread> threads(n);
  std::vector<bool> running(n, false);
  // Should a callback throw, the running targets are cancelled and waited for, never abandoned.
  struct JoinAll {
    std::vector<std::thread>& threads;
    std::vector<std::unique_ptr<CancelSlot>>& slots;
    ~JoinAll() {
      for (std::size_t i = 0; i < threads.size(); ++i)
        if (threads[i].joinable()) {
          slots[i]->fire();
          threads[i].join();
        }
    }
  } join_all{threads, m_slots};

  auto work = [&](std::size_t i) {
    auto r = run_target(targets[i], task, *m_slots[i]);
    {
      std::lock_guard lock(queue_mutex);
      queue.push_back({i, std::move(r)});
    }
    queue_cv.notify_one();
  };

  const auto start = Clock::now();
  // Targets in one database (tenant schemas) run one at a time: the runner's advisory lock is per
  // database, so a second one would only hold a connection while it waits.
  std::vector<std::size_t> group(n);
  {
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < n; ++i)
      group[i] = ids.emplace(targets[i].url, ids.size()).first->second;
  }
  std::vector<bool> group_busy(n, false), started(n, false);
  std::size_t first_pending = 0, pending = n;
  std::size_t in_flight = 0, canaries_done = 0, done = 0, failed = 0;
  auto launch = [&](std::size_t i) {
    started[i] = running[i] = true;
    group_busy[group[i]] = true;
    ++in_flight;
    --pending;
    threads[i] = std::thread(work, i);
  };
  std::optional<std::string> stop_reason;
  while (true) {
    std::vector<Finished> batch;
    {
      std::unique_lock lock(queue_mutex);
      if (in_flight > 0)
        queue_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return !queue.empty(); });
      batch.swap(queue);
    }
    for (auto& f : batch) {
      threads[f.index].join();
      running[f.index] = false;
      group_busy[group[f.index]] = false;
      --in_flight;
      if (f.index < canary) ++canaries_done;
      if (f.result.status == TargetStatus::failed) {
        ++failed;
        if (!stop_reason && f.index < canary)
          stop_reason = fmt::format("not started: canary {} failed", f.result.name);
        else if (!stop_reason && !m_options.continue_on_error)
          stop_reason = fmt::format(
              "not started: {} failed (run the command again to go on, or pass "
              "--continue-on-error)",
              f.result.name);
      } else {
        ++done;
      }
      results[f.index] = std::move(f.result);
      if (callbacks.finished) callbacks.finished(results[f.index]);
    }
    bool interrupted;
    {
      std::lock_guard lock(m_mutex);
      interrupted = m_interrupted;
    }
    if (interrupted) {
      if (!stop_reason) stop_reason = "not started: interrupted";
      // Again at every tick: a runner that replays a cancelled revision to name the failing op
      // starts new statements.
      for (std::size_t i = 0; i < n; ++i)
        if (running[i]) m_slots[i]->fire();
    }
    if (!stop_reason) {
      while (first_pending < n && started[first_pending]) ++first_pending;
      if (first_pending < canary) {
        // Canaries: alone and in order.
        if (in_flight == 0) launch(first_pending);
      } else if (canaries_done == canary) {
        for (std::size_t i = first_pending; i < n && in_flight < m_options.jobs; ++i)
          if (!started[i] && !group_busy[group[i]]) launch(i);
      }
    }
    if (in_flight == 0 && (pending == 0 || stop_reason)) break;
    if (callbacks.tick) {
      FleetProgress p;
      p.done = done;
      p.failed = failed;
      p.running = in_flight;
      p.left = pending;
      p.elapsed = Clock::now() - start;
      p.stopping = stop_reason.has_value();
      callbacks.tick(p);
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!started[i]) results[i].error = stop_reason;
  return results;
}

}  // namespace retort
