// The executor bridge: C coroutines hand blocking requests to B threads, so at most B
// requests wait at once, whatever C is; the family suite and the fault matrix check
// its tallies, refusals and timeouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "model_runs.hpp"
#include "models/model.hpp"
#include "scripted_server.hpp"

namespace hammertime::models {
namespace {

using namespace std::chrono_literals;

const run_function run_executor_bridge = find_model("executor_bridge")->run;

TEST(executor_bridge, never_has_more_than_b_requests_at_the_server_at_once) {
  std::atomic<int> waiting{0}, most{0};
  testing::scripted_server server([&](int connection) {
    while (testing::read_request(connection)) {
      int now = ++waiting;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(50ms);
      --waiting;
      testing::send_all(connection,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
  });
  auto work = flags_job(server.port(), 24, 24);
  work.bridge_threads = 4;
  tally counts(work.items);
  run_executor_bridge(work, counts);
  EXPECT_EQ(counts.not_found(), 24u);
  EXPECT_EQ(most.load(), 4);  // B at once: never more, and the pool is used in full
}

TEST(executor_bridge, sleeps_wait_in_rounds_of_b_and_the_ideal_says_so) {
  auto work = sleep_job(8, 8, 100ms);
  work.bridge_threads = 2;
  EXPECT_EQ(waits_at_once(*find_model("executor_bridge"), work), 2u);
  tally counts(work.items);
  auto started = std::chrono::steady_clock::now();
  run_executor_bridge(work, counts);
  auto wall = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(counts.ok(), 8u);
  EXPECT_GE(wall, 4 * 100ms);  // 8 items, 2 at a time: four delays
  EXPECT_LT(wall, 4 * 100ms + 3s);
  ASSERT_EQ(counts.latencies_ms().size(), 8u);
  // Each item's latency starts when a pool thread takes it, not at hand-off: the last
  // round waited three delays for a thread, yet its items each took one delay.
  for (float ms : counts.latencies_ms()) EXPECT_GE(ms, 100.0f);
}

TEST(executor_bridge, an_items_latency_starts_when_a_pool_thread_takes_it) {
  // One thread, ten coroutines, ten sleeps: the tenth item waits nine delays for the
  // thread. Counted from hand-off its latency would be ten delays; counted from when the
  // thread takes it, one, as every other row counts.
  auto work = sleep_job(10, 10, 50ms);
  work.bridge_threads = 1;
  tally counts(work.items);
  run_executor_bridge(work, counts);
  EXPECT_EQ(counts.ok(), 10u);
  ASSERT_EQ(counts.latencies_ms().size(), 10u);
  auto slowest =
      *std::max_element(counts.latencies_ms().begin(), counts.latencies_ms().end());
  EXPECT_GE(slowest, 50.0f);
  EXPECT_LT(slowest, 3 * 50.0f);  // not the ~500 ms of the queue
}

}  // namespace
}  // namespace hammertime::models
