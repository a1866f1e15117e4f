// Every model, one line each, in the order the tables show them. A model's own file
// defines its descriptor: `extern const model NAME_model{.name = "NAME", ...};`.
#include <vector>

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

namespace {

// The registry's models, then those add_model added before main.
std::vector<model>& model_table() {
#define HAMMERTIME_LIST(name) name##_model,
  static std::vector<model> models{HAMMERTIME_EACH_MODEL(HAMMERTIME_LIST)};
  return models;
}

}  // namespace

std::span<const model> all_models() { return model_table(); }

bool add_model(const model& extra) {
  model_table().push_back(extra);
  return true;
}

}  // namespace hammertime::models
