// One cell of a run: (workload, model, concurrency, repetition), run in a fresh child.
//
// The matrix is interleaved: repetition outermost, then concurrency, then model, so a
// machine that drifts during the run does not favour one model.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.hpp"
#include "models/model.hpp"

namespace hammertime::harness {

struct cell {
  models::workload workload = models::workload::flags;
  const models::model* model = nullptr;
  std::size_t items = 0;
  std::size_t concurrency = 0;  // effective: clamped by the model's max_concurrency
  std::chrono::milliseconds delay{0};
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds link_delay{0};  // hammertime-proxy's, each way; 0: none
  std::size_t stack_size = models::job{}.stack_size;          // for models that read it
  std::size_t bridge_threads = models::job{}.bridge_threads;  // (model::knobs)
  std::chrono::microseconds work_us{0};  // hammer: X, the CPU work on each body
  std::chrono::milliseconds ticker{0};   // the ticker's period; 0: none
  std::size_t repetition = 0;            // 0-based
  std::size_t repetitions = 1;           // of the run
  std::size_t family_index = 0;    // the model's place in the run (Google Benchmark's
  std::size_t instance_index = 0;  // family) and its concurrency's place within it

  // "flags/sequential/C:1", then "/N:20000" past one round of the flag codes,
  // "/work_us:X" and "/ticker:10ms" when they are set, "/link_delay:25ms" when there is
  // one.
  std::string name() const;
  // How many delays the items need at best: ceil(N / W), W = the items that wait at
  // once (C, or min(C, B) for a bridge to B threads). Chained: a found item waits two
  // delays, one after the other, so ceil((N + F) / W) and at least 2 (F = the flags
  // among the N codes): exact at C >= N and at C = 1, a lower bound between.
  std::size_t rounds() const;
  // One wait at best: the delay, plus the link delay twice (the request's bytes on
  // the way in, the answer's on the way out; connecting is not delayed).
  std::chrono::duration<double> one_wait() const;
  // The waiting at best: rounds x one wait.
  std::chrono::duration<double> waiting() const;
  // The hammer's CPU bound: N x X / the cores the model can use
  // (models::cores_it_can_use); 0 for the other workloads.
  std::chrono::duration<double> computing() const;
  // Ideal wall time: the slower of the two.
  std::chrono::duration<double> ideal() const;
  // Tasks in flight at most, by the models' own rule (models::tasks_in_flight).
  std::size_t tasks_in_flight() const;
  // The job the cell's child runs (host and port left to the child's arguments).
  models::job work() const;
};

// The run's matrix, in the order it runs.
std::vector<cell> plan_cells(const run_options& options);

// Shuffles the cells within each repetition (the matrix keeps repetition outermost), so
// that no model always runs after the same one (Google Benchmark's random
// interleaving). Fisher-Yates on a 64-bit Mersenne Twister, whose output the C++
// standard fixes: a seed replays the same order anywhere. Seed 0 keeps the planned order.
void shuffle_within_repetitions(std::vector<cell>& cells, std::uint64_t seed);

// The documented rule (see `hammertime run --help`), or --cell-limit when given.
std::chrono::milliseconds cell_time_limit(const cell& one, const run_options& options);

}  // namespace hammertime::harness
