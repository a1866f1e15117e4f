// The fibers model's scheduler: stackful fibers (Boost.Context) on one epoll loop, the
// gevent idea. A fiber runs plain, blocking-looking code; where a call would block it
// parks on a `wait` (a socket readable or writable, a deadline) and the loop resumes
// it once that wait is over (readiness_loop.hpp, shared with the generator loop).
//
//   fiber_stack_pool stacks(64 * 1024);
//   fiber_loop loop(stacks);
//   loop.spawn([&] { loop.sleep_until(clock::now() + 100ms); });
//   loop.run();  // returns when every fiber ended
#pragma once

#include <boost/context/fiber.hpp>
#include <boost/context/preallocated.hpp>
#include <cstddef>
#include <exception>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "fiber_stack_pool.hpp"
#include "generator_scheduler.hpp"
#include "readiness_loop.hpp"

namespace hammertime::models {

class fiber_loop {
 public:
  // `fibers`: how many will be spawned, to reserve room up front (a hint).
  explicit fiber_loop(fiber_stack_pool& stacks, std::size_t fibers = 0);
  ~fiber_loop();  // ends the fibers that did not end: their stacks go back
  fiber_loop(const fiber_loop&) = delete;
  fiber_loop& operator=(const fiber_loop&) = delete;

  // A fiber that runs task() on a stack of the pool, from the next run() on.
  template <typename Task>
  void spawn(Task task);

  // Runs every fiber until it ends. A fiber's exception comes out of run() (the rest
  // are left parked, for the destructor to unwind).
  void run();

  // From inside a fiber: parks it until `on` is over. False: the deadline passed first.
  bool park(wait on);
  bool readable(int fd, clock::time_point deadline) {
    return park(wait::until(deadline).readable(fd));
  }
  bool writable(int fd, clock::time_point deadline) {
    return park(wait::until(deadline).writable(fd));
  }
  void sleep_until(clock::time_point deadline) { park(wait::until(deadline)); }

  std::size_t running() const noexcept { return running_; }

  // A receive buffer for the running fiber, shared by all: nothing is left in it when
  // a fiber parks, and so its pages are not kept on every fiber's stack.
  std::span<char> scratch() noexcept { return scratch_; }

 private:
  struct slot {
    boost::context::fiber fiber;
    wait on;  // what the parked fiber waits for
#if defined(__SANITIZE_ADDRESS__)
    boost::context::stack_context stack;  // ASan must be told of each switch of stack
#endif
  };

  void resume(std::size_t index);
  void switch_to_loop();
  template <typename Task>
  void run_task(Task& task);
  // AddressSanitizer's fiber API around the switches Boost.Context makes (its fcontext
  // switches do not tell ASan); no-ops in other builds.
  void entered_fiber() noexcept;
  void leaving_fiber_for_good() noexcept;

  fiber_stack_pool& stacks_;
  readiness_loop ready_;
  boost::context::fiber loop_;  // the loop, while a fiber runs: where park() goes
  std::size_t current_ = 0;     // the running fiber
  std::size_t started_ = 0;
  std::size_t running_ = 0;
  bool abandoned_ = false;  // the loop is going: a fiber that never ran skips its task
  std::exception_ptr failure_;
  std::vector<char> scratch_ = std::vector<char>(32 * 1024);
  std::vector<slot> slots_;
#if defined(__SANITIZE_ADDRESS__)
  void* loop_fake_stack_ = nullptr;
  const void* loop_stack_bottom_ = nullptr;
  std::size_t loop_stack_size_ = 0;
#endif
};

template <typename Task>
void fiber_loop::run_task(Task& task) {
  try {
    if (!abandoned_) task();
  } catch (const boost::context::detail::forced_unwind&) {
    leaving_fiber_for_good();
    throw;  // the fiber is being destroyed: Boost.Context unwinds its stack
  } catch (...) {
    failure_ = std::current_exception();
  }
}

template <typename Task>
void fiber_loop::spawn(Task task) {
  auto entry = [this, task = std::move(task)](boost::context::fiber&& loop) mutable {
    loop_ = std::move(loop);
    entered_fiber();
    run_task(task);
    leaving_fiber_for_good();
    return std::move(loop_);
  };
  auto stack = stacks_.allocate();  // the fiber's record goes on top of its own stack
  boost::context::preallocated on_top(stack.sp, stack.size, stack);
  slots_.push_back(slot{boost::context::fiber(std::allocator_arg, on_top,
                                              stacks_.allocator(), std::move(entry))});
#if defined(__SANITIZE_ADDRESS__)
  slots_.back().stack = stack;
#endif
}

}  // namespace hammertime::models
