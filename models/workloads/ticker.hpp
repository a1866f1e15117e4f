// The ticker: beside a run's items, a ticker wakes every work.ticker and records how
// late each wake-up came: the lag of whatever it shares (a loop, a core). Where it runs
// is the model's to say, as its users would do it: in the loop (a timer, a task), in a
// thread of its own (ticker_thread), on each worker process. Every wake-up of every
// ticker lands in one recorder, in memory that forked workers share.
//
//   for (ticker ticks(work, &counts); ; ) { sleep_until(ticks.next());
//                                              if (!ticks.woke()) break; }
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "models/model.hpp"

namespace hammertime::models {

inline bool has_ticker(const job& work) { return work.ticker.count() > 0; }

// One ticker's schedule: when to wake next, and what to do on waking.
class ticker {
 public:
  // Stops once `counts` has every item of `work` (a loop ticker ends with its run);
  // with no counts, it goes on until its owner stops asking.
  explicit ticker(const job& work, const tally* counts = nullptr);

  clock::time_point next() const noexcept { return next_; }

  // Records how late this wake-up came, sets the next one a period from now; false
  // once every item is counted.
  bool woke();

 private:
  const job& work_;
  const tally* counts_;
  clock::time_point next_;
};

// A ticker on a thread of its own, from construction to destruction (none when the job
// has no ticker): the blocking models' ticker.
class ticker_thread {
 public:
  explicit ticker_thread(const job& work);
  ~ticker_thread();
  ticker_thread(const ticker_thread&) = delete;
  ticker_thread& operator=(const ticker_thread&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// Every ticker's lateness since the last reset, in this process and its forked workers.
struct lag_summary {
  std::uint64_t wakeups = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};
void reset_ticker_lag();
lag_summary ticker_lag();

}  // namespace hammertime::models
