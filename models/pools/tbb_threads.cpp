#include "tbb_threads.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "common/machine_limits.hpp"
#include "pool_gate.hpp"

namespace hammertime::models {
namespace {

using tbb::global_control;

// TBB's side of the pool: an arena with C worker slots and the caller's, the cap on
// TBB's threads raised to C step by step, then lowered to none.
class tbb_arena {
 public:
  explicit tbb_arena(std::size_t threads)
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
    if (count >= allowed_ && allowed_ < threads_)
      let_in(std::min(threads_, allowed_ + step));
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

void run_in_arena(std::size_t threads, const std::function<void()>& task) {
  tbb_arena pool(threads);
  pool_gate gate(threads);
  tbb::task_group workers;
  for (std::size_t t = 0; t < threads; ++t)
    pool.arena().enqueue(workers.defer([&] {  // into the arena's shared queue
      if (!gate.enter([&](std::size_t started) { pool.started(started); }))
        return;  // all C threads at once, or none at all
      task();
      gate.leave([&] { pool.wind_down(); });
    }));
  gate.watch_start();
  pool.arena().execute([&] { workers.wait(); });  // the caller waits in the arena

  if (gate.came_up_short())
    throw machine_limit("thread_pool: only " + std::to_string(gate.started()) + " of " +
                        std::to_string(threads) +
                        " threads started: TBB is capped lower in this process (a "
                        "tbb::global_control, or a scheduler started earlier) or the "
                        "machine gave no more; run it in a fresh process (hammertime "
                        "child) or lower --concurrency");
}

}  // namespace

void run_on_tbb_threads(std::size_t threads, const std::function<void()>& task) {
  common::require_threads(threads, "thread_pool");
  // Held from the start, so that the end can wait for TBB's threads to exit: the
  // pool's tear-down is part of its work, as a `with ThreadPoolExecutor()` block's is.
  tbb::task_scheduler_handle scheduler{tbb::attach{}};
  run_in_arena(threads, task);
  // Joins the worker threads (false when something else in this process still holds
  // TBB's scheduler, e.g. a test that runs TBB elsewhere: they then stay parked).
  tbb::finalize(scheduler, std::nothrow);
}

}  // namespace hammertime::models
