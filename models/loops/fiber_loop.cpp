#include "fiber_loop.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace hammertime::models {

#if defined(__SANITIZE_ADDRESS__)
namespace {

// Tells ASan the stack is about to change (to [bottom, bottom + size)) and, when
// `fake_stack` is null, that the stack we leave will not run again.
void starting_switch(void** fake_stack, const void* bottom, std::size_t size) {
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
}

const void* bottom_of(const boost::context::stack_context& stack) {
  return static_cast<const char*>(stack.sp) - stack.size;
}

}  // namespace
#endif

fiber_loop::fiber_loop(fiber_stack_pool& stacks, std::size_t fibers)
    : stacks_(stacks), ready_(fibers) {
  slots_.reserve(fibers);
}

// A parked fiber is unwound (Boost.Context throws forced_unwind in it), a fiber that
// never ran is started to end at once: either way its locals are destroyed and its
// stack goes back to the pool.
fiber_loop::~fiber_loop() {
  abandoned_ = true;
  for (std::size_t index = 0; index < slots_.size(); ++index) {
    slot& left = slots_[index];
    if (!left.fiber) continue;
    if (index >= started_) {
      ++running_;
      resume(index);
      continue;
    }
#if defined(__SANITIZE_ADDRESS__)
    starting_switch(&loop_fake_stack_, bottom_of(left.stack), left.stack.size);
#endif
    left.fiber = boost::context::fiber{};
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(loop_fake_stack_, nullptr, nullptr);
#endif
  }
}

void fiber_loop::run() {
  for (; started_ < slots_.size(); ++started_) {
    ++running_;
    resume(started_);
  }
  auto wait_of = [this](std::size_t index) -> wait* {
    return slots_[index].fiber ? &slots_[index].on : nullptr;
  };
  while (running_ > 0)
    ready_.resume_due(wait_of, [this](std::size_t index) { resume(index); });
}

void fiber_loop::resume(std::size_t index) {
  current_ = index;
  slot& next = slots_[index];
#if defined(__SANITIZE_ADDRESS__)
  starting_switch(&loop_fake_stack_, bottom_of(next.stack), next.stack.size);
#endif
  next.fiber = std::move(next.fiber).resume();  // until it parks or ends
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_finish_switch_fiber(loop_fake_stack_, nullptr, nullptr);
#endif
  if (!next.fiber) --running_;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

bool fiber_loop::park(wait on) {
  auto index = current_;
  slots_[index].on = on;
  ready_.arm(slots_[index].on, index);
  switch_to_loop();
  return !slots_[index].on.timed_out();
}

void fiber_loop::switch_to_loop() {
#if defined(__SANITIZE_ADDRESS__)
  // Back here either resumed or unwound (the loop destroys a parked fiber): either way
  // the switch onto this stack ends here.
  struct back_on_this_stack {
    fiber_loop& loop;
    void* fake_stack = nullptr;
    ~back_on_this_stack() {
      __sanitizer_finish_switch_fiber(fake_stack, &loop.loop_stack_bottom_,
                                      &loop.loop_stack_size_);
    }
  } back{*this};
  starting_switch(&back.fake_stack, loop_stack_bottom_, loop_stack_size_);
#endif
  loop_ = std::move(loop_).resume();
}

void fiber_loop::entered_fiber() noexcept {
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_finish_switch_fiber(nullptr, &loop_stack_bottom_, &loop_stack_size_);
#endif
}

void fiber_loop::leaving_fiber_for_good() noexcept {
#if defined(__SANITIZE_ADDRESS__)
  starting_switch(nullptr, loop_stack_bottom_, loop_stack_size_);
#endif
}

}  // namespace hammertime::models
