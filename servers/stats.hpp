// The server's own counters, shown by GET /stats (POST /stats/reset shows and zeroes
// them): requests read, answers by status, faults injected, connections, lateness — how
// much later than its intended deadline (request taken up + delay) each response began
// to be written — and queueing, in two parts: the client's (from its send to the
// kernel's receipt) and the server's own (from that receipt to the server taking the
// request up, the accept queue included).
// /stats and /stats/reset themselves are not counted.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "common/histogram.hpp"
#include "faults.hpp"

namespace hammertime::server {

class stats {
 public:
  void connection_opened();
  void connection_closed();
  // A request read, answered or not yet.
  void read_request();
  void answered(unsigned status, std::chrono::steady_clock::duration lateness);
  // From the kernel's receipt of a request to the server taking it up (its delay
  // starts): the accept queue, the socket, the requests ahead of it on its connection.
  void record_own_queue(std::chrono::steady_clock::duration waited);
  // From the client's send (its sent_us, when it said) to the kernel's receipt: the
  // client's own scheduling and the wire.
  void record_client_send_wait(std::chrono::steady_clock::duration waited);
  // Since when client send waits count: the server's start, or its last reset.
  std::chrono::steady_clock::time_point counting_since() const {
    return counting_since_.load(std::memory_order_relaxed);
  }
  void injected(fault kind);
  void slowed();
  // A GET /stats or POST /stats/reset: counted apart, never reset, so a harness's own
  // questions can be counted (it must not ask while a cell runs).
  void stats_asked();

  // The counters as JSON; with reset, zeroes them after reading (connections.open stays,
  // connections.max restarts from it) so a harness can read per-run figures.
  std::string to_json(bool reset);

 private:
  using counter = std::atomic<std::uint64_t>;
  std::array<counter, 600> by_status_{};
  std::array<counter, 5> by_fault_{};  // indexed by fault; [none] unused
  counter slow_bodies_{0}, stats_requests_{0};
  counter open_{0}, max_open_{0}, accepted_{0}, read_{0};
  common::histogram lateness_, own_queue_, client_send_wait_;
  std::atomic<std::chrono::steady_clock::time_point> counting_since_{
      std::chrono::steady_clock::now()};
};

}  // namespace hammertime::server
