#include "readiness_loop.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>

#include "common/machine_limits.hpp"

namespace hammertime::models {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

readiness_loop::readiness_loop(std::size_t tasks) : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_ < 0) throw_errno("epoll_create1");
  deadlines_.reserve(tasks);
}

readiness_loop::~readiness_loop() { close(epoll_); }

void readiness_loop::arm(wait& on, std::size_t index) {
  on.status = wait::state::pending;
  if (on.deadline != clock::time_point::max()) deadlines_.push({on.deadline, index});
  if (on.interest == wait::fd_interest::none) return;
  epoll_event event{};
  event.events =
      (on.interest == wait::fd_interest::readable ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT;
  event.data.u64 = index;
  if (on.fd < 0) {
    errno = EBADF;
    throw_errno("epoll_ctl");
  }
  // A descriptor's first wait adds it to epoll, its later ones modify it: one call each.
  // The guess goes stale when a socket closes (epoll drops it) and its number comes back
  // for a new one; then the first call fails and the other one is made.
  auto fd = static_cast<std::size_t>(on.fd);
  if (fd >= added_.size()) added_.resize(fd + 1);
  bool added = added_[fd];
  if (epoll_ctl(epoll_, added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, on.fd, &event) == 0 ||
      ((errno == (added ? ENOENT : EEXIST)) &&
       epoll_ctl(epoll_, added ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, on.fd, &event) == 0)) {
    added_[fd] = true;
    return;
  }
  if (errno == ENOSPC)
    throw common::ran_out("epoll_ctl", "no room for one more watch",
                          common::machine_setting::epoll_watches);
  throw_errno("epoll_ctl");
}

int readiness_loop::wait_for_events() {
  int timeout_ms = -1;
  if (!deadlines_.empty()) {
    auto left = deadlines_.top().deadline - clock::now();
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    timeout_ms = static_cast<int>(std::clamp<decltype(ms)>(ms, 0, INT_MAX));
  }
  int count = epoll_wait(epoll_, events_.data(), events_.size(), timeout_ms);
  if (count < 0 && errno != EINTR) throw_errno("epoll_wait");
  return std::max(count, 0);
}

void readiness_loop::forget(int fd) noexcept {
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  added_[static_cast<std::size_t>(fd)] = false;
}

}  // namespace hammertime::models
