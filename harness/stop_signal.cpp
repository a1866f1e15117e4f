#include "stop_signal.hpp"

#include <cstring>

namespace hammertime::harness {
namespace {

volatile sig_atomic_t stop_signal_ = 0;

void on_stop(int signal) { stop_signal_ = signal; }

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  for (int signal : stop_signals) sigaction(signal, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int stop_signal() noexcept { return stop_signal_; }

std::string signal_abbreviation(int signal) {
  const char* name = sigabbrev_np(signal);
  return name ? "SIG" + std::string(name) : "signal " + std::to_string(signal);
}

}  // namespace hammertime::harness
