// thread_pool: C worker threads from oneTBB, each blocking on its own keep-alive
// connection and taking the next item from a shared counter until none is left: the
// flags demo's ThreadPoolExecutor.
//
//   $ build/bin/hammertime child --model thread_pool --workload flags --items 676 \
//       --concurrency 20 --delay-ms 100 --timeout-ms 5000 --port 8001
//   {"model":"thread_pool",...,"wall_seconds":3.48,"ok":194,"not_found":482,"failed":0,...}
//
// 194 items/s of an ideal 199 (2 cores). Sleep at C = N = 10,000: ~2.7 s, 26.5 KiB of
// PSS per thread, plus ~15 KiB of kernel memory (its kernel stack) that no RSS shows.
//
// TBB is built for one thread per core; an I/O-bound pool is far larger. So
// tbb::global_control lifts TBB's cap to C when its scheduler starts (in the harness's
// fresh child; a process whose TBB started earlier with a lower cap gets a
// machine_limit, never a smaller pool), and gives each thread a 256 KiB stack instead
// of 4 MiB: a thread blocked in cpp-httplib uses a few KiB, and 10,000 threads reserve
// 2.5 GiB of address space instead of 40. Idle TBB threads spin while they look for
// work, so the pool lets threads in 64 at a time and sends them all to sleep once the
// work is done: 10,000 threads spinning at once on 2 cores would starve the rest.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "blocking_client.hpp"
#include "pool_gate.hpp"
#include "pool_limits.hpp"

namespace hammertime::models {
namespace {

using tbb::global_control;

// TBB's side of the pool: an arena with C worker slots and the caller's, the cap on
// TBB's threads raised to C step by step, then lowered to none.
class tbb_threads {
 public:
  explicit tbb_threads(std::size_t threads)
      : threads_(threads),
        parallelism_(global_control::max_allowed_parallelism, threads + 1),
        stack_(global_control::thread_stack_size, 256 * 1024),
        arena_(static_cast<int>(threads) + 1, 1) {
    arena_.initialize();  // TBB's scheduler, if this starts it, takes its cap from here
    let_in(std::min(threads, step));
  }

  tbb::task_arena& arena() { return arena_; }

  // Once every thread let in so far has started, lets the next ones in.
  void started(std::size_t count) {
    if (count < allowed_.load()) return;
    std::scoped_lock lock(mutex_);
    if (count >= allowed_ && allowed_ < threads_) let_in(std::min(threads_, allowed_ + step));
  }

  // The work is done: idle threads leave the arena and sleep instead of spinning.
  void wind_down() {
    std::scoped_lock lock(mutex_);
    cap_ = std::make_unique<global_control>(global_control::max_allowed_parallelism, 1);
  }

 private:
  static constexpr std::size_t step = 64;

  void let_in(std::size_t allowed) {
    allowed_ = allowed;
    // The lowest cap alive wins: the new one is in place before the old one goes.
    cap_ = allowed < threads_ ? std::make_unique<global_control>(
                                    global_control::max_allowed_parallelism, allowed + 1)
                              : nullptr;
  }

  const std::size_t threads_;
  global_control parallelism_, stack_;
  std::mutex mutex_;
  std::atomic<std::size_t> allowed_{0};
  std::unique_ptr<global_control> cap_;
  tbb::task_arena arena_;
};

}  // namespace

// tag::thread_pool[]
void run_thread_pool(const job& work, tally& counts) {
  if (work.items == 0) return;
  auto threads = tasks_in_flight(work);
  require_threads(threads, "thread_pool");
  if (work.kind == workload::flags) require_open_files(threads, "thread_pool");

  tbb_threads pool(threads);  // <1> C threads for C blocking tasks
  pool_gate gate(threads);
  std::atomic<std::size_t> next_item{0};
  tbb::task_group workers;
  for (std::size_t t = 0; t < threads; ++t)
    pool.arena().enqueue(workers.defer([&] {  // <2> into the arena's shared queue
      if (!gate.enter([&](std::size_t started) { pool.started(started); }))
        return;  // <3> all C threads at once, or none at all
      std::optional<blocking_client> client;  // one keep-alive connection each
      if (work.kind == workload::flags) client.emplace(work);
      for (auto i = next_item++; i < work.items; i = next_item++)
        run_blocking_item(work, client ? &*client : nullptr, i, counts);  // <4>
      gate.leave([&] { pool.wind_down(); });
    }));
  gate.watch_start();
  pool.arena().execute([&] { workers.wait(); });  // <5> the caller waits in the arena

  if (gate.came_up_short())
    throw machine_limit("thread_pool: only " + std::to_string(gate.started()) + " of " +
                        std::to_string(threads) +
                        " threads started: TBB is capped lower in this process (a "
                        "tbb::global_control, or a scheduler started earlier) or the "
                        "machine gave no more; run it in a fresh process (hammertime "
                        "child) or lower --concurrency");
}
// end::thread_pool[]

}  // namespace hammertime::models
