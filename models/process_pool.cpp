// process_pool: C forked worker processes, the flags demo's ProcessPoolExecutor. The
// parent hands out item indices over each worker's pipe, two ahead, and reads back
// what each came to; each worker blocks on its own keep-alive connection. A worker
// that dies fails the items it held; forking and reaping are inside the measured time.
//
//   $ build/bin/hammertime run --workload flags --models process_pool --concurrency 20
#include "models/pools/worker_pool.hpp"
#include "models/wire/blocking_client.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

// Items a worker holds at once: the one it runs and the next, already in its pipe, so
// that it never waits for the parent between two items.
constexpr std::size_t items_ahead = 2;

constexpr fetch_result failed{outcome::failed, 0};

// What a worker sends back for one item.
struct item_done {
  std::int64_t latency_ns = 0;
  std::uint64_t bytes = 0, checksum = 0;
  outcome result = outcome::failed;
};

// tag::worker[]
void serve_items(const job& work, int from_parent, int to_parent) {
  auto connection = connection_for(work);  // <1> this worker's own connection
  ticker_thread ticks(work);               // with --ticker: one on each worker
  std::uint64_t index = 0;
  while (read_record(from_parent, &index, sizeof index)) {  // <2> until the pipe closes
    auto done = time_blocking_item(work, connection, index);
    item_done record{std::chrono::nanoseconds(done.latency).count(), done.result.bytes,
                     done.result.checksum, done.result.outcome};
    if (!write_record(to_parent, &record, sizeof record)) return;
  }
}
// end::worker[]
// chained items: fetch_chained, wire/blocking_client.cpp (tag::chained[])

// tag::process_pool[]
void run_process_pool(const job& work, tally& counts) {
  if (work.items == 0) return;
  item_source items(work.items);
  worker_pool pool(tasks_in_flight(work));
  auto hand_out = [&](worker& to, std::size_t ahead) {  // <1> or say "no more"
    for (std::size_t i; to.unanswered.size() < ahead && items.take(i);)
      if (!pool.send(to, i)) return counts.count(failed, {});  // it died meanwhile
    if (to.unanswered.size() < ahead) pool.finish(to);
  };
  auto serve = [&](int from_parent, int to_parent) {
    serve_items(work, from_parent, to_parent);
  };
  for (std::size_t w = 0; w < tasks_in_flight(work); ++w)  // <2> fork C, each at work
    hand_out(pool.fork_worker(serve), 1);                  //     while the next forks
  for (auto& each : pool.workers()) hand_out(each, items_ahead);

  while (pool.any_alive())
    for (worker* ready : pool.wait_ready()) {  // <3> poll every worker's pipe
      if (item_done done; pool.receive(*ready, &done, sizeof done)) {
        counts.count({done.result, done.bytes, done.checksum},
                     std::chrono::nanoseconds(done.latency_ns));
        hand_out(*ready, items_ahead);
      } else {  // <4> the worker is gone: the items it held failed
        for (auto sent_at : ready->unanswered)
          counts.count(failed, clock::now() - sent_at);
        pool.bury(*ready);
      }
    }
  for (std::size_t i; items.take(i);) counts.count(failed, {});  // <5> no worker left
}
// end::process_pool[]

}  // namespace

extern const model process_pool_model{
    .name = "process_pool",
    .label = "process pool",
    .colour = "#56B4E9",
    .how_it_waits = "C forked worker processes, items and tallies over pipes",
    .run = run_process_pool,
    .family = model_family::blocking,
    .each_task_holds = task_holder::process};

}  // namespace hammertime::models
