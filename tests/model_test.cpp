// The shared model plumbing: the item list, the URL, the status mapping, the tally.
#include "models/model.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/machine_limits.hpp"
#include "models/wire/wire.hpp"

namespace hammertime::models {
namespace {

TEST(wire, flag_codes_run_from_AA_to_ZZ_in_order) {
  EXPECT_EQ(flag_code(0), "AA");
  EXPECT_EQ(flag_code(1), "AB");
  EXPECT_EQ(flag_code(26), "BA");
  EXPECT_EQ(flag_code(flag_code_count - 1), "ZZ");
}

TEST(wire, flag_target_is_the_demo_path_in_lower_case_with_the_delay_and_when_sent) {
  auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                    clock::now().time_since_epoch())
                    .count();
  auto target = flag_target(3, std::chrono::milliseconds(250));
  std::string prefix = "/flags/ad/ad.gif?delay_ms=250&sent_us=";
  ASSERT_EQ(target.substr(0, prefix.size()), prefix);
  auto sent = std::stoll(target.substr(prefix.size()));
  EXPECT_GE(sent, before);
  EXPECT_LT(sent, before + 1'000'000);
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
        counts.count({static_cast<outcome>((t + i) % 3), 10},
                     std::chrono::milliseconds(1));
    });
  workers.clear();
  std::size_t expected[3] = {};
  for (std::size_t t = 0; t < threads; ++t)
    for (std::size_t i = 0; i < per_thread; ++i) ++expected[(t + i) % 3];
  EXPECT_EQ(counts.ok(), expected[0]);
  EXPECT_EQ(counts.not_found(), expected[1]);
  EXPECT_EQ(counts.failed(), expected[2]);
  EXPECT_EQ(counts.finished(), threads * per_thread);
  EXPECT_EQ(counts.bytes(), 10u * threads * per_thread);
  EXPECT_EQ(counts.latencies_ms().size(), threads * per_thread);
  EXPECT_FLOAT_EQ(counts.latencies_ms()[0], 1.0f);
}

TEST(tally, more_counts_than_items_never_write_past_the_latency_slots) {
  tally counts(2);
  for (int i = 0; i < 5; ++i)
    counts.count({outcome::ok, 0}, std::chrono::milliseconds(1));
  EXPECT_EQ(counts.finished(), 5u);
  EXPECT_EQ(counts.latencies_ms().size(), 2u);
}

TEST(tally, keeps_every_item_of_a_small_run_for_the_timeline_start_before_end) {
  tally counts(676);
  auto before = clock::now();
  for (int i = 0; i < 676; ++i)
    counts.count({outcome::ok, 0}, std::chrono::milliseconds(5));
  auto times = counts.item_times();
  ASSERT_EQ(times.size(), 676u);
  for (std::size_t i = 0; i < times.size(); ++i) {
    EXPECT_EQ(times[i].index, i);
    EXPECT_EQ(times[i].end - times[i].start, std::chrono::milliseconds(5));
    EXPECT_GE(times[i].end, before);
  }
}

TEST(tally, samples_every_stride_th_item_past_2000_and_never_past_its_slots) {
  EXPECT_EQ(timeline_stride(2000), 1u);
  EXPECT_EQ(timeline_stride(2001), 2u);
  EXPECT_EQ(timeline_stride(1'000'000), 500u);
  tally counts(5000);  // stride 3: items 0, 3, 6, ... 4998
  for (int i = 0; i < 5000; ++i) counts.count({outcome::ok, 0}, {});
  auto times = counts.item_times();
  ASSERT_EQ(times.size(), 1667u);
  EXPECT_EQ(times[1].index, 3u);
  EXPECT_EQ(times.back().index, 4998u);
  tally partial(5000);
  for (int i = 0; i < 4; ++i) partial.count({outcome::ok, 0}, {});
  EXPECT_EQ(partial.item_times().size(), 2u);  // items 0 and 3 so far
  tally over(2);
  for (int i = 0; i < 5; ++i) over.count({outcome::ok, 0}, {});
  EXPECT_EQ(over.item_times().size(), 2u);
}

TEST(item_source, hands_out_every_index_exactly_once_across_threads) {
  constexpr std::size_t items = 50'000, threads = 8;
  item_source source(items);
  std::vector<std::atomic<int>> taken(items);
  std::atomic<std::size_t> refusals{0};
  std::vector<std::jthread> takers;
  for (std::size_t t = 0; t < threads; ++t)
    takers.emplace_back([&] {
      for (std::size_t index; source.take(index);) taken[index].fetch_add(1);
      refusals.fetch_add(1);
    });
  takers.clear();
  for (std::size_t i = 0; i < items; ++i) ASSERT_EQ(taken[i].load(), 1) << "item " << i;
  EXPECT_EQ(refusals.load(), threads);
  std::size_t index = 0;
  EXPECT_FALSE(source.take(index));  // and stays empty
}

TEST(sleep_rule, a_sleep_item_started_when_its_deadline_was_set) {
  job work = {};
  work.delay = std::chrono::milliseconds(300);
  tally counts(2);
  auto deadline = clock::now() + std::chrono::milliseconds(100);  // set 200 ms ago
  count_sleep(counts, work, deadline);
  count_sleep(counts, work, deadline, true);
  EXPECT_EQ(counts.ok(), 1u);
  EXPECT_EQ(counts.failed(), 1u);
  ASSERT_EQ(counts.latencies_ms().size(), 2u);
  EXPECT_GE(counts.latencies_ms()[0], 200.0f);
  EXPECT_LT(counts.latencies_ms()[0], 300.0f);
}

TEST(job, tasks_in_flight_is_c_capped_at_n_and_at_least_one) {
  job work;
  work.items = 10, work.concurrency = 3;
  EXPECT_EQ(tasks_in_flight(work), 3u);
  work.concurrency = 50;
  EXPECT_EQ(tasks_in_flight(work), 10u);
  work.concurrency = 0;
  EXPECT_EQ(tasks_in_flight(work), 1u);
  work.items = 0;
  EXPECT_EQ(tasks_in_flight(work), 0u);
}

TEST(workload, names_read_back_as_the_workload_they_name) {
  for (auto kind : {workload::flags, workload::sleep})
    EXPECT_EQ(workload_from_string(to_string(kind)), kind);
  EXPECT_FALSE(workload_from_string("Flags"));
  EXPECT_FALSE(workload_from_string(""));
}

TEST(machine_limits, a_limit_is_named_with_the_command_that_lifts_it_to_what_is_needed) {
  auto files = common::needs_more("flags/x/C:1000", 1064, "open files",
                                  common::machine_setting::open_files, 1024);
  EXPECT_EQ(files.rfind("flags/x/C:1000 needs 1064 open files but `ulimit -n` is 1024: "
                        "raise it (ulimit -n 1064; the hard limit is ",
                        0),
            0u)
      << files;
  EXPECT_EQ(common::needs_more("p", 5000, "process ids", common::machine_setting::pid_max,
                               4096),
            "p needs 5000 process ids but kernel.pid_max is 4096: raise it (sysctl -w "
            "kernel.pid_max=5000)");
  EXPECT_EQ(
      std::string(common::ran_out("connect", "no local port left",
                                  common::machine_setting::local_ports)
                      .what()),
      "connect: no local port left; net.ipv4.ip_local_port_range is the limit: widen "
      "it (sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"), or lower "
      "--concurrency");
}

TEST(registry, every_model_is_found_by_its_name) {
  for (const model& m : all_models()) EXPECT_EQ(find_model(m.name), &m);
  EXPECT_EQ(find_model("nope"), nullptr);
}

}  // namespace
}  // namespace hammertime::models
