// What the generator loop and the fiber loop share: epoll for the sockets their tasks
// wait on, a deadline queue for the deadlines, and the one rule for which waits are over.
// A task is an index; its `wait` (generator_scheduler.hpp) lives wherever its loop keeps
// it.
//
//   readiness_loop ready(tasks);
//   ready.arm(on, index);                        // after the task parked on `on`
//   ready.resume_due([&](std::size_t i) { return wait_of(i); },  // null: task ended
//                    [&](std::size_t i) { resume(i); });         // sleeps till one is
//                    due
#pragma once

#include <sys/epoll.h>

#include <array>
#include <cstddef>
#include <vector>

#include "deadline_queue.hpp"
#include "generator_scheduler.hpp"

namespace hammertime::models {

// Each socket wait arms the fd once (EPOLLONESHOT): an event resumes exactly one wait.
class readiness_loop {
 public:
  explicit readiness_loop(std::size_t tasks);
  ~readiness_loop();
  readiness_loop(const readiness_loop&) = delete;
  readiness_loop& operator=(const readiness_loop&) = delete;

  // Watches what `on` waits for on behalf of task `index`: its socket, its deadline.
  // Throws machine_limit when epoll has no room for one more watch.
  void arm(wait& on, std::size_t index);

  // Sleeps in epoll_wait until a socket is ready or a deadline is due, then marks each
  // wait that is over (ready or timed_out) and calls resume(index) for its task.
  // wait_of(index) gives the task's wait, or null once the task has ended.
  template <typename WaitOf, typename Resume>
  void resume_due(WaitOf&& wait_of, Resume&& resume);

 private:
  int wait_for_events();  // epoll_wait until the next deadline; the count of events
  void forget(int fd) noexcept;

  int epoll_;
  std::vector<bool> added_;  // by descriptor: added to epoll_ (a guess, see arm)
  deadline_queue deadlines_;
  std::array<epoll_event, 256> events_;
};

template <typename WaitOf, typename Resume>
void readiness_loop::resume_due(WaitOf&& wait_of, Resume&& resume) {
  int count = wait_for_events();
  for (int e = 0; e < count; ++e) {
    auto index = static_cast<std::size_t>(events_[e].data.u64);
    wait* on = wait_of(index);
    if (on == nullptr || on->interest == wait::fd_interest::none) continue;
    on->status = wait::state::ready;
    resume(index);
  }
  auto now = clock::now();
  while (!deadlines_.empty() && deadlines_.top().deadline <= now) {
    auto index = deadlines_.pop().task;
    wait* on = wait_of(index);
    if (on == nullptr || on->deadline > now) continue;  // an entry of a wait that ended
    if (on->interest == wait::fd_interest::none) {
      on->status = wait::state::ready;
    } else {
      forget(on->fd);
      on->status = wait::state::timed_out;
    }
    resume(index);
  }
}

}  // namespace hammertime::models
