// The generator loop's deadlines: (deadline, task index) entries, 16 bytes each, taken
// earliest first. Most deadlines come in order (now + the same delay, now + the same
// timeout), so those go to a FIFO that costs O(1) a push and a pop and reads memory in
// order (a deque: the blocks it has handed out are freed as it goes, so a long run keeps
// only what is still queued); only a deadline earlier than the FIFO's last goes to a
// binary min-heap. A million sleeping tasks cost 16 MB here and no heap sifting at all.
//
//   deadline_queue deadlines;
//   deadlines.push({now + 30ms, 0});  // in order: the FIFO
//   deadlines.push({now + 10ms, 1});  // earlier than the last: the heap
//   deadlines.pop().task;             // 1: the earliest deadline first
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "models/model.hpp"

namespace hammertime::models {

// One task's deadline (not an Asio timer: nothing here fires by itself).
struct deadline_entry {
  clock::time_point deadline;
  std::size_t task;
  friend bool operator>(const deadline_entry& a, const deadline_entry& b) {
    return a.deadline > b.deadline;
  }
};
static_assert(sizeof(deadline_entry) == 16);

class deadline_queue {
 public:
  void reserve(std::size_t count) { heap_.reserve(count); }  // touched once used
  bool empty() const noexcept { return size() == 0; }
  std::size_t size() const noexcept { return in_order_.size() + heap_.size(); }
  const deadline_entry& top() const noexcept {
    return from_heap() ? heap_.front() : in_order_.front();
  }

  void push(deadline_entry entry) {
    if (in_order_.empty() || !(in_order_.back() > entry)) {
      in_order_.push_back(entry);  // not earlier than the FIFO's last: append
      return;
    }
    heap_.push_back(entry);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }

  deadline_entry pop() noexcept {
    if (!from_heap()) {
      deadline_entry entry = in_order_.front();
      in_order_.pop_front();
      return entry;
    }
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    deadline_entry entry = heap_.back();
    heap_.pop_back();
    return entry;
  }

 private:
  // The earliest is the heap's top when the FIFO is empty or starts later.
  bool from_heap() const noexcept {
    if (heap_.empty()) return false;
    return in_order_.empty() || in_order_.front() > heap_.front();
  }

  std::deque<deadline_entry> in_order_;  // nondecreasing
  std::vector<deadline_entry> heap_;     // a min-heap of the rest
};

}  // namespace hammertime::models
