#include "fiber_loop.hpp"

namespace hammertime::models {

fiber_loop::fiber_loop(fiber_stack_pool& stacks, std::size_t fibers)
    : stacks_(stacks), ready_(fibers) {
  slots_.reserve(fibers);
}

fiber_loop::~fiber_loop() = default;

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
  slots_[index].fiber =
      std::move(slots_[index].fiber).resume();  // until it parks or ends
  if (!slots_[index].fiber) --running_;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

bool fiber_loop::park(wait on) {
  auto index = current_;
  slots_[index].on = on;
  ready_.arm(slots_[index].on, index);
  switch_to_loop();
  return !slots_[index].on.timed_out();
}

void fiber_loop::switch_to_loop() { loop_ = std::move(loop_).resume(); }

}  // namespace hammertime::models
