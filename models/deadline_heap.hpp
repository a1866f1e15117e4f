// The generator loop's deadlines: a binary min-heap of (deadline, task index), 16 bytes
// an entry, so a million sleeping tasks cost 16 MB here and nothing else.
//
//   deadline_heap deadlines;
//   deadlines.push({now + 30ms, 0});
//   deadlines.push({now + 10ms, 1});
//   deadlines.pop().task;  // 1: the earliest deadline first
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "model.hpp"

namespace hammertime::models {

// One task's deadline in the heap (not an Asio timer: nothing here fires by itself).
struct deadline_entry {
  clock::time_point deadline;
  std::size_t task;
  friend bool operator>(const deadline_entry& a, const deadline_entry& b) {
    return a.deadline > b.deadline;
  }
};
static_assert(sizeof(deadline_entry) == 16);

class deadline_heap {
 public:
  void reserve(std::size_t count) { entries_.reserve(count); }
  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  const deadline_entry& top() const noexcept { return entries_.front(); }

  void push(deadline_entry entry) {
    entries_.push_back(entry);
    std::push_heap(entries_.begin(), entries_.end(), std::greater<>{});
  }
  deadline_entry pop() noexcept {
    std::pop_heap(entries_.begin(), entries_.end(), std::greater<>{});
    deadline_entry entry = entries_.back();
    entries_.pop_back();
    return entry;
  }

 private:
  std::vector<deadline_entry> entries_;
};

}  // namespace hammertime::models
