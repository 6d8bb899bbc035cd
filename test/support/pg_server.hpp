// The integration tests' PostgreSQL: one throwaway server per test executable, started by
// scripts/throwaway-pg.sh and removed at exit (a watchdog removes it even if the process crashes).
#pragma once

#include <map>
#include <pqxx/pqxx>
#include <string>

namespace retort::test {

class PgServer {
 public:
  static PgServer& instance();  // starts the server on first use
  // Stops the server if a test started one (a test executable may need none).
  static void stop_if_started();

  const std::string& url() const { return m_url; }  // the maintenance database "postgres"
  // A new, empty database; its URL.
  std::string create_database(const std::string& prefix = "t");
  // The database `name`, created on first use and emptied of every schema (public comes back
  // empty) on each later one: CREATE DATABASE costs ~0.5 s, emptying one a few milliseconds.
  std::string reused_database(const std::string& name);
  void stop();

 private:
  PgServer();
  std::string m_url;
  std::string m_dir;
  int m_next = 0;
  std::map<std::string, std::string> m_reused;  // name -> URL
};

// A new empty database on the throwaway server.
inline std::string fresh_database(const std::string& prefix = "t") {
  return PgServer::instance().create_database(prefix);
}

inline std::string reused_database(const std::string& name) {
  return PgServer::instance().reused_database(name);
}

// Runs SQL (several statements allowed) in one transaction.
void exec_sql(const std::string& url, const std::string& sql);
// The first column of the first row of a query, as text ("" for NULL).
std::string query_value(const std::string& url, const std::string& sql);

}  // namespace retort::test
