// Ctrl-C and SIGTERM during a migration: handled on a thread of their own, so the handler may
// talk to the server (cancel the running statement) instead of dying with locks held.
#pragma once

#include <functional>
#include <thread>

namespace retort::cli {

// While alive, SIGINT and SIGTERM call `on_signal` (with the signal's name) on a dedicated
// thread; a second signal exits at once. Create it before any other thread, so every thread
// inherits the blocked mask.
class InterruptGuard {
 public:
  explicit InterruptGuard(std::function<void(const char*)> on_signal);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  std::function<void(const char*)> m_on_signal;
  std::thread m_thread;
};

}  // namespace retort::cli
