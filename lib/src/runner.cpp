#include "retort/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/introspect.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

// "retort" in ASCII: one lock for every retort process on a database.
constexpr std::int64_t kLockKey = 0x7265746f7274;

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
    out += fmt::format("\n-- {} {}: {} ({})\nBEGIN;\n", upgrade ? "upgrade" : "downgrade", r.id,
                       r.message, r.file.filename().string());
    for (const auto& op : upgrade ? r.upgrade : r.downgrade)
      for (const auto& stmt : to_sql(op)) out += stmt + ";\n";
    out += (upgrade ? insert_row_sql(table, r) : delete_row_sql(table, r)) + ";\nCOMMIT;\n";
  }
  return out;
}

Runner::Runner(pqxx::connection_base& conn, std::string version_schema, Listener listener)
    : m_conn(conn), m_schema(std::move(version_schema)), m_listener(std::move(listener)) {
  if (!m_listener) m_listener = [](const std::string&) {};
}

Runner::~Runner() {
  try {
    unlock();
  } catch (...) {
    // The lock dies with the session anyway.
  }
}

std::string Runner::table() const { return qualified({m_schema, kVersionTable}); }

void Runner::lock() {
  if (m_locked) return;
  pqxx::nontransaction tx(m_conn);
  if (!tx.exec(fmt::format("SELECT pg_try_advisory_lock({})", kLockKey))[0][0].as<bool>()) {
    m_listener("waiting for another migrator to finish (advisory lock held) ...");
    tx.exec(fmt::format("SELECT pg_advisory_lock({})", kLockKey));
  }
  m_locked = true;
}

void Runner::unlock() {
  if (!m_locked) return;
  pqxx::nontransaction tx(m_conn);
  tx.exec(fmt::format("SELECT pg_advisory_unlock({})", kLockKey));
  m_locked = false;
}

void Runner::ensure_version_table() {
  pqxx::work tx(m_conn);
  tx.exec(create_schema_sql(m_schema));
  tx.exec(version_table_sql(table()));
  tx.commit();
}

std::map<std::string, std::string> Runner::checksums() {
  pqxx::read_transaction tx(m_conn);
  auto exists = tx.exec_params("SELECT to_regclass($1) IS NOT NULL", table())[0][0].as<bool>();
  std::map<std::string, std::string> out;
  if (!exists) return out;
  for (const auto& row : tx.exec("SELECT revision, checksum FROM " + table()))
    out.emplace(row[0].c_str(), row[1].c_str());
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
          id));
    if (r->checksum != checksum)
      throw Error(fmt::format(
          "{}: revision {} was edited after it was applied (checksum differs). Revert the edit and "
          "write a new revision; if the database already matches the edited file, run "
          "retort stamp {} to record it",
          r->file.string(), id, id));
    ids.insert(id);
  }
  return ids;
}

void Runner::run(const Revision& r, bool upgrade) {
  auto start = std::chrono::steady_clock::now();
  const auto& ops = upgrade ? r.upgrade : r.downgrade;
  if (!upgrade && ops.empty() && !r.upgrade.empty())
    m_listener(fmt::format("note: {} has no downgrade ops; only its version row is removed", r.id));
  // Each statement with the op it renders, in order.
  std::vector<std::pair<std::size_t, std::string>> statements;
  for (std::size_t i = 0; i < ops.size(); ++i)
    for (auto& stmt : to_sql(ops[i])) statements.emplace_back(i, std::move(stmt));

  // The whole revision goes to the server as one script: thousands of statements in one round
  // trip, so the transaction (and its locks) lasts as long as the DDL takes and no longer. The
  // newline before each ';' ends a trailing "--" comment in hand-written SQL.
  std::string script;
  for (const auto& [_, stmt] : statements) script += stmt + "\n;\n";
  script += upgrade ? insert_row_sql(table(), r) : delete_row_sql(table(), r);
  if (m_on_revision) m_on_revision(r, upgrade, false);
  try {
    pqxx::work tx(m_conn);
    tx.exec(script);
    tx.commit();
  } catch (const pqxx::sql_error& batch_error) {
    // Nothing was applied. To name the failing op, the statements run again one at a time in a
    // transaction that is always rolled back.
    pqxx::work tx(m_conn);
    for (const auto& [index, stmt] : statements) {
      try {
        tx.exec(stmt);
      } catch (const pqxx::sql_error& e) {
        throw Error(fmt::format(
            "revision {} ({}) failed; nothing of it was applied.\n  {} op #{}: {}\n  SQL: {}\n  "
            "server: {}",
            r.id, r.file.string(), upgrade ? "upgrade" : "downgrade", index + 1,
            describe(ops[index]), stmt, describe(static_cast<const std::exception&>(e))));
      }
    }
    throw Error(fmt::format("revision {} ({}) failed; nothing of it was applied.\n  server: {}",
                            r.id, r.file.string(),
                            describe(static_cast<const std::exception&>(batch_error))));
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  if (m_on_revision) m_on_revision(r, upgrade, true);
  m_listener(fmt::format("{} {} {} ... done ({} ms)", upgrade ? "applied" : "reverted", r.id,
                         r.message, ms));
}

std::vector<std::string> Runner::upgrade(const RevisionGraph& graph, const std::string& target) {
  lock();
  ensure_version_table();
  auto path = plan_upgrade(graph, applied(graph), target);
  for (const auto& id : path) run(graph.at(id), true);
  unlock();
  return path;
}

std::vector<std::string> Runner::downgrade(const RevisionGraph& graph, const std::string& target) {
  lock();
  auto path = plan_downgrade(graph, applied(graph), target);
  for (const auto& id : path) run(graph.at(id), false);
  unlock();
  return path;
}

void Runner::stamp(const RevisionGraph& graph, const std::string& target) {
  lock();
  ensure_version_table();
  auto wanted = target_set(graph, target);
  pqxx::work tx(m_conn);
  tx.exec("DELETE FROM " + table());
  for (const auto& id : graph.ordered())
    if (wanted.contains(id)) tx.exec(insert_row_sql(table(), graph.at(id)));
  tx.commit();
  unlock();
}

}  // namespace retort
