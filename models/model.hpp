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
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/machine_limits.hpp"

namespace hammertime::models {

// The one clock of every model: item latencies, deadlines, the work's wall time.
using clock = std::chrono::steady_clock;

// flags: GET a flag. sleep: wait, no network. hammer: a flags item, then CPU work on
// its body. chained: GET the country's metadata, then, only if it exists, its flag.
enum class workload { flags, sleep, hammer, chained };
enum class outcome { ok, not_found, failed };

std::string_view to_string(workload kind);
std::optional<workload> workload_from_string(std::string_view name);
std::string_view to_string(outcome result);
// Every workload but sleep talks to the server and tallies the flags of its N codes.
bool uses_server(workload kind);

struct job {
  workload kind = workload::flags;
  std::size_t items = 676;                  // N; for flags, the first N codes AA..ZZ
  std::size_t concurrency = 1;              // C: items in flight at most
  std::chrono::milliseconds delay{100};     // sleep: each item's wait; flags: the
                                            // server's delay, asked per request
  std::chrono::milliseconds timeout{5000};  // per request
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // Knobs of one model each (model::knobs says which model reads which):
  std::size_t stack_size = 64 * 1024;  // fibers: bytes of stack a fiber gets
  std::size_t bridge_threads = 30;     // executor_bridge: B, the blocking pool's threads
  // The hammer's X, the CPU work on each body, and the checksum rounds that take X on
  // this machine (workloads/hammer_work.hpp: calibrated_rounds). Zero for the other
  // workloads.
  std::chrono::microseconds cpu_per_item{0};
  std::uint64_t work_rounds = 0;
  std::chrono::milliseconds ticker{0};  // the ticker's period (ticker.hpp); 0: none
};

// How many tasks (threads, processes, connections) a model starts: C capped at N (the
// harness passes C = N by default), and at least one while there are items. The
// harness plans with the same rule.
std::size_t tasks_in_flight(const job& work);

// What one item came to: its outcome and the body bytes it brought (0 for a sleep).
// The hammer's checksum of the body, 0 for the other workloads.
struct fetch_result {
  models::outcome outcome = models::outcome::failed;
  std::size_t bytes = 0;
  std::uint64_t checksum = 0;
};

// The items of a job, handed out one at a time to whichever task is free: every model
// takes its next item the same way. Safe to share between threads.
class item_source {
 public:
  explicit item_source(std::size_t items) : items_(items) {}

  // The next item's index, or false once every item has been taken.
  bool take(std::size_t& index) noexcept {
    index = next_.fetch_add(1, std::memory_order_relaxed);
    return index < items_;
  }
  // The same, for a task that needs no index (a sleep): nothing kept across its wait.
  bool take() noexcept {
    std::size_t ignored;
    return take(ignored);
  }

 private:
  const std::size_t items_;
  std::atomic<std::size_t> next_{0};
};

// One sampled item's start and end (the timeline's bar). `index` is the item's place
// in the order the items finished (the tally sees no item index; rows of a timeline go
// in start order anyway).
struct item_time {
  std::size_t index = 0;
  clock::time_point start, end;
};

// The timeline keeps every stride-th finished item, stride = ceil(N / this): at most
// this many bars, sampled evenly across the run.
inline constexpr std::size_t timeline_items = 2000;
std::size_t timeline_stride(std::size_t items);

// Thread-safe counts plus one latency slot per item, and one timeline slot per sampled
// item, allocated up front so the memory a model uses while it runs is the model's, not
// the bookkeeping's.
class tally {
 public:
  explicit tally(std::size_t items)
      : latency_ms_(items),
        stride_(timeline_stride(items)),
        item_times_((items + stride_ - 1) / stride_) {}

  void count(fetch_result result, clock::duration latency) noexcept;

  std::size_t ok() const noexcept { return ok_.load(); }
  std::size_t not_found() const noexcept { return not_found_.load(); }
  std::size_t failed() const noexcept { return failed_.load(); }
  std::size_t finished() const noexcept { return ok() + not_found() + failed(); }
  std::uint64_t bytes() const noexcept { return bytes_.load(); }
  // The sum of the items' checksums: proof that the hammer's work was done.
  std::uint64_t checksum() const noexcept { return checksum_.load(); }
  // Latencies in milliseconds of the finished items, in the order they finished.
  std::span<const float> latencies_ms() const noexcept;
  // Every stride-th finished item's start (its end less its latency) and end.
  std::span<const item_time> item_times() const noexcept;

 private:
  std::atomic<std::size_t> ok_{0}, not_found_{0}, failed_{0}, next_slot_{0};
  std::atomic<std::uint64_t> bytes_{0}, checksum_{0};
  std::vector<float> latency_ms_;
  std::size_t stride_;
  std::vector<item_time> item_times_;
};

// The one rule for a sleep item, in every model: it started when its deadline was set
// (deadline - delay), it ends when its wait does, and a wait that reported an error
// makes it a failed item. Nothing but the deadline needs keeping while it sleeps.
clock::duration sleep_latency(const job& work, clock::time_point deadline);
void count_sleep(tally& counts, const job& work, clock::time_point deadline,
                 bool wait_failed = false);

// Thrown when the machine, not the model, stops a run (common/machine_limits.hpp).
using common::machine_limit;

using run_function = void (*)(const job&, tally&);

// What each item in flight holds besides memory, so the harness can check the matching
// machine limits (threads-max, pid_max, RLIMIT_NPROC, vm.max_map_count) before a run.
enum class task_holder { nothing, thread, process };

// How a model waits, broadly: blocking calls on threads or processes, or one event
// loop that many tasks share. Tests that hold for a whole family run over it.
enum class model_family { blocking, event_loop };

// The job's knobs a model reads, so the harness passes, records and names them.
enum model_knobs : unsigned {
  no_knobs = 0,
  uses_stack_size = 1,
  uses_bridge_threads = 2
};

// What a run of a model takes of the machine besides memory: asked by the child before
// the model runs (require_what_it_needs), by the harness's plan check and by the tests.
struct machine_needs {
  std::size_t open_files = 0;   // descriptors in the model's own process
  std::size_t connections = 0;  // to the server at once: local ports, its descriptors
  std::size_t threads = 0;      // started by the model (each a stack and a guard map)
  std::size_t processes = 0;    // forked by the model
};

// A model's descriptor, written with designated initializers in the model's own file:
//   extern const model fibers_model{.name = "fibers", .label = "fibers", ...};
struct model {
  std::string_view name;
  std::string_view label;   // the short text of a legend: "thread pool"
  std::string_view colour;  // "#E69F00": the model's one colour in every plot
  std::string_view how_it_waits;
  run_function run = nullptr;
  model_family family = model_family::event_loop;
  task_holder each_task_holds = task_holder::nothing;
  // The most items this model keeps in flight (1 for sequential).
  std::size_t max_concurrency = std::numeric_limits<std::size_t>::max();
  unsigned knobs = no_knobs;
  // How many items wait at once, when fewer than tasks_in_flight (a bridge to B threads
  // waits for min(C, B)): the harness's ideal divides N by it. Null: tasks_in_flight.
  std::size_t (*waits_at_once)(const job&) = nullptr;
  // What a run of the job needs of the machine. Null: needs_of_tasks, the rule for a
  // model whose tasks each hold what each_task_holds says and one connection.
  machine_needs (*needs)(const job&) = nullptr;
  // Why this machine cannot run the model at all (a kernel that refuses io_uring), or
  // an empty string; checked by the harness before a run, and by the tests, which skip
  // for that reason alone. Null: it runs anywhere.
  std::string (*cannot_run_here)() = nullptr;
};

// The common rule: T = tasks_in_flight capped by max_concurrency; T connections on a
// workload with a server; T threads or T processes as each task holds one; open files:
// the connections, or for processes a pair of pipes each.
machine_needs needs_of_tasks(const model& chosen, const job& work);
// The model's needs hook, or needs_of_tasks.
machine_needs needs_of(const model& chosen, const job& work);
// Throws machine_limit naming the setting when this process or machine has too little
// room left for needs_of(chosen, work): open files, threads, processes.
void require_what_it_needs(const model& chosen, const job& work);

// Items that wait at once in a run of `chosen`: its waits_at_once, or tasks_in_flight.
std::size_t waits_at_once(const model& chosen, const job& work);
// The cores the hammer's work can use in a run of `chosen`: 1 for a model whose tasks
// hold nothing (one thread: sequential and every event loop); for one whose tasks hold
// threads or processes (the pools, the bridge's B threads), its waits_at_once, at most
// the machine's cores.
std::size_t cores_it_can_use(const model& chosen, const job& work);

// Every model, in the order the tables show them (registry.cpp: one line a model,
// each model's own file defines its `extern const model NAME_model`), then those added
// with add_model.
std::span<const model> all_models();
const model* find_model(std::string_view name);

// Adds a model defined outside the models library (a test's toy model), after the
// registry's; called before main, from a static in the file that defines it:
//   const bool toy_added = hammertime::models::add_model(toy_model);
// The registry's models are listed by name: a static library drops an object file
// nothing refers to, and its registration with it.
bool add_model(const model& extra);

}  // namespace hammertime::models
