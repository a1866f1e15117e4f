// The generator loop's scheduler: its tasks are wait_generators, generators that
// co_yield a `wait` (a socket readable or writable, a deadline), and a loop resumes
// each one when its wait is over. Two loops, one contract:
//
//   run_when_ready   epoll for the sockets, a queue of (deadline, task) for
//                    the deadlines; sleeps in epoll_wait while nothing is ready.
//   run_round_robin  the talk's naive loop: resumes every task in turn without
//                    asking the kernel; a socket task simply tries again (EAGAIN).
//
//   std::vector<wait_generator> tasks;
//   tasks.push_back(sleeper(clock::now() + 100ms));  // co_yield wait::until(deadline)
//   run_when_ready(tasks);                           // returns when every task ended
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "generator.hpp"
#include "models/model.hpp"

namespace hammertime::models {

// What a task waits for; the loop fills in `status` before it resumes the task.
// 16 bytes: a million sleeping tasks each hold one in their frame.
struct wait {
  enum class fd_interest : std::uint8_t { none, readable, writable };
  enum class state : std::uint8_t { pending, ready, timed_out };

  clock::time_point deadline = clock::time_point::max();
  int fd = -1;
  fd_interest interest = fd_interest::none;
  state status = state::pending;

  static wait until(clock::time_point when) noexcept { return wait{when}; }

  // The same deadline, now also waiting for `socket`.
  wait& readable(int socket) noexcept { return watch(socket, fd_interest::readable); }
  wait& writable(int socket) noexcept { return watch(socket, fd_interest::writable); }

  // Resumed because the deadline passed before the socket was ready.
  bool timed_out() const noexcept { return status == state::timed_out; }

 private:
  wait& watch(int socket, fd_interest what) noexcept {
    fd = socket, interest = what, status = state::pending;
    return *this;
  }
};
static_assert(sizeof(wait) == 16);

// A task of the generator loop: a generator of the waits it is resumed after. Not an
// awaitable task as in cppcoro: only the loop resumes it, nothing co_awaits it.
using wait_generator = generator<wait>;

// Runs every task until it ends; a task's exception comes out (the rest are left
// suspended, for their owner to destroy). A finished task is emptied at once.
void run_when_ready(std::span<wait_generator> tasks);
void run_round_robin(std::span<wait_generator> tasks);

}  // namespace hammertime::models
