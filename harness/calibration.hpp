// A few milliseconds of measuring the machine itself before a run, recorded in the
// context: what spawn-heavy cells cost depends on them, and they differ between two
// VMs of the "same" kind by 3-10x (two reference runs on hosts of one kind disagreed
// 8x on the process pool; forks and page faults were the difference). Two runs whose
// calibrations differ that much are not comparable cell by cell (`make compare` says so).
//
// Three of them are the machine's floor for any client, with no concurrency model at
// all: the attainable items/s of a cell adds them to its ideal (docs/columns.md).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace hammertime::harness {

// {"fork_exit_ms": fork + exit + wait of an 8 MiB process, median of 20;
//  "page_fault_ns": first touch of a page, mean over 64 MiB;
//  "thread_create_us": create + join of a thread, median of 200;
//  "timer_spawn_us": one timer entry made and armed (a deadline read from the clock,
//    in an allocation of its own, pushed onto a min-heap), mean over 100,000;
//  "idle_wake_us": how late a 1 ms sleep wakes, median of 30}
boost::json::object calibrate_machine();

// Connect, GET a flag with no delay, read the answer, close, one after another on a new
// connection each, on plain blocking sockets (no client library, no concurrency model);
// 2,000 requests or 1 s, whichever comes first. Per request: the wall time (a worker's
// round trip) and this thread's CPU in two halves, opening (socket, connect, send) and
// answer (read it whole, close): what one thread spends on each in series, the
// server's part not included. nullopt when the server answered none.
struct request_floor {
  double wall_us = 0;
  double opening_cpu_us = 0;
  double answer_cpu_us = 0;
};
std::optional<request_floor> connect_request_floor(const std::string& host,
                                                   std::uint16_t port);

// The floors a cell's attainable rate adds to its ideal, in µs, as a run's
// context.calibration holds them; absent where it holds none (an older run, or the
// request floors in a run with no server).
struct machine_floors {
  std::optional<double> connect_request_us;
  std::optional<double> connect_request_cpu_us;  // both halves
  std::optional<double> connect_send_cpu_us;     // the opening half
  std::optional<double> answer_read_cpu_us;      // the answer half
  std::optional<double> timer_spawn_us;
};
machine_floors floors_of(const boost::json::object& context);

}  // namespace hammertime::harness
