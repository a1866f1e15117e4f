// Runs one cell in a fresh child (`hammertime child ...`, its own process group, a
// time limit) and measures it from outside: CPU by wait4, the tree's peak PSS and the
// system's kernel memory by sampling, the server's CPU and lateness around it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cell.hpp"
#include "server_launcher.hpp"

namespace hammertime::harness {

struct cell_result {
  bool interrupted = false;    // a stop signal ended it: not a result, not written
  std::string error;           // empty when the child reported its tally
  double seconds_outside = 0;  // from fork to exit, as the harness saw it

  // The child's own report (its JSON line).
  double wall_seconds = 0;  // the model's work only
  std::uint64_t ok = 0, not_found = 0, failed = 0, bytes = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::uint64_t baseline_pss_bytes = 0, vm_hwm_bytes = 0;
  // With --ticker: how late its wake-ups came (the loop's lag); none without.
  std::optional<double> loop_lag_p50_ms, loop_lag_p99_ms, loop_lag_max_ms;

  // Measured from outside.
  double cpu_user_s = 0, cpu_system_s = 0;  // the child and the processes it reaped
  std::uint64_t peak_pss_bytes = 0;         // max over samples of the tree's summed PSS
  std::uint64_t max_rss_bytes = 0;          // wait4's ru_maxrss
  std::uint64_t kernel_memory_bytes = 0;    // system-wide peak increase
  std::size_t memory_samples = 0;
  std::optional<double> server_cpu_s, server_lateness_p99_ms;

  std::uint64_t counted() const { return ok + not_found + failed; }
};

struct cell_environment {
  endpoint server;        // flags only
  pid_t server_pid = -1;  // known when the harness started the server
  bool server_has_stats = false;
  std::chrono::milliseconds time_limit{0};
};

// Called about every 200 ms while the child runs, with the time since it started.
using tick_callback = std::function<void(std::chrono::duration<double> elapsed)>;

cell_result run_cell(const cell& one, const cell_environment& environment,
                     const tick_callback& on_tick);

}  // namespace hammertime::harness
