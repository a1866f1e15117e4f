// The generator loop's deadlines: a binary min-heap of (deadline, task index), 16 bytes
// an entry, so a million sleeping tasks cost 16 MB here and nothing else.
//
//   timer_heap timers;
//   timers.push({now + 30ms, 0});
//   timers.push({now + 10ms, 1});
//   timers.pop().task;  // 1: the earliest deadline first
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

namespace hammertime::models {

struct timer {
  std::chrono::steady_clock::time_point deadline;
  std::size_t task;
  friend bool operator>(const timer& a, const timer& b) {
    return a.deadline > b.deadline;
  }
};
static_assert(sizeof(timer) == 16);

class timer_heap {
 public:
  void reserve(std::size_t count) { timers_.reserve(count); }
  bool empty() const noexcept { return timers_.empty(); }
  std::size_t size() const noexcept { return timers_.size(); }
  const timer& top() const noexcept { return timers_.front(); }

  void push(timer entry) {
    timers_.push_back(entry);
    std::push_heap(timers_.begin(), timers_.end(), std::greater<>{});
  }
  timer pop() noexcept {
    std::pop_heap(timers_.begin(), timers_.end(), std::greater<>{});
    timer entry = timers_.back();
    timers_.pop_back();
    return entry;
  }

 private:
  std::vector<timer> timers_;
};

}  // namespace hammertime::models
