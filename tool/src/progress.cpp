#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "retort/connection.hpp"

namespace retort::cli {

namespace {

using Clock = std::chrono::steady_clock;

// One line about the index being built by `pid`, or nothing (none, or the view is unreadable).
std::optional<std::string> index_progress(pqxx::connection_base& conn, int pid) {
  pqxx::nontransaction tx(conn);
  auto rows = tx.exec_params(
      "SELECT p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total, "
      "coalesce(c.relname, '') FROM pg_stat_progress_create_index p "
      "LEFT JOIN pg_class c ON c.oid = p.relid WHERE p.pid = $1",
      pid);
  if (rows.empty()) return std::nullopt;
  auto row = rows[0];
  auto pct = [](long long done, long long total) {
    return total > 0 ? fmt::format(" {}%", done * 100 / total) : std::string();
  };
  // A table created by the same revision is not visible yet from this connection.
  std::string table = row[5].c_str();
  return fmt::format("creating index{}: {}{}", table.empty() ? "" : " on " + table, row[0].c_str(),
                     row[2].as<long long>() > 0
                         ? pct(row[1].as<long long>(), row[2].as<long long>())
                         : pct(row[3].as<long long>(), row[4].as<long long>()));
}

}  // namespace

RevisionProgress::RevisionProgress(std::string url, int backend_pid)
    : m_url(std::move(url)), m_pid(backend_pid), m_tty(isatty(STDERR_FILENO) == 1) {}

RevisionProgress::~RevisionProgress() { stop(); }

void RevisionProgress::operator()(const Revision& r, bool upgrade, bool finished) {
  if (finished) {
    stop();
    return;
  }
  auto label = fmt::format("{} {} {}", upgrade ? "applying" : "reverting", r.id, r.message);
  std::cerr << label << " ...\n";
  {
    std::lock_guard lock(m_mutex);
    m_revision = r.id;
    m_step.clear();
  }
  start(std::move(label));
}

void RevisionProgress::step(const std::string& what) {
  std::lock_guard lock(m_mutex);
  // The label names the revision already.
  auto prefix = "revision " + m_revision + " ";
  m_step = ", at " + (what.starts_with(prefix) ? what.substr(prefix.size()) : what);
}

void RevisionProgress::start(std::string label) {
  stop();
  std::lock_guard lock(m_mutex);
  m_label = std::move(label);
  m_running = true;
  m_thread = std::thread([this] { tick(); });
}

void RevisionProgress::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (!m_running) return;
    m_running = false;
  }
  m_wake.notify_all();
  m_thread.join();
}

void RevisionProgress::tick() {
  auto begin = Clock::now();
  // A terminal line is redrawn twice a second; elsewhere one plain line every 2 seconds.
  auto period = m_tty ? std::chrono::milliseconds(500) : std::chrono::milliseconds(2000);
  std::unique_ptr<pqxx::connection> conn;
  bool drawn = false;
  std::unique_lock lock(m_mutex);
  auto next = begin + std::max(period, std::chrono::milliseconds(1000));
  while (m_running) {
    if (m_wake.wait_until(lock, next, [this] { return !m_running; })) break;
    next += period;
    auto seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    std::string index;
    try {
      if (!conn) conn = connect(m_url);
      if (auto p = index_progress(*conn, m_pid)) index = ", " + *p;
    } catch (const std::exception&) {
      // Progress is a courtesy: an unreachable view never disturbs the migration.
    }
    if (m_tty) {
      std::cerr << fmt::format("\r\033[K  {} ... {:.1f} s{}{}", m_label, seconds, m_step, index)
                << std::flush;
      drawn = true;
    } else {
      std::cerr << fmt::format("  still {} ... {:.0f} s{}{}\n", m_label, seconds, m_step, index);
    }
  }
  if (drawn) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace retort::cli
