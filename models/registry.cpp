// The list of models, in the order every table shows them.
#include <array>

#include "model.hpp"

namespace hammertime::models {

void run_sequential(const job&, tally&);
void run_thread_pool(const job&, tally&);
void run_process_pool(const job&, tally&);
void run_callbacks(const job&, tally&);
void run_generator_loop(const job&, tally&);
void run_generator_loop_busy(const job&, tally&);
void run_coroutines(const job&, tally&);

constexpr auto unbounded = std::numeric_limits<std::size_t>::max();

std::span<const model> all_models() {
  static const std::array models{
      model{"sequential", "blocking socket, one item after another", run_sequential, 1},
      model{"thread_pool", "C oneTBB worker threads, each blocking", run_thread_pool,
            unbounded, task_holder::thread},
      model{"process_pool", "C forked worker processes, items and tallies over pipes",
            run_process_pool, unbounded, task_holder::process},
      model{"callbacks", "completion handlers chained on one event loop", run_callbacks},
      model{"generator_loop", "hand-written generators co_yield their waits to an epoll loop",
            run_generator_loop},
      model{"generator_loop_busy", "the same generators, resumed round-robin (busy polling)",
            run_generator_loop_busy},
      model{"coroutines", "co_await on Boost.Asio, one event loop", run_coroutines},
  };
  return models;
}

}  // namespace hammertime::models
