// What the harness learns about the server around each cell: its CPU time (from /proc
// when the harness started it, else from its /stats), how late it answered and how long
// requests queued before it took them up.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "server_launcher.hpp"

namespace hammertime::harness {

// True when anything answers HTTP at `where` (any status counts).
bool answers_http(const endpoint& where, std::chrono::milliseconds within);

// How much later than the delay it meant to inject the server began each answer.
struct server_lateness {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

struct server_stats {
  std::uint64_t answered = 0;  // responses sent since the last reset
  std::optional<server_lateness> lateness;
  // How long requests waited before their delay started, the same percentiles, in two
  // parts split at the kernel's receipt: the server's own queue (accept queue, socket,
  // the requests ahead on the connection), and before it the client's send wait (only
  // requests that carry the client's send time, the models' flag_target, count).
  std::optional<server_lateness> own_queue, client_send_wait;
  std::optional<double> cpu_seconds;  // user + system, since the server started
  // The faults it injected since the last reset, by kind ("slow_body": 20).
  std::map<std::string, std::uint64_t> faults;
};

// GET /stats, or POST /stats/reset when `reset` (the figures before it zeroed them);
// nullopt when the server has no such page, or one that is not hammertime-server's (a
// JSON object counting "answered", "requests" by status and "faults" by kind).
std::optional<server_stats> fetch_server_stats(const endpoint& where, bool reset,
                                               std::chrono::milliseconds within);

// hammertime-proxy's lateness p99 in ms, from GET /stats at its control endpoint, or
// POST /stats/reset when `reset` (the figure before it zeroed it); nullopt when it
// does not answer as hammertime-proxy does.
std::optional<double> fetch_proxy_lateness_p99_ms(const endpoint& control, bool reset,
                                                  std::chrono::milliseconds within);

// utime + stime of a process, from /proc/PID/stat.
std::optional<double> process_cpu_seconds(pid_t pid);

}  // namespace hammertime::harness
