// Applying revisions: the version table, the advisory lock, one transaction per revision. See
// docs/migrations.md.
#pragma once

#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "retort/revision_graph.hpp"

namespace retort {

// Which revisions to run, in order, to reach a target. Pure functions of the graph and the
// applied set, so they are testable without a database.
// Upgrade targets: "head", "heads", an id or unique prefix, "+N".
std::vector<std::string> plan_upgrade(const RevisionGraph& graph,
                                      const std::set<std::string>& applied,
                                      const std::string& target);
// Downgrade targets: "base", an id or unique prefix (it stays applied), "-N".
std::vector<std::string> plan_downgrade(const RevisionGraph& graph,
                                        const std::set<std::string>& applied,
                                        const std::string& target);
// The set of revisions a database at `target` has applied ("base" is none).
std::set<std::string> target_set(const RevisionGraph& graph, const std::string& target);

// The SQL a DBA can review and run instead: BEGIN / statements / version row / COMMIT per revision.
std::string migration_script(const RevisionGraph& graph, const std::vector<std::string>& path,
                             bool upgrade, const std::string& version_schema);

class Runner {
 public:
  // Progress and notices for the user ("applying ...", "waiting for another migrator ...").
  using Listener = std::function<void(const std::string&)>;

  Runner(pqxx::connection_base& conn, std::string version_schema, Listener listener = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Called with finished = false just before a revision runs and true once it is committed, so
  // the caller can show progress (the engine prints nothing).
  using RevisionObserver =
      std::function<void(const Revision& revision, bool upgrade, bool finished)>;
  void on_revision(RevisionObserver observer) { m_on_revision = std::move(observer); }

  // The applied revisions, from the version table (none when it does not exist yet). Errors on
  // an applied revision missing from the graph or whose file changed since it was applied.
  std::set<std::string> applied(const RevisionGraph& graph);

  // Each takes the advisory lock, re-reads the version table and verifies it first. They return
  // the revisions run, in order.
  std::vector<std::string> upgrade(const RevisionGraph& graph, const std::string& target);
  std::vector<std::string> downgrade(const RevisionGraph& graph, const std::string& target);
  // Sets the version table to `target` without running any op (refreshing checksums).
  void stamp(const RevisionGraph& graph, const std::string& target);

 private:
  void lock();
  void unlock();
  void ensure_version_table();
  void run(const Revision& revision, bool upgrade);
  std::map<std::string, std::string> checksums();  // revision -> checksum, as recorded
  std::string table() const;

  pqxx::connection_base& m_conn;
  std::string m_schema;
  Listener m_listener;
  RevisionObserver m_on_revision;
  bool m_locked = false;
};

}  // namespace retort
