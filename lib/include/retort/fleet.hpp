// Many databases (or tenant schemas) at once: the target list, and a scheduler that runs one task
// per target with canaries, parallel jobs, failure policy and cancellation. Prints nothing: the
// caller gets results and progress through callbacks on its own thread. See docs/fleet.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace retort {

// One database, or one tenant schema in a database, that a fleet command runs against.
struct Target {
  std::string name;                   // unique in a fleet; safe to print
  std::string url;                    // may hold a password: never print it (see redact)
  std::optional<std::string> schema;  // the tenant schema (--tenant-schemas); nullopt: a database
};

// Target lines: "NAME URL" or "URL" (then named after its database); '#' starts a comment, blank
// lines are skipped. `source` names the text in errors ("targets.txt:3: ..."). Names are unique.
std::vector<Target> parse_targets(std::string_view text, const std::string& source);
std::vector<Target> read_targets_file(const std::filesystem::path& file);
// The rows of `sql` run on the control database `url`: (name, url) or just (url).
std::vector<Target> query_targets(const std::string& url, const std::string& sql);
// Each database's schemas whose name is LIKE `pattern` (system schemas never), one target each,
// named after the schema, or "database/schema" when there are several databases. In order of
// database, then schema name.
std::vector<Target> expand_tenant_schemas(const std::vector<Target>& databases,
                                          const std::string& pattern);

// The database a URL names, with libpq's defaults (PGDATABASE, then the user name).
std::string database_name(const std::string& url);
// `text` with every password that `url` holds, and any in a URL inside `text`, shown as "***".
std::string redact(std::string text, const std::string& url);

enum class TargetStatus { ok, up_to_date, failed, skipped };
std::string to_string(TargetStatus status);  // "ok", "up-to-date", "failed", "skipped"

// What a task made of one target.
struct TargetOutcome {
  TargetStatus status = TargetStatus::ok;  // ok or up_to_date; failed with `failure` or `error`
  std::vector<std::string> from;           // applied heads before (empty: base)
  std::vector<std::string> to;             // and after (after a failure: where it stopped)
  std::size_t revisions = 0;               // run (or reverted), before any failure
  std::optional<std::string> failure;      // a failure that is no error (check: drift)
  std::optional<std::string> error;        // an error caught with the state it left behind
  std::string detail;                      // command-specific text (the diff)
  bool located = false;                    // from and to were read (empty then means base)
};

struct TargetResult {
  std::string name;
  TargetStatus status = TargetStatus::skipped;
  std::vector<std::string> from;
  std::vector<std::string> to;
  std::size_t revisions = 0;
  double seconds = 0;
  std::optional<std::string> error;  // redacted; why a target failed or was skipped
  bool raised = false;               // failed by an error, not by a reported failure (drift)
  bool located = false;              // from and to are known
  std::string detail;
};

// How a running task can be interrupted: it arms its slot with a function that cancels the
// statement it is running (PQcancel), from another thread. Disarm before reading anything that
// must not be cancelled (the result of work already committed).
class CancelSlot {
 public:
  class Armed {
   public:
    explicit Armed(CancelSlot* slot) : m_slot(slot) {}
    Armed(Armed&& other) noexcept : m_slot(std::exchange(other.m_slot, nullptr)) {}
    Armed& operator=(Armed&&) = delete;
    ~Armed() { disarm(); }
    void disarm();

   private:
    CancelSlot* m_slot;
  };

  // Throws Interrupted when the fleet is already stopping.
  [[nodiscard]] Armed arm(std::function<void()> cancel);
  bool interrupted() const;
  void fire();  // the fleet's side: marks it interrupted and cancels what runs

 private:
  mutable std::mutex m_mutex;
  std::function<void()> m_cancel;
  bool m_interrupted = false;
};

struct FleetOptions {
  std::size_t jobs = 4;            // targets at a time
  std::size_t canary = 0;          // the first K run one at a time, before any other
  bool continue_on_error = false;  // false: a failure stops starting targets
};

struct FleetProgress {
  std::size_t done = 0;  // finished ok or up to date
  std::size_t failed = 0;
  std::size_t running = 0;
  std::size_t left = 0;  // not started
  std::chrono::steady_clock::duration elapsed{};
  bool stopping = false;  // no more targets start
};

class Fleet {
 public:
  using Task = std::function<TargetOutcome(const Target&, CancelSlot&)>;
  // All called on the thread that called run(), so the caller needs no locking.
  struct Callbacks {
    std::function<void(const TargetResult&)> finished;
    std::function<void(const FleetProgress&)> tick;  // about every 100 ms
  };

  explicit Fleet(FleetOptions options);

  // Runs `task` for every target (each on a thread of its own, `jobs` at a time, never two with
  // the same URL at once: tenant schemas of one database take turns) and returns a result per
  // target, in the targets' order. A task's exception fails that target only; its
  // message is redacted with the target's URL.
  std::vector<TargetResult> run(const std::vector<Target>& targets, const Task& task,
                                const Callbacks& callbacks);

  // Stops starting targets and cancels running statements, now and at every tick until the
  // running targets end. Safe from any thread (not from a signal handler: poll a flag in tick).
  void interrupt();

 private:
  FleetOptions m_options;
  std::mutex m_mutex;
  bool m_interrupted = false;
  std::vector<std::unique_ptr<CancelSlot>> m_slots;
};

// Thrown by CancelSlot::arm when the fleet is stopping.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted before it started its work") {}
};

}  // namespace retort
