// uring_loop: one io_uring, and the operations a uring_task co_awaits on it. A task
// does not wait for a socket to be *ready* (epoll) but for its operation to be *done*:
// the kernel connects, sends, receives and sleeps, and each completion resumes the
// task that asked for it.
//
//   int got = co_await loop.recv(fd, buffer, deadline);  // bytes, 0 at the end, or
//   -errno co_await loop.sleep_until(deadline);                 // -ETIME once it passed
//
// Submissions queue up in the submission ring and go to the kernel in batches (when the
// loop waits, or when the ring is full); completions are reaped in batches. A socket
// operation carries a linked timeout at its deadline (IOSQE_IO_LINK): whichever ends
// first cancels the other, and the operation then completes with -ECANCELED.
#pragma once

#include <liburing.h>

#include <coroutine>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>

#include "model.hpp"
#include "uring_task.hpp"
#include "wire.hpp"

namespace hammertime::models {

namespace detail {

// What a completion resumes: the awaiting coroutine, and the result it will read.
struct uring_completion {
  std::coroutine_handle<> waiter;
  int result = 0;
};

// The awaiter of one operation: what the kernel answered (cqe->res) comes back. It
// lives in the awaiting coroutine's frame until the completion, so the kernel may point
// into it (the deadline of a timeout); `prepare` fills the submission entries.
template <typename Prepare>
class [[nodiscard]] uring_operation {
 public:
  explicit uring_operation(Prepare prepare) : prepare_(std::move(prepare)) {}

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter) {
    done_.waiter = waiter;
    prepare_(&done_);
  }
  int await_resume() const noexcept { return done_.result; }

 private:
  Prepare prepare_;
  uring_completion done_;
};

}  // namespace detail

class uring_loop {
  // The operation, linked to a timeout at `deadline` that cancels it.
  template <typename Prepare>
  auto linked(clock::time_point deadline, Prepare prepare) {
    return detail::uring_operation{
        [this, prepare, ts = to_timespec(deadline)](void* done) mutable {
          io_uring_sqe* sqe = next_sqes(2);
          prepare(sqe);
          sqe->flags |= IOSQE_IO_LINK;
          io_uring_sqe_set_data(sqe, done);
          io_uring_sqe* timer = io_uring_get_sqe(&ring_);
          io_uring_prep_link_timeout(timer, &ts, IORING_TIMEOUT_ABS);
          io_uring_sqe_set_data(timer, nullptr);  // its completion resumes nobody
        }};
  }

 public:
  // Throws machine_limit when the kernel or a sandbox refuses io_uring, or when the
  // ring does not fit in the locked-memory limit (RLIMIT_MEMLOCK, older kernels).
  explicit uring_loop(unsigned submission_entries = 4096,
                      unsigned completion_entries = 65536);
  ~uring_loop();
  uring_loop(const uring_loop&) = delete;
  uring_loop& operator=(const uring_loop&) = delete;

  auto sleep_until(clock::time_point deadline) {
    return detail::uring_operation{
        [this, ts = to_timespec(deadline)](void* done) mutable {
          io_uring_sqe* sqe = next_sqes(1);
          io_uring_prep_timeout(sqe, &ts, 0, IORING_TIMEOUT_ABS);
          io_uring_sqe_set_data(sqe, done);
        }};
  }
  auto nop() {
    return detail::uring_operation{[this](void* done) {
      io_uring_sqe* sqe = next_sqes(1);
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data(sqe, done);
    }};
  }
  auto connect(int fd, const socket_address& server, clock::time_point deadline) {
    return linked(deadline, [fd, &server](io_uring_sqe* sqe) {
      io_uring_prep_connect(sqe, fd, reinterpret_cast<const sockaddr*>(&server.storage),
                            server.length);
    });
  }
  auto send(int fd, std::string_view bytes, clock::time_point deadline) {
    return linked(deadline, [fd, bytes](io_uring_sqe* sqe) {
      io_uring_prep_send(sqe, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    });
  }
  auto recv(int fd, std::span<char> buffer, clock::time_point deadline) {
    return linked(deadline, [fd, buffer](io_uring_sqe* sqe) {
      io_uring_prep_recv(sqe, fd, buffer.data(), buffer.size(), 0);
    });
  }

  // Starts every task, then submits and reaps until no operation is left in flight.
  // Each task's exception, if it threw one, comes out here (the first one) once all
  // the others have ended.
  void run(std::span<uring_task<>> tasks);

  // Operations submitted or queued whose completion has not been reaped yet.
  std::size_t in_flight() const noexcept { return in_flight_; }

  static __kernel_timespec to_timespec(clock::time_point when) noexcept;

 private:
  // `count` free submission entries in a row (the ring is submitted first when full),
  // the first of which is returned; counts one more operation in flight.
  io_uring_sqe* next_sqes(unsigned count);
  void submit_and_wait(unsigned completions);
  void reap();

  io_uring ring_{};
  std::size_t in_flight_ = 0;
};

}  // namespace hammertime::models
