// The integration tests' PostgreSQL: one throwaway server per test executable, started by
// scripts/throwaway-pg.sh and removed at exit (a watchdog removes it even if the process crashes).
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace retort::test {

class PgServer {
 public:
  static PgServer& instance();  // starts the server on first use

  const std::string& url() const { return m_url; }  // the maintenance database "postgres"
  // A new, empty database; its URL.
  std::string create_database(const std::string& prefix = "t");
  void stop();

 private:
  PgServer();
  std::string m_url;
  std::string m_dir;
  int m_next = 0;
};

// A new empty database on the throwaway server.
inline std::string fresh_database(const std::string& prefix = "t") {
  return PgServer::instance().create_database(prefix);
}

// Runs SQL (several statements allowed) in one transaction.
void exec_sql(const std::string& url, const std::string& sql);
// The first column of the first row of a query, as text ("" for NULL).
std::string query_value(const std::string& url, const std::string& sql);

}  // namespace retort::test
