#include "uring_loop.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

namespace hammertime::models {
namespace {

constexpr unsigned start_batch = 64;  // submission entries

machine_limit refused(int error) {
  std::string why = error == -ENOMEM
                        ? "no locked memory left for the ring: raise RLIMIT_MEMLOCK "
                          "(ulimit -l) or use a kernel >= 5.12"
                        : "io_uring is refused by this kernel or sandbox "
                          "(kernel.io_uring_disabled / seccomp)";
  return machine_limit("io_uring: " + why + " (" + std::strerror(-error) + ")");
}

}  // namespace

uring_loop::uring_loop(unsigned submission_entries, unsigned completion_entries) {
  io_uring_params params{};
  // Completions overflowing the completion ring are kept by the kernel (NODROP) and
  // reaped later; SUBMIT_ALL goes on past a submission that fails.
  params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL |
                 IORING_SETUP_COOP_TASKRUN;
  params.cq_entries = completion_entries;
  int error = io_uring_queue_init_params(submission_entries, &ring_, &params);
  if (error == -EINVAL) {  // a kernel older than 5.19 knows fewer flags
    params = {};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
    params.cq_entries = completion_entries;
    error = io_uring_queue_init_params(submission_entries, &ring_, &params);
  }
  if (error < 0) throw refused(error);
  if (!(params.features & IORING_FEAT_NODROP)) {
    io_uring_queue_exit(&ring_);
    throw machine_limit("io_uring: this kernel drops completions on overflow (< 5.5)");
  }
}

uring_loop::~uring_loop() { io_uring_queue_exit(&ring_); }

__kernel_timespec detail::to_timespec(clock::time_point when) noexcept {
  // steady_clock is CLOCK_MONOTONIC, the clock io_uring's timeouts run on.
  auto nanoseconds =
      std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch())
          .count();
  if (nanoseconds < 0) nanoseconds = 0;
  return {.tv_sec = nanoseconds / 1'000'000'000, .tv_nsec = nanoseconds % 1'000'000'000};
}

io_uring_sqe* uring_loop::next_sqes(unsigned count) {
  while (io_uring_sq_space_left(&ring_) < count) submit_and_wait(0);
  ++in_flight_;
  return io_uring_get_sqe(&ring_);
}

void uring_loop::submit_and_wait(unsigned completions) {
  for (;;) {
    int submitted = io_uring_submit_and_wait(&ring_, completions);
    if (submitted >= 0 || submitted == -EINTR || submitted == -ETIME) return;
    // -EBUSY, -EAGAIN: the kernel wants its completions reaped (or memory) first;
    // entering with GETEVENTS flushes the overflowed ones into the ring.
    if (submitted != -EBUSY && submitted != -EAGAIN)
      throw std::runtime_error(std::string("io_uring_submit: ") +
                               std::strerror(-submitted));
    io_uring_get_events(&ring_);
    if (io_uring_cq_ready(&ring_) > 0 && completions > 0) return;
  }
}

void uring_loop::reap() {
  std::array<io_uring_cqe*, 256> cqes;
  std::array<completion*, 256> ready;
  while (unsigned count = io_uring_peek_batch_cqe(&ring_, cqes.data(), cqes.size())) {
    std::size_t waiting = 0;
    for (unsigned i = 0; i < count; ++i) {
      auto* done = static_cast<completion*>(io_uring_cqe_get_data(cqes[i]));
      if (done == nullptr) continue;  // a linked timeout's own completion
      done->result = cqes[i]->res;
      ready[waiting++] = done;
    }
    io_uring_cq_advance(&ring_, count);
    in_flight_ -= waiting;
    // Resumed tasks queue their next operations; they go out with the next submit.
    for (std::size_t i = 0; i < waiting; ++i)
      std::coroutine_handle<>::from_address(ready[i]->waiter).resume();
  }
}

void uring_loop::run(std::span<uring_task<>> tasks) {
  // Started tasks go to the kernel a batch at a time, and the first ones go on (a
  // connect done, a request sent) while the rest start.
  for (auto& task : tasks) {
    task.start();
    if (io_uring_sq_ready(&ring_) >= start_batch) {
      submit_and_wait(0);
      reap();
    }
  }
  while (in_flight_ > 0) {
    submit_and_wait(1);
    reap();
  }
  for (auto& task : tasks) task.result();
}

}  // namespace hammertime::models
