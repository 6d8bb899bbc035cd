#include "pg_server.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace retort::test {

namespace {

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run: " + cmd);
  std::array<char, 512> buf{};
  while (auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  if (pclose(p) != 0) throw std::runtime_error("failed: " + cmd + "\n" + out);
  return out;
}

std::string value_of(const std::string& text, const std::string& key) {
  auto pos = text.find(key + "=");
  if (pos == std::string::npos) throw std::runtime_error("throwaway-pg.sh printed no " + key);
  auto end = text.find('\n', pos);
  return text.substr(pos + key.size() + 1, end - pos - key.size() - 1);
}

PgServer* g_started = nullptr;

}  // namespace

PgServer& PgServer::instance() {
  static PgServer server;
  g_started = &server;
  return server;
}

void PgServer::stop_if_started() {
  if (g_started) g_started->stop();
}

PgServer::PgServer() {
  auto out = run_capture(std::string(RETORT_SOURCE_DIR) +
                         "/scripts/throwaway-pg.sh start --watch " + std::to_string(getpid()));
  m_url = value_of(out, "RETORT_PG_URL");
  m_dir = value_of(out, "RETORT_PG_DIR");
}

std::string PgServer::create_database(const std::string& prefix) {
  std::string name = prefix + "_" + std::to_string(++m_next);
  pqxx::connection c(m_url);
  pqxx::nontransaction tx(c);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name));
  tx.exec("CREATE DATABASE " + tx.quote_name(name) + " TEMPLATE template0");
  auto slash = m_url.rfind('/');
  return m_url.substr(0, slash + 1) + name;
}

std::string PgServer::reused_database(const std::string& name) {
  auto it = m_reused.find(name);
  if (it == m_reused.end()) return m_reused[name] = create_database("reused_" + name);
  pqxx::connection c(it->second);
  pqxx::work tx(c);
  for (const auto& row : tx.exec("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                                 "AND nspname <> 'information_schema'"))
    tx.exec("DROP SCHEMA " + tx.quote_name(row[0].c_str()) + " CASCADE");
  tx.exec("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
  tx.exec("GRANT USAGE ON SCHEMA public TO PUBLIC");
  tx.commit();
  return it->second;
}

void PgServer::stop() {
  if (m_dir.empty()) return;
  std::system((std::string(RETORT_SOURCE_DIR) + "/scripts/throwaway-pg.sh stop " + m_dir).c_str());
  m_dir.clear();
}

void exec_sql(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

std::string query_value(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

}  // namespace retort::test
