// process_pool: C forked worker processes, the flags demo's ProcessPoolExecutor. The
// parent hands item indices to the workers over each one's pipe, two ahead, and reads
// back what each item came to; each worker blocks on its own keep-alive connection,
// built after the fork.
//
//   $ build/bin/hammertime child --model process_pool --workload flags --items 676 \
//       --concurrency 20 --delay-ms 100 --timeout-ms 5000 --port 8001
//   {"model":"process_pool",...,"wall_seconds":3.51,"ok":194,"not_found":482,"failed":0,...}
//
// 193 items/s of an ideal 199 (2 cores). Sleep at C = N = 1,000: ~2.9 s, most of it
// forking (3-12 ms a fork on the reference VM), 35 KiB of PSS per worker.
//
// A worker that dies (killed, crashed) turns the items it held into failed ones and
// the others carry on with the rest; if none is left, the rest are failed too. Forking
// and reaping the workers are inside the measured time, and their pages are charged
// to the run: the harness sums the PSS of the whole process tree.
#include <algorithm>
#include <optional>

#include "blocking_client.hpp"
#include "worker_processes.hpp"

namespace hammertime::models {
namespace {

// Items a worker holds at once: the one it runs and the next, already in its pipe, so
// that it never waits for the parent between two items.
constexpr std::size_t items_ahead = 2;

// What a worker sends back for one item.
struct item_done {
  std::uint64_t index = 0;
  std::uint64_t bytes = 0;
  std::int64_t latency_ns = 0;
  outcome result = outcome::failed;
};

// tag::worker[]
void serve_items(const job& work, int from_parent, int to_parent) {
  std::optional<blocking_client> client;  // <1> this worker's own connection
  if (work.kind == workload::flags) client.emplace(work);
  std::uint64_t index = 0;
  while (read_record(from_parent, &index, sizeof index)) {  // <2> until the pipe closes
    std::chrono::steady_clock::duration latency{};
    auto got = do_blocking_item(work, client ? &*client : nullptr, index, latency);
    item_done done{index, got.bytes,
                   std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count(),
                   got.result};
    if (!write_record(to_parent, &done, sizeof done)) return;
  }
}
// end::worker[]

}  // namespace

// tag::process_pool[]
void run_process_pool(const job& work, tally& counts) {
  if (work.items == 0) return;
  auto workers = tasks_in_flight(work);
  worker_processes pool(workers);
  std::size_t next_item = 0;
  auto hand_out = [&](worker_process& worker, std::size_t ahead) {  // <1> or "no more"
    while (worker.unanswered.size() < ahead && next_item < work.items &&
           pool.send(worker, next_item))
      ++next_item;
    if (next_item == work.items) pool.finish(worker);
  };
  auto serve = [&](int from_parent, int to_parent) { serve_items(work, from_parent, to_parent); };
  for (std::size_t w = 0; w < workers; ++w)
    hand_out(pool.fork_worker(serve), 1);  // <2> fork C, each at work while the next forks
  for (auto& worker : pool.workers()) hand_out(worker, items_ahead);

  while (pool.any_alive())
    for (worker_process* worker : pool.wait_ready()) {  // <3> poll every worker's pipe
      item_done done;
      if (pool.receive(*worker, &done, sizeof done)) {
        counts.count(done.result, done.bytes, std::chrono::nanoseconds(done.latency_ns));
        hand_out(*worker, items_ahead);
      } else {  // <4> the worker is gone: the items it held failed
        for (auto sent_at : worker->unanswered)
          counts.count(outcome::failed, 0, std::chrono::steady_clock::now() - sent_at);
        pool.bury(*worker);
      }
    }
  for (; next_item < work.items; ++next_item)  // <5> no worker left for these
    counts.count(outcome::failed, 0, {});
}
// end::process_pool[]

}  // namespace hammertime::models
