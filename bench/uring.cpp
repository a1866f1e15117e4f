// wake/io_uring_*: one operation submitted to io_uring and its completion reaped, the
// price the io_uring model pays per wait: a no-op alone (one io_uring_enter each), a
// no-op sent and reaped 64 at a time (one enter a batch; time per no-op), and a no-op
// co_awaited by a task on the model's own loop (uring_loop.hpp).
//
//   $ build/bin/hammertime-micro --benchmark_filter=io_uring
//   (the reference figures: results/reference/micro/micro.json, docs/results.md)
#include <benchmark/benchmark.h>
#include <liburing.h>

#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "models/loops/uring_loop.hpp"

namespace hammertime::bench {
namespace {

// Waits for `count` completions and reaps them.
void reap(io_uring& ring, unsigned count) {
  io_uring_cqe* cqes[64];
  for (unsigned reaped = 0; reaped < count;) {
    unsigned got = io_uring_peek_batch_cqe(&ring, cqes, 64);
    if (got == 0) io_uring_submit_and_wait(&ring, 1);
    io_uring_cq_advance(&ring, got);
    reaped += got;
  }
}

// One iteration is one no-op; they go to the kernel, and come back, `batch` at a time.
void submit_and_reap_nops(benchmark::State& state, unsigned batch) {
  io_uring ring;
  if (int error = io_uring_queue_init(256, &ring, 0); error < 0)
    return state.SkipWithError(
        (std::string("io_uring_queue_init: ") + std::strerror(-error)).c_str());
  unsigned queued = 0;
  for (auto _ : state) {
    io_uring_prep_nop(io_uring_get_sqe(&ring));
    if (++queued == batch) {
      io_uring_submit_and_wait(&ring, queued);
      reap(ring, std::exchange(queued, 0u));
    }
  }
  io_uring_submit_and_wait(&ring, queued);
  reap(ring, queued);
  io_uring_queue_exit(&ring);
}

void wake_io_uring_nop(benchmark::State& state) { submit_and_reap_nops(state, 1); }
BENCHMARK(wake_io_uring_nop)
    ->Name("wake/io_uring/io_uring_nop")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void wake_io_uring_nop_batched(benchmark::State& state) {
  submit_and_reap_nops(state, 64);
}
BENCHMARK(wake_io_uring_nop_batched)
    ->Name("wake/io_uring/io_uring_nop_batched")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

models::uring_task<> await_nops(models::uring_loop& loop, benchmark::State& state) {
  for (auto _ : state) co_await loop.nop();
}

void wake_io_uring_task(benchmark::State& state) {
  try {
    models::uring_loop loop;
    std::vector<models::uring_task<>> tasks;
    tasks.push_back(await_nops(loop, state));
    loop.run(tasks);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}
BENCHMARK(wake_io_uring_task)
    ->Name("wake/io_uring/io_uring_task")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hammertime::bench
