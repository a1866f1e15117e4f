// thread_pool: C worker threads from oneTBB, each blocking on its own keep-alive
// connection and taking the next item from a shared counter until none is left: the
// flags demo's ThreadPoolExecutor.
//
//   $ build/bin/hammertime child --model thread_pool --workload flags --items 676 \
//       --concurrency 20 --delay-ms 100 --timeout-ms 5000 --port 8001
//   {"model":"thread_pool",...,"wall_seconds":3.45,"ok":194,"not_found":482,"failed":0,...}
//
// An I/O-bound pool is far larger than the core count, so tbb::global_control lifts
// TBB's cap (one thread per core) to C, and gives each thread a 256 KiB stack instead
// of TBB's 4 MiB: a thread blocked in cpp-httplib needs a few KiB of it, and 10,000
// threads then reserve 2.5 GiB of address space instead of 40. TBB fixes both when
// its scheduler starts, so each run starts its own and finalizes it (joining every
// thread) before it returns. Start-up and shutdown are inside the measured time.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "blocking_client.hpp"
#include "pool_limits.hpp"

namespace hammertime::models {
namespace {

constexpr std::size_t thread_stack_bytes = 256 * 1024;
// A pool that gains no thread for this long has all the threads it will get.
constexpr auto thread_start_stall = std::chrono::seconds(3);

// Holds every worker until all C have started, so that a pool that TBB (or the
// machine) quietly left smaller than C stops the run instead of running slower.
class start_gate {
 public:
  explicit start_gate(std::size_t expected) : expected_(expected) {}

  // true once all C workers are here; false when the pool stopped growing short of C.
  bool arrive_and_wait() {
    std::unique_lock lock(mutex_);
    last_arrival_ = std::chrono::steady_clock::now();
    if (++arrived_ == expected_) everyone_.notify_all();
    while (arrived_ < expected_ && !short_) {
      if (everyone_.wait_until(lock, last_arrival_ + thread_start_stall) ==
              std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= last_arrival_ + thread_start_stall) {
        short_ = true;
        started_ = arrived_;
        everyone_.notify_all();
      }
    }
    return !short_;
  }

  // Workers that had started when the pool was found short.
  std::size_t started() const {
    std::scoped_lock lock(mutex_);
    return started_;
  }
  bool short_of_threads() const {
    std::scoped_lock lock(mutex_);
    return short_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable everyone_;
  std::size_t expected_, arrived_ = 0, started_ = 0;
  bool short_ = false;
  std::chrono::steady_clock::time_point last_arrival_;
};

// tag::thread_pool[]
void run_workers(const job& work, std::size_t threads, start_gate& gate, tally& counts) {
  std::atomic<std::size_t> next_item{0};
  tbb::task_arena arena(static_cast<int>(threads));  // <1> C slots, one is the caller's
  tbb::task_group workers;
  arena.execute([&] {
    for (std::size_t t = 0; t < threads; ++t)
      workers.run([&] {
        if (!gate.arrive_and_wait()) return;  // <2> all C threads, or none at all
        std::optional<blocking_client> client;  // one keep-alive connection each
        if (work.kind == workload::flags) client.emplace(work);
        for (auto i = next_item++; i < work.items; i = next_item++)
          run_blocking_item(work, client ? &*client : nullptr, i, counts);  // <3>
      });
    workers.wait();  // <4> the calling thread takes a worker's place meanwhile
  });
}
// end::thread_pool[]

}  // namespace

void run_thread_pool(const job& work, tally& counts) {
  if (work.items == 0) return;
  auto threads = std::clamp<std::size_t>(work.concurrency, 1, work.items);
  require_threads(threads, "thread_pool");
  if (work.kind == workload::flags) require_open_files(threads, "thread_pool");

  tbb::task_scheduler_handle scheduler{tbb::attach{}};
  start_gate gate(threads);
  {
    using tbb::global_control;
    global_control parallelism(global_control::max_allowed_parallelism, threads + 1);
    global_control stack(global_control::thread_stack_size, thread_stack_bytes);
    run_workers(work, threads, gate, counts);
  }
  tbb::finalize(scheduler, std::nothrow);
  if (gate.short_of_threads())
    throw machine_limit("thread_pool: only " + std::to_string(gate.started()) + " of " +
                        std::to_string(threads) +
                        " threads started (TBB's scheduler was already running in this "
                        "process with a lower cap, or the machine gave no more); run "
                        "it in a fresh process (hammertime child) or lower --concurrency");
}

}  // namespace hammertime::models
