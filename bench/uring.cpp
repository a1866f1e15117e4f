// wake/io_uring_*: one operation submitted to io_uring and its completion reaped, the
// price the io_uring model pays per wait: a no-op alone (one io_uring_enter each), 64 at
// a time (one enter for the batch; time is per batch, items/s per operation), and a
// no-op co_awaited by a task on the model's own loop (uring_loop.hpp).
//
//   $ build/bin/hammertime-micro --benchmark_filter=io_uring
//   Benchmark                              Time    (2-core VM, shared; noisy)
//   wake/io_uring_nop/real_time          see results/latest/micro.json
#include <benchmark/benchmark.h>
#include <liburing.h>

#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "uring_loop.hpp"

namespace hammertime::bench {
namespace {

// Submits `batch` no-ops, waits for them all and reaps their completions.
void submit_and_reap_nops(benchmark::State& state, unsigned batch) {
  io_uring ring;
  if (int error = io_uring_queue_init(256, &ring, 0); error < 0)
    return state.SkipWithError(
        (std::string("io_uring_queue_init: ") + std::strerror(-error)).c_str());
  io_uring_cqe* cqes[256];
  for (auto _ : state) {
    for (unsigned i = 0; i < batch; ++i) io_uring_prep_nop(io_uring_get_sqe(&ring));
    io_uring_submit_and_wait(&ring, batch);
    unsigned reaped = 0;
    while (reaped < batch) {
      unsigned count = io_uring_peek_batch_cqe(&ring, cqes, batch);
      if (count == 0) io_uring_submit_and_wait(&ring, 1);
      io_uring_cq_advance(&ring, count);
      reaped += count;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * batch);
  io_uring_queue_exit(&ring);
}

void wake_io_uring_nop(benchmark::State& state) { submit_and_reap_nops(state, 1); }
BENCHMARK(wake_io_uring_nop)
    ->Name("wake/io_uring_nop")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void wake_io_uring_nop_batch(benchmark::State& state) { submit_and_reap_nops(state, 64); }
BENCHMARK(wake_io_uring_nop_batch)
    ->Name("wake/io_uring_nop_x64")
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
    ->Name("wake/io_uring_task")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hammertime::bench
