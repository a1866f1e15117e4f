// A toy model, added from this one file: a std::thread per task, each blocking on its
// own keep-alive connection. It stands for a new row: its descriptor and the line
// that adds it are all a model needs to be listed, selected, run and coloured.
#include <thread>
#include <vector>

#include "models/model.hpp"
#include "models/wire/blocking_client.hpp"

namespace hammertime::models {
namespace {

void run_toy_threads(const job& work, tally& counts) {
  item_source items(work.items);
  std::vector<std::jthread> threads;
  for (std::size_t t = 0; t < tasks_in_flight(work); ++t)
    threads.emplace_back([&] {
      auto connection = connection_for(work);
      for (std::size_t i; items.take(i);)
        count_blocking_item(work, connection, i, counts);
    });
}

const model toy_threads_model{.name = "toy_threads",
                              .label = "toy threads",
                              .colour = "#123456",
                              .how_it_waits = "a std::thread per task, each blocking",
                              .run = run_toy_threads,
                              .family = model_family::blocking,
                              .each_task_holds = task_holder::thread};

const bool toy_added = add_model(toy_threads_model);

}  // namespace
}  // namespace hammertime::models
