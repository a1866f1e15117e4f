// The hammer, chained and ticker workloads, for every model in the registry (a new
// model joins by its registry line): exact tallies against hammertime-server, the
// hammer's work really done (its checksum), chained asking for the metadata first and
// never for a flag that has none, and a ticker that is late only where a loop is held.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model_runs.hpp"
#include "models/model.hpp"
#include "models/wire/wire.hpp"
#include "models/workloads/hammer_work.hpp"
#include "models/workloads/ticker.hpp"
#include "scripted_server.hpp"
#include "server_helpers.hpp"

namespace hammertime::models {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> every_model_name() {
  std::vector<std::string> names;
  for (const model& m : all_models()) names.emplace_back(m.name);
  return names;
}

class every_model : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { SKIP_IF_THIS_MACHINE_CANNOT_RUN(*find_model(GetParam())); }

  // Runs the model; every item must be counted once, within a minute.
  const tally& run(const job& work) {
    const model* chosen = find_model(GetParam());
    EXPECT_NE(chosen, nullptr);
    counts_ = std::make_unique<tally>(work.items);
    reset_ticker_lag();
    auto started = clock::now();
    if (chosen != nullptr) chosen->run(work, *counts_);
    EXPECT_LT(clock::now() - started, 60s);
    EXPECT_EQ(counts_->finished(), work.items);
    return *counts_;
  }

  std::unique_ptr<tally> counts_;
};

INSTANTIATE_TEST_SUITE_P(every, every_model, ::testing::ValuesIn(every_model_name()),
                         name_of_param);

TEST_P(every_model, the_hammer_gives_the_exact_tally_and_the_checksum_of_every_body) {
  testing::server_process server;
  auto work = flags_job(server.port(), 60, 10);
  work.kind = workload::hammer;
  work.cpu_per_item = 50us;
  work.work_rounds = 200;  // fixed, so the expected checksum can be computed here
  auto& counts = run(work);
  auto flags = flag_bytes_by_code();
  std::uint64_t expected_checksum = 0;
  for (std::size_t i = 0; i < work.items; ++i)
    expected_checksum += body_checksum(expected_item(flags, i), work.work_rounds);
  auto expected = expected_for(work.items);
  EXPECT_EQ(counts.ok(), expected.ok);
  EXPECT_EQ(counts.not_found(), expected.not_found);
  EXPECT_EQ(counts.failed(), 0u);
  EXPECT_EQ(counts.bytes(), expected.bytes);
  EXPECT_EQ(counts.checksum(), expected_checksum);
}

TEST_P(every_model, the_flags_workload_does_no_hammer_work) {
  testing::server_process server;
  auto work = flags_job(server.port(), 20, 5);
  work.work_rounds = 200;  // ignored: not the hammer
  EXPECT_EQ(run(work).checksum(), 0u);
}

TEST_P(every_model,
       chained_gets_the_exact_tally_and_asks_for_a_flag_only_when_it_exists) {
  testing::server_process server;
  auto work = flags_job(server.port(), 676, 100);
  work.kind = workload::chained;
  work.delay = 2ms;  // sequential waits 676 + 194 delays
  auto& counts = run(work);
  auto expected = expected_for(676);
  EXPECT_EQ(counts.ok(), 194u);
  EXPECT_EQ(counts.not_found(), 482u);
  EXPECT_EQ(counts.failed(), 0u);
  auto stats = testing::stats_of(server);
  ASSERT_TRUE(stats.is_object());
  // 194 metadata and 194 flags answered 200; 482 metadata 404 and no flag asked for them.
  EXPECT_EQ(stats.at("requests").at("200").to_number<std::uint64_t>(), 2 * 194u);
  EXPECT_EQ(stats.at("requests").at("404").to_number<std::uint64_t>(), 482u);
  EXPECT_GT(counts.bytes(), expected.bytes);  // the flags' bytes and the metadata's
}

// What the chained items of AA..AD asked for, in order, one connection at a time: only
// AD (Andorra) has a flag.
TEST_P(every_model, chained_asks_for_the_metadata_first_and_never_for_a_missing_flag) {
  std::mutex mutex;
  std::vector<std::string> asked;
  testing::scripted_server server([&](int connection) {
    for (;;) {
      std::string request;
      char chunk[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        auto got = ::recv(connection, chunk, sizeof chunk, 0);
        if (got <= 0) return;
        request.append(chunk, static_cast<std::size_t>(got));
      }
      auto path = request.substr(4, request.find('?') - 4);  // "GET /flags/..."
      {
        std::lock_guard lock(mutex);
        asked.push_back(path);
      }
      bool andorra = path.starts_with("/flags/ad/");
      testing::send_all(connection, andorra
                                        ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                        : "HTTP/1.1 404 Not Found\r\n"
                                          "Content-Length: 0\r\n\r\n");
    }
  });
  auto work = flags_job(server.port(), 4, 1);
  work.kind = workload::chained;
  auto& counts = run(work);
  EXPECT_EQ(counts.ok(), 1u);
  EXPECT_EQ(counts.not_found(), 3u);
  std::lock_guard lock(mutex);
  EXPECT_EQ(asked, (std::vector<std::string>{
                       "/flags/aa/metadata.json", "/flags/ab/metadata.json",
                       "/flags/ac/metadata.json", "/flags/ad/metadata.json",
                       "/flags/ad/ad.gif"}));
}

TEST_P(every_model, a_ticker_beside_the_flags_wakes_and_the_tally_stays_exact) {
  testing::server_process server;
  auto work = flags_job(server.port(), 100, 20);
  work.delay = 5ms;
  work.ticker = 5ms;
  auto& counts = run(work);
  auto expected = expected_for(100);
  EXPECT_EQ(counts.ok(), expected.ok);
  EXPECT_EQ(counts.not_found(), expected.not_found);
  EXPECT_GT(ticker_lag().wakeups, 0u);
}

// Eight items that each hold their thread 50 ms, with a ticker every 10 ms: a loop that
// does the work itself wakes its ticker late, by at least an item's work (the eight
// answers come together, so up to all eight); a thread pool's ticker has a thread of its
// own, which the scheduler wakes while the workers compute. Loose bounds, for a loaded
// machine: behaviour, not speed.
job hammer_with_ticker(std::uint16_t port) {
  auto work = flags_job(port, 8, 8);
  work.kind = workload::hammer;
  work.cpu_per_item = 50ms;
  work.work_rounds = calibrated_rounds(work.cpu_per_item);
  work.ticker = 10ms;
  return work;
}

class event_loop_ticker : public every_model {};
INSTANTIATE_TEST_SUITE_P(every, event_loop_ticker,
                         ::testing::ValuesIn(model_names(model_family::event_loop)),
                         name_of_param);

TEST_P(event_loop_ticker, is_late_while_the_hammer_holds_the_loop) {
  testing::server_process server;
  run(hammer_with_ticker(server.port()));
  auto lag = ticker_lag();
  EXPECT_GE(lag.max_ms, 50) << "p50 " << lag.p50_ms << " ms";
}

TEST(thread_pool, its_ticker_thread_stays_on_time_while_the_hammer_holds_the_workers) {
  testing::server_process server;
  tally counts(8);
  reset_ticker_lag();
  find_model("thread_pool")->run(hammer_with_ticker(server.port()), counts);
  EXPECT_EQ(counts.finished(), 8u);
  auto lag = ticker_lag();
  EXPECT_GT(lag.wakeups, 5u);
  EXPECT_LT(lag.p50_ms, 25) << "max " << lag.max_ms << " ms";
}

TEST(hammer_work, the_checksum_depends_on_the_body_and_on_every_round) {
  fetch_result body{outcome::ok, 11415, 0};
  EXPECT_NE(body_checksum(body, 10), body_checksum(body, 11));
  EXPECT_NE(body_checksum(body, 10), body_checksum({outcome::ok, 11416, 0}, 10));
  EXPECT_EQ(body_checksum(body, 10), body_checksum(body, 10));
}

TEST(hammer_work, calibrated_rounds_take_about_the_asked_cpu_time) {
  auto rounds = calibrated_rounds(20ms);
  ASSERT_GT(rounds, 0u);
  EXPECT_EQ(calibrated_rounds(0us), 0u);
  EXPECT_NEAR(static_cast<double>(calibrated_rounds(40ms)), 2.0 * rounds, rounds * 0.01);
  timespec before{}, after{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
  auto checksum = body_checksum({outcome::ok, 1, 0}, rounds);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
  double spent_ms =
      (after.tv_sec - before.tv_sec) * 1e3 + (after.tv_nsec - before.tv_nsec) / 1e6;
  EXPECT_NE(checksum, 0u);
  EXPECT_GT(spent_ms, 10);  // 20 ms asked; loose, for a loaded machine
  EXPECT_LT(spent_ms, 60);
}

TEST(hammer_work, is_done_for_the_hammer_only_and_never_for_a_failed_item) {
  job work;
  work.kind = workload::hammer;
  work.work_rounds = 5;
  EXPECT_NE(work_on_body(work, {outcome::not_found, 10, 0}).checksum, 0u);
  EXPECT_EQ(work_on_body(work, {outcome::failed, 0, 0}).checksum, 0u);
  work.kind = workload::flags;
  EXPECT_EQ(work_on_body(work, {outcome::ok, 10, 0}).checksum, 0u);
}

}  // namespace
}  // namespace hammertime::models
