// Progress while upgrade/downgrade run a revision: a line before each one, then, while it runs,
// the elapsed time and the op running (redrawn in place on a terminal, a plain line every few
// seconds otherwise) and PostgreSQL's own progress of an index build
// (pg_stat_progress_create_index). The one progress reporter of the CLI.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "retort/revision.hpp"

namespace retort::cli {

class RevisionProgress {
 public:
  // `url` is opened on a second connection, only once a revision has run for a second, to read
  // the progress of the migrating backend `backend_pid`.
  RevisionProgress(std::string url, int backend_pid);
  ~RevisionProgress();  // stops the ticker, also when a revision failed
  RevisionProgress(const RevisionProgress&) = delete;
  RevisionProgress& operator=(const RevisionProgress&) = delete;

  // Runner::on_revision's observer.
  void operator()(const Revision& revision, bool upgrade, bool finished);
  // Runner::on_step's observer: the op or step running, shown in the progress line (the runner
  // then prints no "still running" line of its own).
  void step(const std::string& what);

 private:
  void start(std::string label);
  void stop();
  void tick();

  std::string m_url;
  int m_pid;
  bool m_tty;
  std::string m_label;
  std::string m_revision;  // the running revision's id
  std::string m_step;      // ", at upgrade op #3 (...)", or empty
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_running = false;
};

}  // namespace retort::cli
