// Runs one cell in a fresh child (`hammertime child ...`, its own process group, a
// time limit) and measures it from outside: the whole process's CPU by wait4; the
// tree's memory by a memory cgroup made for the cell where the machine lets the
// harness make one, else by sampling its summed PSS; the server's CPU and lateness
// around it. The child reports the work's own time and CPU.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cell.hpp"
#include "process_group.hpp"
#include "server_launcher.hpp"
#include "server_stats.hpp"

namespace hammertime::harness {

struct cell_result {
  bool interrupted = false;    // a stop signal ended it: not a result, not written
  std::string error;           // empty when the child reported its tally
  double seconds_outside = 0;  // from fork to exit, as the harness saw it

  // The child's own report (its JSON line).
  double wall_seconds = 0;  // the model's work, set-up and tear-down included
  double cpu_user_s = 0, cpu_system_s = 0;  // the work's CPU, workers included
  std::uint64_t ok = 0, not_found = 0, failed = 0, bytes = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::uint64_t baseline_pss_bytes = 0, baseline_rss_bytes = 0, vm_hwm_bytes = 0;
  std::optional<std::uint64_t> baseline_cgroup_bytes;  // its cgroup before the work
  // The OS threads its runtime may run work on, and the tasks it really held at once
  // (a goroutine an item holds N even at C < N); older children report neither.
  std::optional<std::uint64_t> runtime_threads, tasks_held;
  // Sockets still open once its clock stopped, beyond those it held before (a peer's).
  std::optional<std::int64_t> sockets_left_open;
  // With --ticker: how late its wake-ups came (the loop's lag); none without.
  std::optional<double> loop_lag_p50_ms, loop_lag_p99_ms, loop_lag_max_ms;
  // The timeline: [index, start_us, end_us] of every ceil(N / 2000)-th finished item,
  // µs from the work's clock start (models::tally::item_times). Empty when not sent.
  std::vector<std::array<std::int64_t, 3>> item_times;

  // Measured from outside.
  double process_cpu_user_s = 0, process_cpu_system_s = 0;  // wait4: start to exit
  std::uint64_t max_rss_bytes = 0;                          // wait4's ru_maxrss
  // The tree's peak memory, by memory_method: the cell's cgroup's exact peak, or the
  // peak of the sampled summed PSS. nullopt when it could not be read.
  std::string memory_method;
  std::optional<std::uint64_t> peak_memory_bytes;
  // Kernel memory: the cgroup's kernel peak (the cell's own) or, sampled, the peak
  // increase of the system's KernelStack + PageTables (system-wide).
  std::optional<std::uint64_t> kernel_memory_bytes;
  bool kernel_memory_system_wide = false;
  std::size_t memory_samples = 0;  // sampled only
  // Why the memory figures are not to be trusted ("3 samples"), empty when they are.
  std::string memory_doubt;
  std::optional<double> server_cpu_s;
  std::optional<server_lateness> server_lateness_ms;
  // Before the delay: the server's own queue, and the client's part before it.
  std::optional<server_lateness> server_own_queue_ms, client_send_wait_ms;
  std::optional<std::uint64_t> server_answered;
  // The faults the server injected during the cell, by kind; nullopt when its /stats
  // was not read.
  std::optional<std::map<std::string, std::uint64_t>> server_faults;
  std::optional<double> proxy_lateness_p99_ms;  // --link-delay: the proxy's own

  std::uint64_t counted() const { return ok + not_found + failed; }
  // The memory the tree had before the work, in memory_method's terms.
  std::optional<std::uint64_t> baseline_memory_bytes() const;
};

struct cell_environment {
  endpoint server;        // flags only
  pid_t server_pid = -1;  // known when the harness started the server
  bool server_has_stats = false;
  // --link-delay: the cell's child talks to the proxy, which forwards to the server.
  std::optional<endpoint> proxy, proxy_control;
  pid_t proxy_pid = -1;
  std::chrono::milliseconds time_limit{0};
  std::optional<cpu_set_t> child_cpus;  // --pin: the CPUs the server does not use
  bool sample_memory = false;           // true: no memory cgroup, even where possible
};

// Called about every 200 ms while the child runs, with the time since it started. It
// must not touch the server: what it asks would be served in the cell's time.
using tick_callback = std::function<void(std::chrono::duration<double> elapsed)>;

// The last line of a child's output (its JSON report) into the result: false when there
// is no such line; true with `error` set when the line is an error report or lacks a
// field (a missing measure is an error, never a 0).
bool read_child_report(const std::string& output, cell_result& result,
                       std::string& error);

cell_result run_cell(const cell& one, const cell_environment& environment,
                     const tick_callback& on_tick);

}  // namespace hammertime::harness
