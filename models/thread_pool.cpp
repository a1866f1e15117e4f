// thread_pool: C worker threads from oneTBB, each blocking on its own keep-alive
// connection and taking the next item until none is left: the flags demo's
// ThreadPoolExecutor. The oneTBB plumbing lives in tbb_threads.hpp.
//
//   $ build/bin/hammertime run --workload flags --models thread_pool --concurrency 20
//   flags/thread_pool/C:20   ideal 199 items/s (measured runs: docs/results.md)
#include "models/pools/tbb_threads.hpp"
#include "models/wire/blocking_client.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

// tag::thread_pool[]
void run_thread_pool(const job& work, tally& counts) {
  if (work.items == 0) return;
  auto threads = tasks_in_flight(work);
  ticker_thread ticks(work);  // with --ticker: a thread of its own
  item_source items(work.items);
  run_on_tbb_threads(threads, [&] {          // <1> C threads, all at once
    auto connection = connection_for(work);  // <2> one keep-alive connection each
    for (std::size_t i; items.take(i);)
      count_blocking_item(work, connection, i, counts);  // <3> blocks; the others run
  });
}
// end::thread_pool[]
// chained items: fetch_chained, wire/blocking_client.cpp (tag::chained[])

}  // namespace

extern const model thread_pool_model{
    .name = "thread_pool",
    .label = "thread pool",
    .colour = "#E69F00",
    .how_it_waits = "C oneTBB worker threads, each blocking",
    .run = run_thread_pool,
    .family = model_family::blocking,
    .each_task_holds = task_holder::thread};

}  // namespace hammertime::models
