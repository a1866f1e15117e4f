// The one interface every concurrency model implements: a job in, a tally out.
//
// A model differs from the others only in *how it waits*. It gets the same job
// (workload, N items, at most C in flight, delay, per-request timeout, server) and
// counts every item into the same tally, exactly once: ok + not_found + failed = N.
// A failed request is a counted outcome, never an exception out of the model.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hammertime::models {

enum class workload { flags, sleep };
enum class outcome { ok, not_found, failed };

std::string_view to_string(workload kind);
std::string_view to_string(outcome result);

struct job {
  workload kind = workload::flags;
  std::size_t items = 676;       // N; for flags, the first N codes AA..ZZ
  std::size_t concurrency = 1;   // C: items in flight at most
  std::chrono::milliseconds delay{100};     // sleep: each item's wait; flags: the
                                            // server's delay, asked per request
  std::chrono::milliseconds timeout{5000};  // per request
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

// How many tasks (threads, processes, connections) a model starts: C capped at N (the
// harness passes C = N by default), and at least one while there are items.
std::size_t tasks_in_flight(const job& work);

// Thread-safe counts plus one latency slot per item, allocated up front so the
// memory a model uses while it runs is the model's, not the bookkeeping's.
class tally {
 public:
  explicit tally(std::size_t items) : latency_ms_(items) {}

  void count(outcome result, std::size_t bytes,
             std::chrono::steady_clock::duration latency) noexcept;

  std::size_t ok() const noexcept { return ok_.load(); }
  std::size_t not_found() const noexcept { return not_found_.load(); }
  std::size_t failed() const noexcept { return failed_.load(); }
  std::size_t finished() const noexcept { return ok() + not_found() + failed(); }
  std::uint64_t bytes() const noexcept { return bytes_.load(); }
  // Latencies in milliseconds of the finished items, in the order they finished.
  std::span<const float> latencies_ms() const noexcept;

 private:
  std::atomic<std::size_t> ok_{0}, not_found_{0}, failed_{0}, next_slot_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::vector<float> latency_ms_;
};

// Thrown when the machine, not the model, stops a run: names the limit that was hit
// (open files, threads, processes, memory) and the setting that would lift it.
struct machine_limit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using run_function = void (*)(const job&, tally&);

// What each item in flight holds besides memory, so the harness can check the matching
// machine limits (threads-max, pid_max, RLIMIT_NPROC, vm.max_map_count) before a run.
enum class task_holder { nothing, thread, process };

struct model {
  std::string_view name;
  std::string_view how_it_waits;
  run_function run;
  // The most items this model keeps in flight (1 for sequential).
  std::size_t max_concurrency = std::numeric_limits<std::size_t>::max();
  task_holder each_task_holds = task_holder::nothing;
};

// Every model, in the order the tables show them.
std::span<const model> all_models();
const model* find_model(std::string_view name);

}  // namespace hammertime::models
