// sequential: one item after another on a blocking socket. The baseline every other
// model is measured against: N items take N x delay.
//
//   $ build/bin/hammertime run --workload flags --models sequential --items 20 \
//       --delay 100ms --repetitions 1
//   flags/sequential/C:1   ideal 10.0 items/s (measured runs: docs/results.md)
#include "models/wire/blocking_client.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

// tag::sequential[]
void run_sequential(const job& work, tally& counts) {
  auto connection = connection_for(work);  // <1> one keep-alive connection
  ticker_thread ticks(work);               // with --ticker: a thread of its own
  item_source items(work.items);
  for (std::size_t i; items.take(i);)
    count_blocking_item(work, connection, i, counts);  // <2> blocks until it is done
}
// end::sequential[]
// chained items: fetch_chained, wire/blocking_client.cpp (tag::chained[])

}  // namespace

extern const model sequential_model{
    .name = "sequential",
    .label = "sequential",
    .colour = "#000000",
    .how_it_waits = "blocking socket, one item after another",
    .run = run_sequential,
    .family = model_family::blocking,
    .max_concurrency = 1};

}  // namespace hammertime::models
