// Every model, one line each, in the order the tables show them. A model's own file
// defines its description: `extern const model NAME_model{"NAME", ...};`.
#include <array>

#include "model.hpp"

#define HAMMERTIME_EACH_MODEL(M) \
  M(sequential)                  \
  M(thread_pool)                 \
  M(process_pool)                \
  M(callbacks)                   \
  M(generator_loop)              \
  M(generator_loop_busy)         \
  M(coroutines)                  \
  M(fibers)                      \
  M(io_uring)                    \
  M(executor_bridge)

namespace hammertime::models {

#define HAMMERTIME_DECLARE(name) extern const model name##_model;
HAMMERTIME_EACH_MODEL(HAMMERTIME_DECLARE)

std::span<const model> all_models() {
#define HAMMERTIME_LIST(name) name##_model,
  static const std::array models{HAMMERTIME_EACH_MODEL(HAMMERTIME_LIST)};
  return models;
}

}  // namespace hammertime::models
