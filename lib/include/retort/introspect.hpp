// The introspector: a live database -> Schema, in a fixed number of bulk catalog queries whatever
// the number of tables. See docs/introspection.md.
#pragma once

#include <cstddef>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "retort/schema.hpp"

namespace retort {

// What to do about a named schema the database does not have.
enum class MissingSchema { error, skip };

struct IntrospectOptions {
  MissingSchema missing = MissingSchema::error;
  // A transaction on a second connection that shares `tx`'s snapshot (SnapshotPair): the column
  // query, the costliest, runs on it beside the others.
  pqxx::transaction_base* columns_tx = nullptr;
  // Only the tables of these names, when given. They are found through pg_class's name index
  // instead of a scan of the whole catalog: for reading back a few tables among many.
  std::optional<std::vector<std::string>> tables;
  // Only what canonicalization's probes create: tables with their columns and items, domains and
  // composite types. The other queries (views, functions, dependencies...) find nothing in the
  // temporary schema and cost ~6 ms on every diff.
  bool probes_only = false;
  // Incremented by the number of queries issued, when given.
  std::size_t* query_count = nullptr;
};

// Reads the named schemas. Runs inside the caller's transaction (so the differ can read temporary
// tables it created there) and sets search_path to '' for it, so every type outside pg_catalog
// prints schema-qualified. Leaves out retort's own version table. Throws Error naming a schema
// that does not exist unless told to skip it.
Schema introspect(pqxx::transaction_base& tx, const std::vector<std::string>& schemas,
                  const IntrospectOptions& options = {});

// Connects to `url` twice and reads `schemas` on both connections (SnapshotPair): what
// `retort inspect` and a database target do.
Schema introspect(const std::string& url, const std::vector<std::string>& schemas,
                  MissingSchema missing);

// A repeatable-read transaction on `main`, and one on `helper` that imports its snapshot: the
// pair introspect() reads one consistent catalog with, two queries at a time.
class SnapshotPair {
 public:
  SnapshotPair(pqxx::connection_base& main, pqxx::connection_base& helper);
  pqxx::dbtransaction& main() { return m_main; }
  pqxx::transaction_base& helper() { return m_helper; }

 private:
  pqxx::transaction<pqxx::repeatable_read> m_main;
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> m_helper;
};

// The catalog queries introspect() runs, as one script with the parameters filled in: what a
// DBA can run by hand, and the benchmark's floor.
std::string introspection_script(const std::vector<std::string>& schemas);

// The name of retort's version table, which introspection leaves out.
inline constexpr const char* kVersionTable = "retort_version";

}  // namespace retort
