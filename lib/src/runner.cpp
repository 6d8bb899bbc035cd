#include "retort/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/hazard.hpp"
#include "retort/introspect.hpp"
#include "retort/json_cursor.hpp"
#include "retort/online.hpp"
#include "retort/sql.hpp"
#include "retort/sql_statements.hpp"

namespace retort {

namespace {

// "retort" in ASCII: one lock for every retort process on a database. pg_locks shows a bigint
// advisory key as classid (high 32 bits) and objid (low 32 bits).
constexpr std::int64_t kLockKey = 0x7265746f7274;
constexpr std::int64_t kLockHigh = kLockKey >> 32;
constexpr std::int64_t kLockLow = kLockKey & 0xffffffff;

// Between lock-timeout retries: 0.5 s, 1 s, 2 s, ... at most 30 s.
std::chrono::milliseconds backoff(int attempt) {
  return std::chrono::milliseconds(std::min(30000, 500 << std::min(attempt, 6)));
}

// A lock wait that hit lock_timeout: the revision was rolled back and may be retried.
struct LockTimeout : Error {
  using Error::Error;
};

// The server's message without libpq's "LINE n: ..." excerpt (which, for a batch, quotes the
// neighbouring statements) and with its SQLSTATE.
std::string server_message(const pqxx::sql_error& e) {
  std::string what = e.what(), out;
  std::size_t pos = 0;
  bool skip_caret = false;
  while (pos < what.size()) {
    auto nl = what.find('\n', pos);
    auto line = what.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? what.size() : nl + 1;
    if (line.starts_with("LINE ")) {
      skip_caret = true;
      continue;
    }
    if (skip_caret && line.find_first_not_of(' ') != std::string::npos &&
        line.find_first_not_of(" ^") == std::string::npos) {
      skip_caret = false;
      continue;
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    out += (out.empty() ? "" : "\n          ") + line;
  }
  if (!e.sqlstate().empty()) out += fmt::format(" (SQLSTATE {})", e.sqlstate());
  return out;
}

std::string first_line(const std::string& s) {
  auto line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '.'))
    line.pop_back();
  return line;
}

// libpq's reason for a broken connection. libpqxx 6 sometimes reports only its own failure to
// read the dead connection's encoding; say what that means instead.
std::string lost_reason(const pqxx::broken_connection& e) {
  auto reason = first_line(e.what());
  if (reason.find("client encoding") != std::string::npos || reason == "not connected")
    return "the server closed the connection (pg_terminate_backend, a server restart or a broken "
           "network link)";
  return reason;
}

// A statement the runner sends, with the op it renders. `alone`: hand-written SQL (its own
// statement count is unknown) goes to the server by itself, so a failure names its op exactly.
struct Statement {
  std::size_t op;
  std::string sql;
  bool alone;
};

std::vector<Statement> statements_of(const std::vector<Op>& ops) {
  std::vector<Statement> out;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    bool execute = std::holds_alternative<op::Execute>(ops[i]);
    for (auto& stmt : to_sql(ops[i])) {
      bool alone = execute || split_statements(stmt).size() != 1;
      out.push_back({i, std::move(stmt), alone});
    }
  }
  return out;
}

// One run of a revision's statements, and what is known when one fails: which statement (or
// batch) was running, or which stage after the ops.
struct RevisionAttempt {
  const Revision& r;
  bool upgrade;
  const std::vector<Op>& ops;
  const std::vector<Statement>& statements;
  std::size_t current = 0;
  std::optional<std::pair<std::size_t, std::size_t>> batch;  // [first, last) of a failed batch
  const char* stage = nullptr;  // after the ops: what failed instead of an op

  const char* direction() const { return upgrade ? "upgrade" : "downgrade"; }

  void send(pqxx::work& tx, const std::function<void()>& check_cancelled,
            const std::function<void(std::string)>& step) {
    for (std::size_t i = 0; i < statements.size();) {
      check_cancelled();
      std::size_t end = i + 1;
      if (!statements[i].alone)
        while (end < statements.size() && !statements[end].alone) ++end;
      if (end - i == 1) {
        current = i;
        step(fmt::format("revision {} {} op #{} ({})", r.id, direction(), statements[i].op + 1,
                         printable(describe(ops[statements[i].op]))));
        tx.exec(statements[i].sql);
        i = end;
        continue;
      }
      batch = {i, end};
      step(fmt::format("revision {} {} ops #{}-#{}", r.id, direction(), statements[i].op + 1,
                       statements[end - 1].op + 1));
      pqxx::pipeline pipe(tx);
      pipe.retain(static_cast<int>(std::min<std::size_t>(end - i, 1 << 30)));
      std::vector<pqxx::pipeline::query_id> ids;
      ids.reserve(end - i);
      // Each statement on lines of its own, so a syntax error's LINE number names it and a
      // trailing "--" comment cannot swallow the separator.
      for (std::size_t k = i; k < end; ++k)
        ids.push_back(pipe.insert("\n" + statements[k].sql + "\n"));
      pipe.resume();
      for (std::size_t k = i; k < end; ++k) {
        current = k;
        pipe.retrieve(ids[k - i]);
      }
      pipe.complete();
      batch.reset();
      i = end;
    }
  }

  // The server parses a whole batch before running any of it: a syntax error's LINE says which
  // statement it is in, and nothing of the batch ran.
  std::optional<std::size_t> statement_at_error_line(const std::string& what) const {
    std::smatch m;
    if (!std::regex_search(what, m, std::regex(R"(LINE (\d+):)"))) return std::nullopt;
    std::size_t line = std::stoul(m[1].str()), first_line_of = 2;
    std::optional<std::size_t> found;
    for (std::size_t k = batch->first; k < batch->second; ++k) {
      // Its own lines, then the line holding the pipeline's "; " separator.
      auto lines = 2 + std::count(statements[k].sql.begin(), statements[k].sql.end(), '\n');
      if (line >= first_line_of && line < first_line_of + lines) found = k;
      first_line_of += lines;
    }
    return found;
  }

  [[noreturn]] void fail(const pqxx::sql_error& e, std::int64_t lock_timeout_ms,
                         const std::string& lock_wait) {
    // The server ended the session (pg_terminate_backend, shutdown) or the link broke.
    if (e.sqlstate().starts_with("08") || e.sqlstate().starts_with("57P"))
      throw DatabaseError(fmt::format(
          "lost the connection to the database while applying revision {} ({}): {}. The "
          "revision did not commit: nothing of it was applied",
          r.id, r.file.string(), server_message(e)));
    if (e.sqlstate() == "55P03")
      throw LockTimeout(fmt::format(
          "revision {} ({}) hit the lock timeout ({} ms) at {} op #{} ({}){}; nothing of it was "
          "applied",
          r.id, r.file.string(), lock_timeout_ms, direction(), statements[current].op + 1,
          describe(ops[statements[current].op]),
          lock_wait.empty() ? "" : ", waiting for " + lock_wait));
    if (stage)
      throw Error(
          fmt::format("revision {} ({}) failed {}; nothing of it was applied.\n  server: {}", r.id,
                      r.file.string(), stage, server_message(e)));
    if (batch && e.sqlstate() == "42601") {
      auto found = statement_at_error_line(e.what());
      if (!found)
        throw Error(fmt::format(
            "revision {} ({}) failed; nothing of it was applied.\n  a syntax error in {} ops "
            "#{}-#{}\n  server: {}",
            r.id, r.file.string(), direction(), statements[batch->first].op + 1,
            statements[batch->second - 1].op + 1, server_message(e)));
      current = *found;
    }
    const auto& s = statements[current];
    throw Error(fmt::format(
        "revision {} ({}) failed; nothing of it was applied.\n  {} op #{}: {}\n  SQL: {}\n  "
        "server: {}",
        r.id, r.file.string(), direction(), s.op + 1, describe(ops[s.op]), s.sql,
        server_message(e)));
  }
};

// Where a revision that runs in steps records the steps done (and the CONCURRENTLY step being
// attempted), so a rerun continues after them. Excluded from introspection like the version table.
std::string progress_table_sql(const std::string& table) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (revision text NOT NULL, direction text NOT NULL, checksum "
      "text NOT NULL, steps_done integer NOT NULL, attempting integer, updated_at timestamptz NOT "
      "NULL DEFAULT now(), PRIMARY KEY (revision, direction))",
      table);
}

// Retort's own tables are created by the first upgrade: before it there is nothing to read.
bool table_exists(pqxx::transaction_base& tx, const std::string& table) {
  return tx.exec_params("SELECT to_regclass($1) IS NOT NULL", table)[0][0].as<bool>();
}

std::string progress_table(const std::string& schema) {
  return qualified({schema, std::string(kVersionTable) + "_progress"});
}

// Another migrator applied (or reverted) the revision before this run got to it.
struct NothingToDo {};

// The steps of a revision that runs in steps, for a DBA: each transactional step in its own
// transaction, the CONCURRENTLY ones outside, every statement under the online lock timeout.
std::string steps_script(const std::vector<Op>& ops) {
  bool online = any_online(ops);
  std::string out =
      online ? fmt::format("SET lock_timeout = '{}ms';\n", kOnlineLockTimeout.count()) : "";
  for (const auto& step : steps_of(ops)) {
    out += step.transactional ? "BEGIN;\n" : "-- outside a transaction:\n";
    for (const auto& stmt : step.sql) out += terminated(stmt);
    if (step.transactional) out += "COMMIT;\n";
  }
  return out + (online ? "RESET lock_timeout;\n" : "");
}

std::size_t count_of(const std::string& target) {
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(target.data() + 1, target.data() + target.size(), n);
  if (ec != std::errc() || p != target.data() + target.size() || n == 0)
    throw Error(fmt::format("\"{}\" is not a relative target (+N or -N with N > 0)", target));
  return n;
}

std::string version_table_sql(const std::string& table) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (revision text PRIMARY KEY, checksum text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now())",
      table);
}

std::string insert_row_sql(const std::string& table, const Revision& r) {
  return fmt::format("INSERT INTO {} (revision, checksum) VALUES ({}, {})", table,
                     quote_literal(r.id), quote_literal(r.checksum));
}

std::string delete_row_sql(const std::string& table, const Revision& r) {
  return fmt::format("DELETE FROM {} WHERE revision = {}", table, quote_literal(r.id));
}

}  // namespace

std::set<std::string> target_set(const RevisionGraph& graph, const std::string& target) {
  if (target == "base") return {};
  if (target == "heads") return graph.ancestry(graph.heads());
  return graph.ancestry({graph.resolve(target)});
}

std::vector<std::string> plan_upgrade(const RevisionGraph& graph,
                                      const std::set<std::string>& applied,
                                      const std::string& target) {
  std::set<std::string> wanted;
  std::size_t limit = SIZE_MAX;
  if (target.starts_with("+")) {
    limit = count_of(target);
    wanted = graph.ancestry(graph.heads());
  } else {
    wanted = target_set(graph, target);
  }
  std::vector<std::string> path;
  for (const auto& id : graph.ordered())
    if (wanted.contains(id) && !applied.contains(id) && path.size() < limit) path.push_back(id);
  if (limit != SIZE_MAX && path.size() < limit)
    throw Error(
        fmt::format("cannot upgrade {}: only {} revision(s) left to apply", target, path.size()));
  return path;
}

std::vector<std::string> plan_downgrade(const RevisionGraph& graph,
                                        const std::set<std::string>& applied,
                                        const std::string& target) {
  std::set<std::string> keep;
  std::size_t limit = SIZE_MAX;
  if (target.starts_with("-")) {
    limit = count_of(target);
  } else if (target != "base") {
    auto id = graph.resolve(target);
    if (!applied.contains(id))
      throw Error(fmt::format("revision {} is not applied: cannot downgrade to it", id));
    keep = graph.ancestry({id});
  }
  std::vector<std::string> path;
  const auto& order = graph.ordered();
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (applied.contains(*it) && !keep.contains(*it) && path.size() < limit) path.push_back(*it);
  if (limit != SIZE_MAX && path.size() < limit)
    throw Error(
        fmt::format("cannot downgrade {}: only {} revision(s) are applied", target, path.size()));
  return path;
}

std::string migration_script(const RevisionGraph& graph, const std::vector<std::string>& path,
                             bool upgrade, const std::string& version_schema) {
  auto table = qualified({version_schema, kVersionTable});
  std::string out =
      fmt::format("-- retort {}: {} revision(s)\n", upgrade ? "upgrade" : "downgrade", path.size());
  out += "BEGIN;\n" + create_schema_sql(version_schema) + ";\n" + version_table_sql(table) +
         ";\nCOMMIT;\n";
  for (const auto& id : path) {
    const auto& r = graph.at(id);
    const auto& ops = upgrade ? r.upgrade : r.downgrade;
    // Comment lines are printable(): no newline in a message or file name can end the comment.
    out += fmt::format("\n-- {} {}: {} ({})\n", upgrade ? "upgrade" : "downgrade", r.id,
                       printable(r.message), printable(r.file.filename().string()));
    for (const auto& w : r.warnings) out += fmt::format("-- warning: {}\n", printable(w));
    for (const auto& line : hazard_lines(ops, op_hazards(r, upgrade)))
      out += fmt::format("-- hazard: {}\n", printable(line));
    if (runs_in_steps(ops)) {
      out += "-- in steps, each committed on its own:\n" + steps_script(ops) + "BEGIN;\n";
    } else {
      out += "BEGIN;\n";
      for (const auto& op : ops)
        for (const auto& stmt : to_sql(op)) out += terminated(stmt);
    }
    out += (upgrade ? insert_row_sql(table, r) : delete_row_sql(table, r)) + ";\nCOMMIT;\n";
  }
  return out;
}

// Watches, from a second connection, what a revision's transaction waits for, so that a wait is
// reported ("waiting for a lock on public.t held by pid 123 ...") instead of hanging silently,
// and a lock timeout can name the blocker. The connection opens only once something waits.
class Runner::Watcher {
 public:
  Watcher(std::function<std::unique_ptr<pqxx::connection>()> open, Listener listener,
          std::chrono::milliseconds first_poll)
      : m_open(std::move(open)), m_listener(std::move(listener)), m_first_poll(first_poll) {}

  ~Watcher() {
    {
      std::lock_guard lock(m_mutex);
      m_quit = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
  }

  void watch(int pid) {
    std::lock_guard lock(m_mutex);
    m_pid = pid;
    m_since = std::chrono::steady_clock::now();
    m_next_poll = {};
    m_last.clear();
    m_reported.clear();
    m_step.clear();
    if (!m_thread.joinable() && m_open) m_thread = std::thread([this] { loop(); });
    m_wake.notify_all();
  }

  // What the revision is doing now, reported when it takes more than a few seconds: by the
  // caller's step observer when there is one (its progress line shows it), else here.
  void step(std::string what) {
    if (m_on_step) m_on_step(what);
    std::lock_guard lock(m_mutex);
    m_step = std::move(what);
    m_step_since = std::chrono::steady_clock::now();
    m_step_report = m_step_since + std::chrono::seconds(5);
    m_wake.notify_all();
  }

  // Set before any revision runs (not synchronised with step()).
  void observe(std::function<void(const std::string&)> on_step) {
    std::lock_guard lock(m_mutex);
    m_on_step = std::move(on_step);
  }

  // Stops watching; returns the last wait seen ("" if none).
  std::string stop() {
    std::lock_guard lock(m_mutex);
    m_pid.reset();
    m_step.clear();
    return m_last;
  }

 private:
  using Clock = std::chrono::steady_clock;

  void loop() {
    std::unique_lock lock(m_mutex);
    while (!m_quit) {
      auto never = Clock::time_point::max();
      auto poll_due = !m_pid || m_broken ? never : std::max(m_since + m_first_poll, m_next_poll);
      auto report_due = !m_pid || m_step.empty() || m_on_step ? never : m_step_report;
      auto due = std::min(poll_due, report_due);
      if (due == never) {
        m_wake.wait(lock);
        continue;
      }
      auto now = Clock::now();
      if (now < due) {
        m_wake.wait_until(lock, due);
        continue;
      }
      if (now >= report_due) {
        auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - m_step_since).count();
        m_listener(fmt::format("still running {} ({} s) ...", m_step, seconds));
        m_step_report = now + std::chrono::seconds(15);
      }
      if (now >= poll_due) {
        int pid = *m_pid;
        lock.unlock();
        auto waits = poll(pid);
        lock.lock();
        if (m_pid == pid) {
          for (const auto& w : waits)
            if (m_reported.insert(w).second) m_listener("waiting for " + w + " ...");
          if (!waits.empty()) m_last = waits.front();
        }
        m_next_poll = Clock::now() + std::chrono::milliseconds(250);
      }
    }
  }

  std::vector<std::string> poll(int pid) {
    std::vector<std::string> out;
    try {
      if (!m_conn) m_conn = m_open();
      pqxx::nontransaction tx(*m_conn);
      auto rows = tx.exec_params(
          "SELECT CASE WHEN w.locktype = 'relation' THEN (SELECT format('%I.%I', n.nspname, "
          "c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
          "c.oid = w.relation) "
          "WHEN w.locktype = 'advisory' THEN NULL ELSE w.locktype END, "
          "b.pid, coalesce(nullif(b.application_name, ''), '?'), coalesce(b.state, '?'), "
          "coalesce(to_char(b.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '?') "
          "FROM pg_locks w CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid) "
          "JOIN pg_stat_activity b ON b.pid = bp.pid WHERE w.pid = $1 AND NOT w.granted "
          "ORDER BY b.pid",
          pid);
      for (const auto& row : rows)
        out.push_back(fmt::format(
            "{} held by pid {} (application \"{}\", {}, transaction started {})",
            row[0].is_null() ? "the migrators' lock" : "a lock on " + std::string(row[0].c_str()),
            row[1].c_str(), printable(row[2].c_str()), row[3].c_str(), row[4].c_str()));
    } catch (const std::exception&) {
      m_broken = true;  // watching is a courtesy: the wait itself is still bounded
    }
    return out;
  }

  std::function<std::unique_ptr<pqxx::connection>()> m_open;
  Listener m_listener;
  std::function<void(const std::string&)> m_on_step;
  std::chrono::milliseconds m_first_poll;
  std::unique_ptr<pqxx::connection> m_conn;  // used by the thread only
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::optional<int> m_pid;
  std::chrono::steady_clock::time_point m_since, m_next_poll, m_step_since, m_step_report;
  std::string m_step;
  std::string m_last;
  std::set<std::string> m_reported;
  bool m_quit = false;
  bool m_broken = false;
  std::thread m_thread;
};

Runner::Runner(pqxx::connection_base& conn, std::string version_schema, Listener listener,
               RunnerOptions options)
    : m_conn(conn),
      m_schema(std::move(version_schema)),
      m_listener(std::move(listener)),
      m_options(std::move(options)) {
  if (!m_listener) m_listener = [](const std::string&) {};
  auto first_poll = std::chrono::milliseconds(1000);
  if (m_options.lock_timeout) first_poll = std::min(first_poll, *m_options.lock_timeout / 2);
  m_watcher = std::make_unique<Watcher>(m_options.open_helper, m_listener, first_poll);
}

Runner::~Runner() = default;

void Runner::on_step(StepObserver observer) { m_watcher->observe(std::move(observer)); }

std::string Runner::table() const { return qualified({m_schema, kVersionTable}); }

void Runner::cancel() noexcept {
  m_cancelled = true;
  try {
    m_conn.cancel_query();
  } catch (...) {
    // Nothing running, or the connection is gone: the flag stops the run at the next step.
  }
}

void Runner::check_cancelled() const {
  if (m_cancelled) throw Cancelled("interrupted");
}

void Runner::sleep_unless_cancelled(std::chrono::milliseconds pause) const {
  for (auto until = std::chrono::steady_clock::now() + pause;
       std::chrono::steady_clock::now() < until;) {
    check_cancelled();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The lock timeout (per statement), the server's check for a vanished client, and the
// migrators' lock, which the transaction holds until it ends: through a transaction-pooling
// PgBouncer a session-level lock would outlive its transaction on a server connection that other
// clients then get.
// With `take` false, only the settings: the lock is held apart (Runner::run_steps).
static void lock_migrators(pqxx::transaction_base& tx, const RunnerOptions& options,
                           const Runner::Listener& listener, int* pid, bool take = true) {
  std::string settings;
  if (options.lock_timeout)
    settings += fmt::format("set_config('lock_timeout', '{}ms', true), ",
                            std::max<std::int64_t>(1, options.lock_timeout->count()));
  // A backend whose client was killed (kill -9) ends its transaction within a second instead of
  // holding its locks until the statement finishes (PostgreSQL 14+).
  if (tx.conn().server_version() >= 140000)
    settings += "set_config('client_connection_check_interval', '1000', true), ";
  auto row = tx.exec(fmt::format(
      "SELECT {}pg_backend_pid(), {}", settings,
      take ? fmt::format("pg_try_advisory_xact_lock({})", kLockKey) : std::string("true")))[0];
  *pid = row[row.size() - 2].as<int>();
  if (row[row.size() - 1].as<bool>()) return;
  auto holders = tx.exec(fmt::format(
      "SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), "
      "coalesce(to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '?') FROM pg_locks l JOIN "
      "pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.classid = {} AND "
      "l.objid = {} AND l.objsubid = 1 AND l.granted",
      kLockHigh, kLockLow));
  std::string who;
  for (const auto& h : holders)
    who = fmt::format(", held by pid {}, application \"{}\", transaction started {}", h[0].c_str(),
                      printable(h[1].c_str()), h[2].c_str());
  listener(fmt::format("waiting for another migrator to finish (the migrators' lock{}) ...", who));
  try {
    tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kLockKey));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "55P03") throw;
    throw LockTimeout(
        fmt::format("gave up waiting for the migrators' lock after the lock timeout "
                    "({} ms){}",
                    options.lock_timeout->count(), who));
  }
}

void Runner::ensure_version_table() {
  for (int attempt = 0;; ++attempt) {
    try {
      pqxx::work tx(m_conn);
      int pid = 0;
      lock_migrators(tx, m_options, m_listener, &pid);
      tx.exec(create_schema_sql(m_schema));
      tx.exec(version_table_sql(table()));
      tx.commit();
      return;
    } catch (const LockTimeout& e) {
      if (attempt >= m_options.lock_retries) throw Error(e.what());
      auto pause = backoff(attempt);
      m_listener(fmt::format("{}; retrying in {} ms", e.what(), pause.count()));
      sleep_unless_cancelled(pause);
    }
  }
}

std::map<std::string, std::string> Runner::checksums() {
  pqxx::read_transaction tx(m_conn);
  std::map<std::string, std::string> out;
  if (!table_exists(tx, table())) return out;
  for (const auto& row : tx.exec("SELECT revision, checksum FROM " + table()))
    out.emplace(row[0].c_str(), row[1].c_str());
  return out;
}

std::vector<Runner::PartlyApplied> Runner::partly_applied(const RevisionGraph& graph) {
  pqxx::read_transaction tx(m_conn);
  auto progress = progress_table(m_schema);
  std::vector<PartlyApplied> out;
  if (!table_exists(tx, progress)) return out;
  for (const auto& row : tx.exec("SELECT revision, direction, steps_done FROM " + progress +
                                 " ORDER BY updated_at")) {
    PartlyApplied p{row[0].c_str(), row[1].as<std::string>() == "upgrade",
                    static_cast<std::size_t>(row[2].as<int>())};
    if (const Revision* r = graph.find(p.revision))
      p.steps = steps_of(p.upgrade ? r->upgrade : r->downgrade).size();
    out.push_back(std::move(p));
  }
  return out;
}

std::set<std::string> Runner::applied(const RevisionGraph& graph) {
  std::set<std::string> ids;
  for (const auto& [id, checksum] : checksums()) {
    const Revision* r = graph.find(id);
    if (!r)
      throw Error(fmt::format(
          "revision {} is applied to the database but has no file in versions/ (restore it from "
          "version control, or retort stamp the database to a revision you have)",
          printable(id)));
    if (r->checksum != checksum)
      throw Error(fmt::format(
          "{}: revision {} was edited after it was applied (checksum differs). Revert the edit and "
          "write a new revision; if the database already matches the edited file, run "
          "retort stamp {} to record it",
          r->file.string(), id, id));
    ids.insert(id);
  }
  // Revisions are applied parents first and reverted children first, so a gap means the version
  // table was edited: running anything on top of it could apply a revision twice.
  for (const auto& id : ids)
    for (const auto& parent : graph.at(id).down_revisions)
      if (!ids.contains(parent))
        throw Error(fmt::format(
            "the version table lists revision {} as applied but not its parent {}: it was edited "
            "outside retort. Find out which revisions the database really has, then record them "
            "with retort stamp REV",
            id, parent));
  return ids;
}

bool Runner::begin_revision(pqxx::transaction_base& tx, const RevisionGraph& graph,
                            const Revision& r, bool upgrade) {
  int pid = 0;
  lock_migrators(tx, m_options, m_listener, &pid, !m_lock_held_apart);
  m_watcher->watch(pid);
  std::vector<std::string> ids = r.down_revisions;
  ids.push_back(r.id);
  std::set<std::string> present;
  for (const auto& row :
       tx.exec_params("SELECT revision FROM " + table() + " WHERE revision = ANY($1::text[])",
                      array_literal(ids)))
    present.insert(row[0].c_str());
  if (upgrade) {
    if (present.contains(r.id)) {
      m_listener(fmt::format("skipped {}: another migrator applied it meanwhile", r.id));
      return false;
    }
    for (const auto& parent : r.down_revisions)
      if (!present.contains(parent))
        throw Error(fmt::format(
            "revision {} cannot be applied: its parent {} is no longer applied (another migrator "
            "reverted it meanwhile)",
            r.id, parent));
  } else {
    if (!present.contains(r.id)) {
      m_listener(fmt::format("skipped {}: another migrator reverted it meanwhile", r.id));
      return false;
    }
    // Children are reverted before their parents: one still applied means the table changed.
    for (const auto& child : graph.children(r.id))
      if (tx.exec_params("SELECT 1 FROM " + table() + " WHERE revision = $1", child).size() > 0)
        throw Error(fmt::format(
            "revision {} cannot be reverted: its child {} is applied (another migrator upgraded "
            "meanwhile)",
            r.id, child));
  }
  return true;
}

void Runner::refuse_data_loss(pqxx::transaction_base& tx, const Revision& r) {
  if (m_options.allow_data_loss) return;
  for (std::size_t i = 0; i < r.downgrade.size(); ++i) {
    std::string table_name, what, query;
    if (auto* d = std::get_if<op::DropTable>(&r.downgrade[i])) {
      table_name = qualified({d->schema, d->table.name});
      what = fmt::format("drops table {}.{}, which holds rows", d->schema, d->table.name);
      query = fmt::format("SELECT EXISTS (SELECT 1 FROM {})", table_name);
    } else if (auto* c = std::get_if<op::DropColumn>(&r.downgrade[i]);
               c && !c->column.generated) {  // a generated column's values are derived
      table_name = qualified(c->table);
      what = fmt::format("drops column {}.{}.{}, which holds values", c->table.schema,
                         c->table.name, c->column.name);
      query = fmt::format("SELECT EXISTS (SELECT 1 FROM {} WHERE {} IS NOT NULL)", table_name,
                          quote_ident(c->column.name));
    } else {
      continue;
    }
    if (tx.exec_params("SELECT to_regclass($1) IS NULL", table_name)[0][0].as<bool>())
      continue;  // the op itself will fail and say so
    if (tx.exec(query)[0][0].as<bool>())
      throw Error(fmt::format(
          "revision {} ({}): downgrade op #{} {}; nothing was changed. Save the data first, or "
          "pass --allow-data-loss to drop it",
          r.id, r.file.string(), i + 1, what));
  }
}

// At most this many warnings and hazard lines per revision before it runs: a revision of 1,000
// ops listed 750 lines, which buried the summary (and took 5 ms to print). `show` lists them all.
constexpr std::size_t kListedBeforeRunning = 20;

bool Runner::run(const RevisionGraph& graph, const Revision& r, bool upgrade) {
  auto list = [&](const char* what, const std::vector<std::string>& lines) {
    for (std::size_t i = 0; i < lines.size() && i < kListedBeforeRunning; ++i)
      m_listener(fmt::format("{}: {}: {}", what, r.id, printable(lines[i])));
    if (lines.size() > kListedBeforeRunning)
      m_listener(fmt::format("{}: {}: ... and {} more (retort show {})", what, r.id,
                             lines.size() - kListedBeforeRunning, r.id));
  };
  list("warning", r.warnings);
  // Before anything runs: what this revision's steps do to a live database (hazard.hpp).
  const auto& ops = upgrade ? r.upgrade : r.downgrade;
  auto per_op = op_hazards(r, upgrade);
  if (auto summary = summarize(per_op); !summary.empty()) {
    m_listener(fmt::format("hazards: {}: {}", r.id, summary));
    list("hazard", hazard_lines(ops, per_op));
  }
  for (int attempt = 0;; ++attempt) {
    try {
      return runs_in_steps(ops) ? run_in_steps(graph, r, upgrade) : run_once(graph, r, upgrade);
    } catch (const LockTimeout& e) {
      m_watcher->stop();
      if (attempt >= m_options.lock_retries)
        throw Error(fmt::format("{}{}", e.what(),
                                m_options.lock_retries > 0
                                    ? fmt::format(" (gave up after {} attempts)", attempt + 1)
                                    : std::string()));
      auto pause = backoff(attempt);
      m_listener(fmt::format("{}; retrying in {} ms (attempt {} of {})", e.what(), pause.count(),
                             attempt + 2, m_options.lock_retries + 1));
      sleep_unless_cancelled(pause);
    } catch (const Cancelled& e) {
      m_watcher->stop();
      if (runs_in_steps(ops)) throw;  // its message says which steps stay applied
      throw Cancelled(
          fmt::format("interrupted: revision {} ({}) was rolled back; nothing of it was applied",
                      r.id, r.file.string()));
    } catch (const pqxx::sql_error& e) {
      // Outside the ops: the migrators' lock, the version-table check, the data-loss check.
      m_watcher->stop();
      if (m_cancelled && e.sqlstate() == "57014")
        throw Cancelled(
            fmt::format("interrupted: revision {} ({}) was rolled back; nothing of it was applied",
                        r.id, r.file.string()));
      if (e.sqlstate().starts_with("08") || e.sqlstate().starts_with("57P"))
        throw DatabaseError(fmt::format(
            "lost the connection to the database while applying revision {} ({}): {}. The "
            "revision did not commit: nothing of it was applied",
            r.id, r.file.string(), server_message(e)));
      throw DatabaseError(
          fmt::format("revision {} ({}) failed; nothing of it was applied.\n  "
                      "server: {}",
                      r.id, r.file.string(), server_message(e)));
    } catch (const pqxx::in_doubt_error& e) {
      throw DatabaseError(fmt::format(
          "lost the connection to the database while committing revision {} ({}): {}. Whether it "
          "committed is unknown: run retort current to see",
          r.id, r.file.string(), first_line(e.what())));
    } catch (const pqxx::broken_connection& e) {
      throw DatabaseError(fmt::format(
          "lost the connection to the database while applying revision {} ({}): {}. The revision "
          "did not commit: nothing of it was applied",
          r.id, r.file.string(), lost_reason(e)));
    }
  }
}

bool Runner::run_once(const RevisionGraph& graph, const Revision& r, bool upgrade) {
  auto start = std::chrono::steady_clock::now();
  const auto& ops = upgrade ? r.upgrade : r.downgrade;
  if (!upgrade && ops.empty() && !r.upgrade.empty())
    m_listener(fmt::format("note: {} has no downgrade ops; only its version row is removed", r.id));
  auto statements = statements_of(ops);

  if (m_on_revision) m_on_revision(r, upgrade, false);
  pqxx::work tx(m_conn);
  try {
    if (!begin_revision(tx, graph, r, upgrade)) {
      m_watcher->stop();
      return false;
    }
    if (!upgrade) refuse_data_loss(tx, r);
  } catch (const pqxx::sql_error& e) {
    if (m_cancelled && e.sqlstate() == "57014") throw Cancelled("interrupted");
    auto lock_wait = m_watcher->stop();
    if (e.sqlstate() == "55P03")
      throw LockTimeout(fmt::format(
          "revision {} ({}) hit the lock timeout ({} ms) before its first op{}; nothing of it "
          "was applied",
          r.id, r.file.string(), m_options.lock_timeout ? m_options.lock_timeout->count() : 0,
          lock_wait.empty() ? "" : ", waiting for " + lock_wait));
    throw;
  }
  // Each statement is sent once. Runs of generated statements go through libpqxx's pipeline, one
  // round trip for thousands of statements, with a result per statement; hand-written SQL goes
  // alone. Either way the failing statement is known from the first and only run.
  RevisionAttempt at{r, upgrade, ops, statements};
  try {
    at.send(
        tx, [this] { check_cancelled(); },
        [this](std::string what) { m_watcher->step(std::move(what)); });
    check_cancelled();
    at.stage = "recording it in the version table";
    tx.exec(upgrade ? insert_row_sql(table(), r) : delete_row_sql(table(), r));
    check_cancelled();
    at.stage = "at COMMIT (a deferred constraint, or the server)";
    tx.commit();
  } catch (const pqxx::in_doubt_error&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    if (m_cancelled && e.sqlstate() == "57014") throw Cancelled("interrupted");
    auto lock_wait = m_watcher->stop();
    at.fail(e, m_options.lock_timeout ? m_options.lock_timeout->count() : 0, lock_wait);
  }
  m_watcher->stop();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  if (m_on_revision) m_on_revision(r, upgrade, true);
  m_listener(fmt::format("{} {} {} ... done ({} ms)", upgrade ? "applied" : "reverted", r.id,
                         printable(r.message), ms));
  return true;
}

std::optional<std::size_t> Runner::lock_step(pqxx::work& tx, const RevisionGraph& graph,
                                             const Revision& r, bool upgrade,
                                             std::optional<int>* attempting) {
  if (!begin_revision(tx, graph, r, upgrade)) return std::nullopt;
  auto progress = progress_table(m_schema);
  tx.exec(progress_table_sql(progress));
  auto rows = tx.exec_params("SELECT checksum, steps_done, attempting FROM " + progress +
                                 " WHERE revision = $1 AND direction = $2",
                             r.id, upgrade ? "upgrade" : "downgrade");
  if (rows.empty()) return 0;
  if (rows[0][0].c_str() != r.checksum)
    throw Error(fmt::format(
        "{}: revision {} was edited after an interrupted run applied some of its steps: restore "
        "the file as it was and run the {} again to finish it",
        r.file.string(), r.id, upgrade ? "upgrade" : "downgrade"));
  if (attempting && !rows[0][2].is_null()) *attempting = rows[0][2].as<int>();
  return rows[0][1].as<std::size_t>();
}

// What the steps of one revision share while they run.
struct Runner::StepRun {
  const RevisionGraph& graph;
  const Revision& r;
  bool upgrade;
  const std::vector<Op>& ops;
  std::vector<Step> steps;
  std::string progress;         // the progress table, quoted
  std::int64_t timeout_ms = 0;  // 0: none
  std::size_t done = 0;         // steps applied and recorded

  const char* direction() const { return upgrade ? "upgrade" : "downgrade"; }
  std::string where(std::size_t k) const {
    if (k >= steps.size()) return "its last step";
    return fmt::format("{} op #{} step {} of {} ({})", direction(), steps[k].op + 1, k + 1,
                       steps.size(), printable(describe(ops[steps[k].op])));
  }
  std::string left() const {
    if (done == 0) return "none of its steps is applied";
    return fmt::format(
        "steps 1-{} of {} are applied and recorded in {}, the revision is not (retort_version "
        "unchanged); run the {} again to continue with step {}",
        done, steps.size(), progress, direction(), done + 1);
  }
};

// The revision's row in the progress table: the steps done and the step being attempted (a
// CONCURRENTLY one), if any.
void Runner::record_progress(pqxx::work& tx, const StepRun& s, std::size_t steps_done,
                             std::optional<int> attempting) {
  tx.exec_params("INSERT INTO " + s.progress +
                     " (revision, direction, checksum, steps_done, attempting) VALUES ($1, $2, $3, "
                     "$4, $5) ON CONFLICT (revision, direction) DO UPDATE SET steps_done = "
                     "EXCLUDED.steps_done, attempting = EXCLUDED.attempting, updated_at = now()",
                 s.r.id, s.direction(), s.r.checksum, static_cast<int>(steps_done), attempting);
}

// In a step's transaction: the migrators' lock, and the recorded progress must be this step's.
void Runner::expect_step(pqxx::work& tx, const StepRun& s, std::size_t k,
                         std::optional<int>* attempting) {
  auto now = lock_step(tx, s.graph, s.r, s.upgrade, attempting);
  if (!now || *now != k)
    throw Error(fmt::format(
        "revision {} ({}): another migrator is applying it in steps at the same time (it "
        "recorded step {} while this run was at step {}); let that one finish",
        s.r.id, s.r.file.string(), now ? *now : s.steps.size(), k + 1));
}

// Records step k as done and, with the last, the revision itself, in the caller's transaction.
void Runner::record_step(pqxx::work& tx, const StepRun& s, std::size_t k) {
  if (k + 1 == s.steps.size()) {
    tx.exec_params("DELETE FROM " + s.progress + " WHERE revision = $1 AND direction = $2", s.r.id,
                   s.direction());
    tx.exec(s.upgrade ? insert_row_sql(table(), s.r) : delete_row_sql(table(), s.r));
    return;
  }
  record_progress(tx, s, k + 1, std::nullopt);
}

// A CONCURRENTLY step (or a non-transactional execute): marked as attempted first, so a rerun
// after a failure or a kill knows that an INVALID index of its name is its own leftover.
void Runner::run_outside_transaction(const StepRun& s, std::size_t k) {
  const auto& step = s.steps[k];
  bool skip = false, drop_leftover = false;
  {
    pqxx::work tx(m_conn);
    std::optional<int> attempting;
    expect_step(tx, s, k, &attempting);
    if (attempting == static_cast<int>(k) && step.index) {
      auto name = qualified(*step.index);
      auto state = tx.exec_params(
          "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)", name);
      bool exists = !state.empty(), valid = exists && state[0][0].as<bool>();
      skip = step.builds_index ? valid : !exists;  // the interrupted run got that far
      drop_leftover = step.builds_index && exists && !valid;
      if (step.builds_index && valid)
        m_listener(fmt::format("index {} was built by the interrupted run; keeping it", name));
      if (drop_leftover)
        m_listener(fmt::format(
            "dropping the INVALID index {} left by the interrupted build, then building it again",
            name));
    }
    record_progress(tx, s, k, static_cast<int>(k));
    tx.commit();
  }
  if (!skip) {
    pqxx::nontransaction tx(m_conn);
    if (s.timeout_ms > 0) tx.exec(fmt::format("SET lock_timeout = '{}ms'", s.timeout_ms));
    // A killed client's backend stops its build within a second (PostgreSQL 14+).
    bool check_client = m_conn.server_version() >= 140000;
    if (check_client) tx.exec("SET client_connection_check_interval = 1000");
    if (drop_leftover) tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + qualified(*step.index));
    for (const auto& stmt : step.sql) tx.exec(stmt);
    if (s.timeout_ms > 0) tx.exec("RESET lock_timeout");
    if (check_client) tx.exec("RESET client_connection_check_interval");
  }
  pqxx::work tx(m_conn);
  expect_step(tx, s, k, nullptr);
  record_step(tx, s, k);
  tx.commit();
}

void Runner::run_steps(StepRun& s) {
  // A CONCURRENTLY statement runs outside any transaction, so the steps' own transactions cannot
  // hold the migrators' lock across it: a second migrator then took the build under way for an
  // interrupted run's leftover and dropped it. A second connection holds the lock throughout,
  // idle in its transaction (no snapshot: the build does not wait for it); a killed runner's
  // connection closes, and the server releases the lock at once.
  std::unique_ptr<pqxx::connection> guard;
  std::optional<pqxx::work> guard_tx;
  struct Apart {
    bool& flag;
    ~Apart() { flag = false; }
  } apart{m_lock_held_apart};
  bool outside = std::any_of(s.steps.begin(), s.steps.end(),
                             [](const Step& step) { return !step.transactional; });
  if (outside && m_options.open_helper) {
    guard = m_options.open_helper();
    guard_tx.emplace(*guard);
    guard_tx->exec("SET LOCAL idle_in_transaction_session_timeout = 0");
    int pid = 0;
    lock_migrators(*guard_tx, m_options, m_listener, &pid);
    m_lock_held_apart = true;
  }
  {
    pqxx::work tx(m_conn);
    auto recorded = lock_step(tx, s.graph, s.r, s.upgrade, nullptr);
    if (!recorded) throw NothingToDo{};
    s.done = *recorded;
    tx.commit();
  }
  if (s.done > 0)
    m_listener(
        fmt::format("resuming revision {} at step {} of {} (an earlier run applied steps 1-{})",
                    s.r.id, s.done + 1, s.steps.size(), s.done));
  for (std::size_t k = s.done; k < s.steps.size(); ++k) {
    check_cancelled();
    // The lock still held: a guard connection lost (the server restarted it) stops the run here.
    if (guard_tx) guard_tx->exec("SELECT 1");
    m_watcher->step(fmt::format("revision {} {}", s.r.id, s.where(k)));
    if (s.steps[k].transactional) {
      pqxx::work tx(m_conn);
      expect_step(tx, s, k, nullptr);
      for (const auto& stmt : s.steps[k].sql) tx.exec(stmt);
      record_step(tx, s, k);
      tx.commit();
    } else {
      run_outside_transaction(s, k);
    }
    s.done = k + 1;
  }
}

bool Runner::run_in_steps(const RevisionGraph& graph, const Revision& r, bool upgrade) {
  auto start = std::chrono::steady_clock::now();
  const auto& ops = upgrade ? r.upgrade : r.downgrade;
  StepRun s{graph, r, upgrade, ops, steps_of(ops), progress_table(m_schema)};
  // Every statement of an online revision waits at most this long for a lock (a hand-written
  // non-transactional one only with --lock-timeout). The migrators' lock too.
  auto saved_timeout = m_options.lock_timeout;
  bool online = any_online(ops);
  if (!m_options.lock_timeout && online) m_options.lock_timeout = kOnlineLockTimeout;
  struct Restore {
    std::optional<std::chrono::milliseconds>& slot;
    std::optional<std::chrono::milliseconds> value;
    ~Restore() { slot = value; }
  } restore{m_options.lock_timeout, saved_timeout};
  s.timeout_ms = m_options.lock_timeout ? m_options.lock_timeout->count() : 0;
  if (m_on_revision) m_on_revision(r, upgrade, false);
  try {
    run_steps(s);
  } catch (const NothingToDo&) {
    m_watcher->stop();
    return false;
  } catch (const Cancelled&) {
    throw Cancelled(
        fmt::format("interrupted: revision {} ({}) stopped; {}", r.id, r.file.string(), s.left()));
  } catch (const pqxx::sql_error& e) {
    auto lock_wait = m_watcher->stop();
    if (m_cancelled && e.sqlstate() == "57014")
      throw Cancelled(fmt::format("interrupted: revision {} ({}) stopped at {}; {}", r.id,
                                  r.file.string(), s.where(s.done), s.left()));
    if (e.sqlstate() == "55P03")
      throw LockTimeout(fmt::format("revision {} ({}) hit the lock timeout ({} ms) at {}{}; {}",
                                    r.id, r.file.string(), s.timeout_ms, s.where(s.done),
                                    lock_wait.empty() ? "" : ", waiting for " + lock_wait,
                                    s.left()));
    throw Error(fmt::format("revision {} ({}) failed at {}; {}.\n  SQL: {}\n  server: {}", r.id,
                            r.file.string(), s.where(s.done), s.left(), e.query(),
                            server_message(e)));
  } catch (const pqxx::broken_connection& e) {
    m_watcher->stop();
    throw DatabaseError(fmt::format(
        "lost the connection to the database while applying revision {} ({}) in steps: {}. {} (a "
        "step that was committing may have committed: the next run knows)",
        r.id, r.file.string(), lost_reason(e), s.left()));
  }
  m_watcher->stop();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  if (m_on_revision) m_on_revision(r, upgrade, true);
  m_listener(fmt::format("{} {} {} ... done in {} steps ({} ms)", upgrade ? "applied" : "reverted",
                         r.id, printable(r.message), s.steps.size(), ms));
  return true;
}

std::vector<std::string> Runner::upgrade(const RevisionGraph& graph, const std::string& target) {
  ensure_version_table();
  auto path = plan_upgrade(graph, applied(graph), target);
  std::vector<std::string> done;
  for (const auto& id : path) {
    if (m_cancelled)
      throw Cancelled(fmt::format("interrupted after {} revision(s); {} and later were not run",
                                  done.size(), id));
    if (run(graph, graph.at(id), true)) done.push_back(id);
  }
  return done;
}

std::vector<std::string> Runner::downgrade(const RevisionGraph& graph, const std::string& target) {
  auto path = plan_downgrade(graph, applied(graph), target);
  std::vector<std::string> done;
  for (const auto& id : path) {
    if (m_cancelled)
      throw Cancelled(fmt::format("interrupted after {} revision(s); {} and earlier were not run",
                                  done.size(), id));
    if (run(graph, graph.at(id), false)) done.push_back(id);
  }
  return done;
}

void Runner::stamp(const RevisionGraph& graph, const std::string& target) {
  ensure_version_table();
  auto wanted = target_set(graph, target);
  pqxx::work tx(m_conn);
  int pid = 0;
  lock_migrators(tx, m_options, m_listener, &pid);
  tx.exec("DELETE FROM " + table());
  for (const auto& id : graph.ordered())
    if (wanted.contains(id)) tx.exec(insert_row_sql(table(), graph.at(id)));
  tx.commit();
}

}  // namespace retort
