// The shared model plumbing: the item list, the URL, the status mapping, the tally.
#include <gtest/gtest.h>

#include <thread>

#include "model.hpp"
#include "wire.hpp"

namespace hammertime::models {
namespace {

TEST(wire, flag_codes_run_from_AA_to_ZZ_in_order) {
  EXPECT_EQ(flag_code(0), "AA");
  EXPECT_EQ(flag_code(1), "AB");
  EXPECT_EQ(flag_code(26), "BA");
  EXPECT_EQ(flag_code(flag_code_count - 1), "ZZ");
}

TEST(wire, flag_target_is_the_demo_path_in_lower_case_with_the_delay) {
  EXPECT_EQ(flag_target(3, std::chrono::milliseconds(250)), "/flags/ad/ad.gif?delay_ms=250");
}

TEST(wire, statuses_map_to_ok_not_found_and_failed) {
  EXPECT_EQ(classify(200), outcome::ok);
  EXPECT_EQ(classify(404), outcome::not_found);
  EXPECT_EQ(classify(500), outcome::failed);
  EXPECT_EQ(classify(0), outcome::failed);
}

TEST(tally, counts_from_many_threads_add_up_exactly) {
  constexpr std::size_t threads = 8, per_thread = 10'000;
  tally counts(threads * per_thread);
  std::vector<std::jthread> workers;
  for (std::size_t t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (std::size_t i = 0; i < per_thread; ++i)
        counts.count(static_cast<outcome>((t + i) % 3), 10, std::chrono::milliseconds(1));
    });
  workers.clear();
  EXPECT_EQ(counts.finished(), threads * per_thread);
  EXPECT_EQ(counts.ok() + counts.not_found() + counts.failed(), threads * per_thread);
  EXPECT_EQ(counts.bytes(), 10u * threads * per_thread);
  EXPECT_EQ(counts.latencies_ms().size(), threads * per_thread);
  EXPECT_FLOAT_EQ(counts.latencies_ms()[0], 1.0f);
}

TEST(tally, more_counts_than_items_never_write_past_the_latency_slots) {
  tally counts(2);
  for (int i = 0; i < 5; ++i) counts.count(outcome::ok, 0, std::chrono::milliseconds(1));
  EXPECT_EQ(counts.finished(), 5u);
  EXPECT_EQ(counts.latencies_ms().size(), 2u);
}

TEST(registry, every_model_is_found_by_its_name) {
  for (const model& m : all_models()) EXPECT_EQ(find_model(m.name), &m);
  EXPECT_EQ(find_model("nope"), nullptr);
}

}  // namespace
}  // namespace hammertime::models
