#include "interrupt.hpp"

#include <pthread.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): sigset_t, sigwait are POSIX
#include <unistd.h>

namespace retort::cli {

namespace {

// SIGUSR2 only wakes the thread when the guard goes away.
sigset_t watched() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

InterruptGuard::InterruptGuard(std::function<void(const char*)> on_signal)
    : m_on_signal(std::move(on_signal)) {
  auto set = watched();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  m_thread = std::thread([this] {
    auto set = watched();
    int received = 0;
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGUSR2) return;
      if (++received > 1) _exit(128 + sig);  // asked twice: stop now
      m_on_signal(sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
  });
}

InterruptGuard::~InterruptGuard() {
  pthread_kill(m_thread.native_handle(), SIGUSR2);
  m_thread.join();
  auto set = watched();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace retort::cli
