// Applying revisions: the version table, the advisory lock, one transaction per revision. See
// docs/migrations.md.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "retort/error.hpp"
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

// How the runner treats locks and destructive steps. See docs/migrations.md.
struct RunnerOptions {
  // Per statement, and for the migrators' lock: a wait longer than this fails the revision (it is
  // rolled back) and, with lock_retries left, it is tried again after a backoff.
  std::optional<std::chrono::milliseconds> lock_timeout;
  int lock_retries = 0;
  // A downgrade that would drop a column or table holding rows refuses unless this is set.
  bool allow_data_loss = false;
  // Opens a second connection to the same database, used only while a statement waits, to name
  // who holds the lock it waits for. Without it waits are still bounded, just not explained.
  std::function<std::unique_ptr<pqxx::connection>()> open_helper;
};

// Thrown when cancel() stopped the run: the running revision was rolled back.
class Cancelled : public Error {
 public:
  using Error::Error;
};

class Runner {
 public:
  // Progress and notices for the user ("applying ...", "waiting for another migrator ...").
  using Listener = std::function<void(const std::string&)>;

  Runner(pqxx::connection_base& conn, std::string version_schema, Listener listener = {},
         RunnerOptions options = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Called with finished = false just before a revision runs and true once it is committed, so
  // the caller can show progress (the engine prints nothing).
  using RevisionObserver =
      std::function<void(const Revision& revision, bool upgrade, bool finished)>;
  void on_revision(RevisionObserver observer) { m_on_revision = std::move(observer); }

  // Called as each op, batch of ops or step of a revision starts ("revision 1a2b3c4d5e6f upgrade
  // op #3 (execute: ...)"). With an observer the runner reports no long statement itself: the
  // caller's progress shows the step, so there is one progress reporter, not two.
  using StepObserver = std::function<void(const std::string& step)>;
  void on_step(StepObserver observer);

  // The applied revisions, from the version table (none when it does not exist yet). Errors on
  // an applied revision missing from the graph, whose file changed since it was applied, or
  // whose parents are not applied (an edited version table).
  std::set<std::string> applied(const RevisionGraph& graph);

  // A revision that runs in steps, stopped part way (retort_version_progress): rerunning the same
  // command finishes it.
  struct PartlyApplied {
    std::string revision;
    bool upgrade = true;
    std::size_t steps_done = 0;
    std::size_t steps = 0;  // 0 when versions/ has no such revision
  };
  std::vector<PartlyApplied> partly_applied(const RevisionGraph& graph);

  // Each revision runs in one transaction that first takes the migrators' lock (a transaction-level
  // advisory lock, so it works through a transaction-pooling PgBouncer) and re-reads the version
  // table: a revision another migrator applied meanwhile is skipped. They return the revisions
  // run, in order.
  std::vector<std::string> upgrade(const RevisionGraph& graph, const std::string& target);
  std::vector<std::string> downgrade(const RevisionGraph& graph, const std::string& target);
  // Sets the version table to `target` without running any op (refreshing checksums).
  void stamp(const RevisionGraph& graph, const std::string& target);

  // Stops the run from another thread (a signal handler's): cancels the running statement on the
  // server; the revision in progress is rolled back and upgrade/downgrade throw Cancelled.
  void cancel() noexcept;

 private:
  class Watcher;
  void ensure_version_table();
  // False when another migrator got there first and there was nothing to do.
  bool run(const RevisionGraph& graph, const Revision& revision, bool upgrade);
  bool run_once(const RevisionGraph& graph, const Revision& revision, bool upgrade);
  // A revision with online or non-transactional ops (online.hpp): each step in a transaction of
  // its own that records it (retort_version_progress), CONCURRENTLY ones in autocommit mode; a
  // rerun continues after the last recorded step. The version row comes with the last step.
  bool run_in_steps(const RevisionGraph& graph, const Revision& revision, bool upgrade);
  // In a step's transaction: the migrators' lock, and the steps recorded as done (nullopt when
  // the revision no longer needs running); `attempting`: the CONCURRENTLY step begun, if any.
  std::optional<std::size_t> lock_step(pqxx::work& tx, const RevisionGraph& graph,
                                       const Revision& r, bool upgrade,
                                       std::optional<int>* attempting);
  struct StepRun;
  void run_steps(StepRun& s);
  void run_outside_transaction(const StepRun& s, std::size_t k);
  void expect_step(pqxx::work& tx, const StepRun& s, std::size_t k, std::optional<int>* attempting);
  void record_step(pqxx::work& tx, const StepRun& s, std::size_t k);
  static void record_progress(pqxx::work& tx, const StepRun& s, std::size_t steps_done,
                              std::optional<int> attempting);
  // In a revision's transaction: the lock timeout, the migrators' lock, then whether the
  // revision still needs running (its parents applied, it not yet / still applied).
  bool begin_revision(pqxx::transaction_base& tx, const RevisionGraph& graph, const Revision& r,
                      bool upgrade);
  void refuse_data_loss(pqxx::transaction_base& tx, const Revision& r);
  std::map<std::string, std::string> checksums();  // revision -> checksum, as recorded
  std::string table() const;
  void check_cancelled() const;
  void sleep_unless_cancelled(std::chrono::milliseconds pause) const;

  pqxx::connection_base& m_conn;
  std::string m_schema;
  Listener m_listener;
  RevisionObserver m_on_revision;
  RunnerOptions m_options;
  std::atomic<bool> m_cancelled = false;
  // The migrators' lock is held by a second connection (run_steps), not by each transaction.
  bool m_lock_held_apart = false;
  std::unique_ptr<Watcher> m_watcher;
};

}  // namespace retort
