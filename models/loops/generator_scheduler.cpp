#include "generator_scheduler.hpp"

#include "readiness_loop.hpp"

namespace hammertime::models {

void run_when_ready(std::span<wait_generator> tasks) {
  readiness_loop ready(tasks.size());
  std::size_t running = 0;
  auto resume = [&](std::size_t index) {
    wait_generator& resumed = tasks[index];
    if (!resumed.next()) {
      resumed = wait_generator{};
      --running;
      return;
    }
    ready.arm(resumed.value(), index);
  };
  auto wait_of = [&](std::size_t index) -> wait* {
    return tasks[index].done() ? nullptr : &tasks[index].value();
  };
  for (std::size_t index = 0; index < tasks.size(); ++index) {
    if (tasks[index].done()) continue;
    ++running;
    resume(index);
  }
  while (running > 0) ready.resume_due(wait_of, resume);
}

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
