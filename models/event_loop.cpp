#include "event_loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <system_error>
#include <vector>

#include "model.hpp"
#include "timer_heap.hpp"

namespace hammertime::models {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Each socket wait arms the fd once (EPOLLONESHOT): an event resumes exactly one wait.
class epoll_loop {
 public:
  explicit epoll_loop(std::span<task> tasks)
      : tasks_(tasks), epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_ < 0) throw_errno("epoll_create1");
    timers_.reserve(tasks.size());
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
        if (on.on == wait::interest::none) continue;
        on.result = wait::status::ready;
        resume(index);
      }
      auto now = loop_clock::now();
      while (!timers_.empty() && timers_.top().deadline <= now) {
        auto index = timers_.pop().task;
        if (tasks_[index].done()) continue;
        wait& on = tasks_[index].value();
        if (on.deadline > now) continue;  // the entry of a wait the socket ended first
        if (on.on == wait::interest::none) {
          on.result = wait::status::ready;
        } else {
          epoll_ctl(epoll_, EPOLL_CTL_DEL, on.fd, nullptr);
          on.result = wait::status::timed_out;
        }
        resume(index);
      }
    }
  }

 private:
  void resume(std::size_t index) {
    task& resumed = tasks_[index];
    if (!resumed.next()) {
      resumed = task{};
      --running_;
      return;
    }
    wait& on = resumed.value();
    on.result = wait::status::pending;
    if (on.on != wait::interest::none) watch(on, index);
    if (on.deadline != loop_clock::time_point::max()) timers_.push({on.deadline, index});
  }

  void watch(const wait& on, std::size_t index) {
    epoll_event event{};
    event.events =
        (on.on == wait::interest::readable ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT;
    event.data.u64 = index;
    if (epoll_ctl(epoll_, EPOLL_CTL_MOD, on.fd, &event) == 0) return;
    if (errno == ENOENT && epoll_ctl(epoll_, EPOLL_CTL_ADD, on.fd, &event) == 0) return;
    if (errno == ENOSPC)
      throw machine_limit("epoll watches (fs.epoll.max_user_watches): raise the sysctl");
    throw_errno("epoll_ctl");
  }

  int ms_to_next_deadline() const {
    if (timers_.empty()) return -1;
    auto left = timers_.top().deadline - loop_clock::now();
    if (left <= loop_clock::duration::zero()) return 0;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
  }

  std::span<task> tasks_;
  int epoll_;
  timer_heap timers_;
  std::size_t running_ = 0;
};

}  // namespace

void run_when_ready(std::span<task> tasks) { epoll_loop(tasks).run(); }

// tag::round_robin[]
void run_round_robin(std::span<task> tasks) {
  std::size_t running = 0;
  auto resume = [&](task& resumed) {
    if (resumed.next()) return;
    resumed = task{};
    --running;
  };
  for (task& start : tasks) {
    if (start.done()) continue;
    ++running;
    resume(start);
  }
  while (running > 0) {
    for (task& next : tasks) {  // <1> everyone gets a turn, ready or not
      if (next.done()) continue;
      wait& on = next.value();
      bool late = loop_clock::now() >= on.deadline;
      if (on.on == wait::interest::none && !late) continue;
      on.result = late && on.on != wait::interest::none ? wait::status::timed_out
                                                        : wait::status::ready;
      resume(next);  // <2> a socket task tries again: EAGAIN, yield, next turn
    }
  }
}
// end::round_robin[]

}  // namespace hammertime::models
