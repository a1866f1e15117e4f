// A start line and a finish line for a pool of C workers.
//
// At the start, every worker waits until all C have started, so that a pool that the
// machine (or the library that makes its threads) quietly left smaller than C is
// found out instead of running slower: enter() is then false for every worker. At the
// finish, the workers that run out of items first wait for the others, so that an idle
// worker never competes for a core with one still waiting on its item.
//
// Untimed futex waits only (an atomic and a latch): ten thousand threads woken at once
// would queue for a mutex one at a time, and libstdc++ 12's timed atomic waits poll.
// One thread outside the pool, the caller, keeps the time with watch_start().
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <latch>
#include <thread>

#include "models/model.hpp"

namespace hammertime::models {

class pool_gate {
 public:
  // A pool that gains no worker for `stall` has all the workers it will get.
  explicit pool_gate(std::size_t workers, clock::duration stall = std::chrono::seconds(3))
      : workers_(workers),
        stall_(stall),
        finished_(static_cast<std::ptrdiff_t>(workers)) {}

  // Counts this worker in (on_arrival(workers started so far) runs first) and waits:
  // true once all C are here, false when watch_start() found the pool short of C.
  template <typename F>
  bool enter(F&& on_arrival) {
    last_arrival_ = clock::now().time_since_epoch().count();
    auto started = arrived_.fetch_add(1) + 1;
    on_arrival(started);
    if (started == workers_) decide(all_started);
    state_.wait(waiting);
    return state_.load() == all_started;
  }

  // The caller's side: returns once all C have started, or once `stall` went by
  // without a new one, and then the pool is short.
  void watch_start() {
    while (state_.load() == waiting) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      auto last = clock::time_point(clock::duration(last_arrival_.load()));
      if (clock::now() >= std::max(last, created_) + stall_) decide(fewer_started);
    }
  }

  // After enter() was true: waits until every worker is out of items; the last one to
  // get here runs last_out() first.
  template <typename F>
  void leave(F&& last_out) {
    if (left_.fetch_add(1) + 1 == workers_) last_out();
    finished_.arrive_and_wait();
  }

  bool came_up_short() const { return state_.load() == fewer_started; }
  // Workers that had started when the pool was found short.
  std::size_t started() const { return started_.load(); }

 private:
  enum state : int { waiting, all_started, fewer_started };

  void decide(state outcome) {
    int expected = waiting;
    if (!state_.compare_exchange_strong(expected, outcome)) return;
    started_ = arrived_.load();
    state_.notify_all();
  }

  const std::size_t workers_;
  const clock::duration stall_;
  const clock::time_point created_ = clock::now();
  std::atomic<std::size_t> arrived_{0}, started_{0}, left_{0};
  std::atomic<clock::rep> last_arrival_{0};
  std::atomic<int> state_{waiting};
  std::latch finished_;
};

}  // namespace hammertime::models
