// executor_bridge: asyncio's run_in_executor. C coroutines on one Asio loop; each hands
// its item's blocking request (the sequential model's client) to a pool of B threads
// and co_awaits the answer back on the loop, so min(C, B) requests wait at once.
//
//   $ build/bin/hammertime run --workload flags --models executor_bridge \
//       --bridge-threads 30 --delay 500ms        # ideal: 676 items in 23 rounds
#include <boost/asio.hpp>

#include "models/loops/asio_ticker.hpp"
#include "models/loops/run_in_executor.hpp"
#include "models/wire/blocking_client.hpp"

namespace hammertime::models {
namespace {

namespace asio = boost::asio;
template <typename T>
using awaitable = asio::awaitable<T, asio::io_context::executor_type>;

struct bridge_run_state {
  const job& work;
  tally& counts;
  item_source items;
  asio::thread_pool& pool;
};

// An item's latency starts when a pool thread takes it, as every other row's starts when
// its worker takes the item: the wait for a free thread is the bridge's queue, not the
// item's latency. It ends back on the loop.
struct taken_result {
  fetch_result result;
  clock::time_point taken;
};

// What a pool thread does for one item: a blocking call on that thread's own
// keep-alive connection, made on its first item and closed when the pool joins.
taken_result blocking_item(const job& work, std::size_t index) {
  thread_local blocking_connection connection = connection_for(work);
  auto taken = clock::now();
  return {time_blocking_item(work, connection, index).result, taken};
}

// tag::chained[]
// One GET on a pool thread's own connection, co_awaited back on the loop.
auto get_in_executor(bridge_run_state& run, std::string target) {
  return run_in_executor(
      run.pool,
      [&work = run.work, target] {
        thread_local blocking_connection connection = connection_for(work);
        auto taken = clock::now();
        return taken_result{connection->get(target), taken};
      },
      asio::deferred);
}

// The item's latency starts when a pool thread takes its first call.
awaitable<taken_result> fetch_chained(bridge_run_state& run, std::size_t i) {
  auto metadata = co_await get_in_executor(run, metadata_target(i, run.work.delay));
  if (metadata.result.outcome != outcome::ok) co_return metadata;  // no country, no flag
  auto flag = co_await get_in_executor(run, flag_target(i, run.work.delay));
  co_return taken_result{chain(metadata.result, flag.result), metadata.taken};
}
// end::chained[]

// tag::executor_bridge[]
awaitable<void> bridge_items(bridge_run_state& run) {
  for (std::size_t i; run.items.take(i);) {
    if (run.work.kind == workload::chained) {
      auto done = co_await fetch_chained(run, i);
      run.counts.count(done.result, clock::now() - done.taken);
      continue;
    }
    // <1> the loop goes on while a thread blocks; <2> the item runs on a pool thread,
    // and its latency starts there
    auto done = co_await run_in_executor(
        run.pool, [&work = run.work, i] { return blocking_item(work, i); },
        asio::deferred);
    run.counts.count(done.result, clock::now() - done.taken);  // <3> back on the loop
  }
}
// end::executor_bridge[]
// <2> the hammer's CPU work on the body runs there too, on the pool thread, as
//     run_in_executor's users would put it: it is what the executor is for.

std::size_t requests_at_once(const job& work) {
  return std::min(tasks_in_flight(work), work.bridge_threads);
}

// B threads, whatever C is; each opens its own connection.
machine_needs b_threads_each_with_a_connection(const job& work) {
  if (work.items == 0) return {};
  auto connections = uses_server(work.kind) ? work.bridge_threads : 0;
  return {.open_files = connections,
          .connections = connections,
          .threads = work.bridge_threads};
}

void run_executor_bridge(const job& work, tally& counts) {
  if (work.items == 0) return;
  asio::io_context loop{1};
  asio::thread_pool pool(
      work.bridge_threads);  // <3> B threads, joined before the clock stops
  bridge_run_state run{work, counts, item_source(work.items), pool};
  for (std::size_t t = 0; t < tasks_in_flight(work); ++t)
    asio::co_spawn(loop, bridge_items(run), [](std::exception_ptr error) {
      if (error) std::rethrow_exception(error);
    });
  if (has_ticker(work))  // the ticker runs on the bridge's loop
    asio::co_spawn(loop, tick_on_loop(work, counts), [](std::exception_ptr error) {
      if (error) std::rethrow_exception(error);
    });
  loop.run();
  pool.join();
}

}  // namespace

extern const model executor_bridge_model{
    .name = "executor_bridge",
    .label = "executor bridge",
    .colour = "#999999",
    .how_it_waits = "a coroutine loop hands each blocking request to B threads",
    .run = run_executor_bridge,
    .family = model_family::blocking,
    .each_task_holds = task_holder::thread,
    .knobs = uses_bridge_threads,
    .waits_at_once = requests_at_once,
    .needs = b_threads_each_with_a_connection};

}  // namespace hammertime::models
