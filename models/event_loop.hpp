// The generator loop's scheduler: tasks are generators that co_yield a `wait` (a
// socket readable or writable, a deadline), and a loop resumes each task when its
// wait is over. Two loops, one contract:
//
//   run_when_ready   epoll for the sockets, a binary heap of (deadline, task) for
//                    the deadlines; sleeps in epoll_wait while nothing is ready.
//   run_round_robin  the talk's naive loop: resumes every task in turn without
//                    asking the kernel; a socket task simply tries again (EAGAIN).
//
//   std::vector<task> tasks;
//   tasks.push_back(sleeper(clock::now() + 100ms));  // co_yield wait::until(deadline)
//   run_when_ready(tasks);                           // returns when every task ended
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "generator.hpp"

namespace hammertime::models {

using loop_clock = std::chrono::steady_clock;

// What a task waits for; the loop fills in `result` before it resumes the task.
// 16 bytes: a million sleeping tasks each hold one in their frame.
struct wait {
  enum class interest : std::uint8_t { none, readable, writable };
  enum class status : std::uint8_t { pending, ready, timed_out };

  loop_clock::time_point deadline = loop_clock::time_point::max();
  int fd = -1;
  interest on = interest::none;
  status result = status::pending;

  static wait until(loop_clock::time_point when) noexcept { return wait{when}; }

  // The same deadline, now also waiting for `socket`.
  wait& readable(int socket) noexcept { return watch(socket, interest::readable); }
  wait& writable(int socket) noexcept { return watch(socket, interest::writable); }

  // Resumed because the deadline passed before the socket was ready.
  bool timed_out() const noexcept { return result == status::timed_out; }

 private:
  wait& watch(int socket, interest what) noexcept {
    fd = socket, on = what, result = status::pending;
    return *this;
  }
};
static_assert(sizeof(wait) == 16);

using task = generator<wait>;

// Runs every task until it ends; a task's exception comes out (the rest are left
// suspended, for their owner to destroy). A finished task is emptied at once.
void run_when_ready(std::span<task> tasks);
void run_round_robin(std::span<task> tasks);

}  // namespace hammertime::models
