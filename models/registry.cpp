// The list of models, in the order every table shows them.
#include <array>

#include "model.hpp"

namespace hammertime::models {

void run_sequential(const job&, tally&);

std::span<const model> all_models() {
  static const std::array models{
      model{"sequential", "blocking socket, one item after another", run_sequential, 1},
  };
  return models;
}

}  // namespace hammertime::models
