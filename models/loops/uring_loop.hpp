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
#include <unistd.h>

#include <coroutine>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/model.hpp"
#include "models/wire/wire.hpp"
#include "uring_task.hpp"

namespace hammertime::models {

class uring_loop;

namespace detail {

__kernel_timespec to_timespec(clock::time_point when) noexcept;

// What a completion resumes: the awaiting coroutine, and the result it will read. Each
// pair shares its bytes (a million sleeping tasks hold one each): the loop is needed
// only until the task suspends, and the kernel reads the deadline when the entry is
// submitted and writes the result once the operation is done.
struct uring_completion {
  union {
    uring_loop* loop;
    void* waiter;  // std::coroutine_handle<>::address()
  };
  union {
    __kernel_timespec deadline;
    int result;
  };
};

// The awaiter of one operation: what the kernel answered (cqe->res) comes back. It
// lives in the awaiting coroutine's frame until the completion, so the kernel may point
// into it (the deadline); `prepare` fills the submission entries.
template <typename Prepare>
class [[nodiscard]] uring_operation {
 public:
  uring_operation(uring_loop& loop, Prepare prepare, clock::time_point deadline = {})
      : prepare_(std::move(prepare)) {
    done_.loop = &loop;
    done_.deadline = to_timespec(deadline);
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter) {
    uring_loop& loop = *done_.loop;
    done_.waiter = waiter.address();
    prepare_(loop, &done_);
  }
  int await_resume() const noexcept { return done_.result; }

 private:
  [[no_unique_address]] Prepare prepare_;  // the sleep's and the no-op's: empty
  uring_completion done_;
};

}  // namespace detail

class uring_loop {
  using completion = detail::uring_completion;

  // The operation, linked to a timeout at `deadline` that cancels it.
  template <typename Prepare>
  auto linked(clock::time_point deadline, Prepare prepare) {
    auto both = [prepare](uring_loop& loop, completion* done) {
      io_uring_sqe* sqe = loop.next_sqes(2);
      prepare(sqe);
      sqe->flags |= IOSQE_IO_LINK;
      io_uring_sqe_set_data(sqe, done);
      io_uring_sqe* timer = io_uring_get_sqe(&loop.ring_);
      io_uring_prep_link_timeout(timer, &done->deadline, IORING_TIMEOUT_ABS);
      io_uring_sqe_set_data(timer, nullptr);  // its completion resumes nobody
    };
    return detail::uring_operation{*this, both, deadline};
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
    auto timeout = [](uring_loop& loop, completion* done) {
      io_uring_sqe* sqe = loop.next_sqes(1);
      io_uring_prep_timeout(sqe, &done->deadline, 0, IORING_TIMEOUT_ABS);
      io_uring_sqe_set_data(sqe, done);
    };
    return detail::uring_operation{*this, timeout, deadline};
  }
  auto nop() {
    auto nothing = [](uring_loop& loop, completion* done) {
      io_uring_sqe* sqe = loop.next_sqes(1);
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data(sqe, done);
    };
    return detail::uring_operation{*this, nothing};
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

 private:
  // `count` free submission entries in a row (the ring is submitted first when full),
  // the first of which is returned; counts one more operation in flight.
  io_uring_sqe* next_sqes(unsigned count);
  void submit_and_wait(unsigned completions);
  void reap();

  io_uring ring_{};
  std::size_t in_flight_ = 0;
};

// One io_uring task's keep-alive connection: the socket, the bytes the parser left, a
// buffer the kernel receives into (it must outlive each recv).
struct uring_connection {
  int fd = -1;
  std::string unparsed;
  std::vector<char> buffer = std::vector<char>(16 * 1024);

  ~uring_connection() { close(); }
  void close() noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
    unparsed.clear();
  }
};

}  // namespace hammertime::models
