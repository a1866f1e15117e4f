#include "event_loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <system_error>
#include <vector>

#include "machine_limits.hpp"
#include "deadline_heap.hpp"

namespace hammertime::models {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Each socket wait arms the fd once (EPOLLONESHOT): an event resumes exactly one wait.
class epoll_loop {
 public:
  explicit epoll_loop(std::span<wait_generator> tasks)
      : tasks_(tasks), epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_ < 0) throw_errno("epoll_create1");
    deadlines_.reserve(tasks.size());
  }
  ~epoll_loop() { close(epoll_); }
  epoll_loop(const epoll_loop&) = delete;
  epoll_loop& operator=(const epoll_loop&) = delete;

  void run() {
    for (std::size_t index = 0; index < tasks_.size(); ++index) {
      if (tasks_[index].done()) continue;
      ++running_;
      resume(index);
    }
    std::array<epoll_event, 256> events;
    while (running_ > 0) {
      int count = epoll_wait(epoll_, events.data(), events.size(), ms_to_next_deadline());
      if (count < 0 && errno != EINTR) throw_errno("epoll_wait");
      for (int e = 0; e < count; ++e) {
        auto index = static_cast<std::size_t>(events[e].data.u64);
        if (tasks_[index].done()) continue;
        wait& on = tasks_[index].value();
        if (on.interest == wait::fd_interest::none) continue;
        on.status = wait::state::ready;
        resume(index);
      }
      auto now = clock::now();
      while (!deadlines_.empty() && deadlines_.top().deadline <= now) {
        auto index = deadlines_.pop().task;
        if (tasks_[index].done()) continue;
        wait& on = tasks_[index].value();
        if (on.deadline > now) continue;  // the entry of a wait the socket ended first
        if (on.interest == wait::fd_interest::none) {
          on.status = wait::state::ready;
        } else {
          epoll_ctl(epoll_, EPOLL_CTL_DEL, on.fd, nullptr);
          on.status = wait::state::timed_out;
        }
        resume(index);
      }
    }
  }

 private:
  void resume(std::size_t index) {
    wait_generator& resumed = tasks_[index];
    if (!resumed.next()) {
      resumed = wait_generator{};
      --running_;
      return;
    }
    wait& on = resumed.value();
    on.status = wait::state::pending;
    if (on.interest != wait::fd_interest::none) watch(on, index);
    if (on.deadline != clock::time_point::max()) deadlines_.push({on.deadline, index});
  }

  void watch(const wait& on, std::size_t index) {
    epoll_event event{};
    event.events =
        (on.interest == wait::fd_interest::readable ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT;
    event.data.u64 = index;
    if (epoll_ctl(epoll_, EPOLL_CTL_MOD, on.fd, &event) == 0) return;
    if (errno == ENOENT && epoll_ctl(epoll_, EPOLL_CTL_ADD, on.fd, &event) == 0) return;
    if (errno == ENOSPC)
      throw ran_out("epoll_ctl", "no room for one more watch", machine_setting::epoll_watches);
    throw_errno("epoll_ctl");
  }

  int ms_to_next_deadline() const {
    if (deadlines_.empty()) return -1;
    auto left = deadlines_.top().deadline - clock::now();
    if (left <= clock::duration::zero()) return 0;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
  }

  std::span<wait_generator> tasks_;
  int epoll_;
  deadline_heap deadlines_;
  std::size_t running_ = 0;
};

}  // namespace

void run_when_ready(std::span<wait_generator> tasks) { epoll_loop(tasks).run(); }

// tag::round_robin[]
void run_round_robin(std::span<wait_generator> tasks) {
  std::size_t running = 0;
  auto resume = [&](wait_generator& resumed) {
    if (resumed.next()) return;
    resumed = wait_generator{};
    --running;
  };
  for (wait_generator& start : tasks) {
    if (start.done()) continue;
    ++running;
    resume(start);
  }
  while (running > 0) {
    for (wait_generator& next : tasks) {  // <1> everyone gets a turn, ready or not
      if (next.done()) continue;
      wait& on = next.value();
      bool late = clock::now() >= on.deadline;
      if (on.interest == wait::fd_interest::none && !late) continue;
      on.status = late && on.interest != wait::fd_interest::none ? wait::state::timed_out
                                                        : wait::state::ready;
      resume(next);  // <2> a socket task tries again: EAGAIN, yield, next turn
    }
  }
}
// end::round_robin[]

}  // namespace hammertime::models
