// Whether a row is a measurement (harness/validity.hpp): a server is what it says, or
// the row is invalid and names the check it failed. And the words for a cell the OOM
// killer ended, read from its memory cgroup.
#include "harness/validity.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "harness/cli.hpp"
#include "harness/finished_cell.hpp"
#include "harness/memory_cgroup.hpp"
#include "model_runs.hpp"
#include "scratch_folder.hpp"

namespace hammertime::harness {
namespace {

cell one_cell(std::vector<std::string_view> args) {
  std::vector<std::string_view> all{"--models", "coroutines", "--repetitions", "1"};
  all.insert(all.end(), args.begin(), args.end());
  return plan_cells(parse_run_options(all)).front();
}

// 20 flags at once at a 10 ms delay (and the link delay given).
cell flags_cell(std::string_view link_delay = "0ms") {
  return one_cell({"--workload", "flags", "--items", "20", "--concurrency", "20",
                   "--delay", "10ms", "--link-delay", link_delay});
}

// What hammertime-server gives the cell: the exact tally and bytes, every item a little
// over one wait, no fault.
cell_result as_served(const cell& where) {
  auto expected = models::expected_for(where.items);
  cell_result result;
  result.ok = expected.ok;
  result.not_found = expected.not_found;
  result.bytes = expected.bytes;
  double wait_ms = where.one_wait().count() * 1000;
  result.p50_ms = wait_ms + 0.3;
  result.wall_seconds = static_cast<double>(where.rounds()) * (wait_ms + 2) / 1000;
  result.server_faults = {{"error", 0}, {"slow_body", 0}};
  return result;
}

TEST(harness_validity, the_expected_bytes_are_the_flags_tables_and_the_404s_at_most) {
  for (std::size_t items : {0, 20, 676, 676 * 2 + 30}) {
    auto expected = models::expected_for(items);  // data/flags.tsv, read by the test
    auto range = expected_body_bytes(models::workload::flags, items);
    EXPECT_EQ(range.most, expected.bytes) << items;
    EXPECT_EQ(range.least, expected.bytes - expected.not_found * 10) << items;
  }
  // Chained: a found item's metadata too, {"code":"AD","country":"Andorra"} and a
  // newline.
  auto flags = expected_body_bytes(models::workload::flags, 676);
  auto chained = expected_body_bytes(models::workload::chained, 676);
  EXPECT_GT(chained.least, flags.least + 194 * 30);
  EXPECT_EQ(chained.most - chained.least, flags.most - flags.least);
  EXPECT_EQ(expected_body_bytes(models::workload::hammer, 676).least, flags.least);
}

TEST(harness_validity, what_hammertime_server_serves_is_valid_with_or_without_a_link) {
  for (auto link : {"0ms", "25ms"}) {
    auto where = flags_cell(link);
    EXPECT_EQ(validity_problem(where, as_served(where), false), std::nullopt) << link;
  }
  // A 404 body the client did not count is within the bound.
  auto where = flags_cell();
  auto result = as_served(where);
  result.bytes -= 10;
  EXPECT_EQ(validity_problem(where, result, false), std::nullopt);
  result.server_faults.reset();  // its /stats could not be read after the cell
  EXPECT_EQ(validity_problem(where, result, false), std::nullopt);
}

TEST(harness_validity, fault_counters_that_moved_unasked_make_the_row_invalid) {
  auto where = flags_cell();
  auto result = as_served(where);
  result.server_faults = {{"error", 0}, {"slow_body", 20}, {"stall", 1}};
  EXPECT_EQ(validity_problem(where, result, false),
            "fault counters: the server injected faults the run did not ask for "
            "(slow_body 20, stall 1)");
  EXPECT_EQ(validity_problem(where, result, true), std::nullopt);  // asked for
}

TEST(harness_validity, bodies_that_are_not_the_flags_make_the_row_invalid) {
  auto where = flags_cell();
  auto result = as_served(where);
  auto expected = expected_body_bytes(where.workload, where.items);
  auto range = std::to_string(expected.least) + " to " + std::to_string(expected.most);
  result.bytes = 20;  // a 1-byte body each
  EXPECT_EQ(validity_problem(where, result, false),
            "body bytes: 20, where the flags table gives " + range);
  result.bytes = expected.most + 1;
  EXPECT_EQ(validity_problem(where, result, false),
            "body bytes: " + std::to_string(expected.most + 1) +
                ", where the flags table gives " + range);
}

TEST(harness_validity, a_p50_below_one_wait_makes_the_row_invalid) {
  auto where = flags_cell();
  auto result = as_served(where);
  result.p50_ms = 0.04;
  EXPECT_EQ(validity_problem(where, result, false),
            "latency: p50 0.0400 ms is below the 10.0 ms each item waits at least");
  result.p50_ms = 9.95;  // within the clocks' 1 %
  EXPECT_EQ(validity_problem(where, result, false), std::nullopt);
  // Through the proxy one wait is the delay and the link delay twice: 10 + 2 x 25 ms.
  auto linked = flags_cell("25ms");
  result = as_served(linked);
  result.p50_ms = 30;
  EXPECT_EQ(validity_problem(linked, result, false),
            "latency: p50 30.0 ms is below the 60.0 ms each item waits at least");
}

TEST(harness_validity, an_efficiency_above_1_makes_the_row_invalid) {
  auto where = flags_cell();  // one round of 10 ms
  auto result = as_served(where);
  result.wall_seconds = 0.002;
  EXPECT_EQ(validity_problem(where, result, false),
            "efficiency: 5.00 is above 1: the items took 0.00200 s, their waits 0.0100 s "
            "at least");
  result.wall_seconds = 0.00995;  // within the clocks' 1 %
  EXPECT_EQ(validity_problem(where, result, false), std::nullopt);
  // The hammer's CPU bound may be beaten (its X is calibrated): only its waits count.
  auto hammer = one_cell({"--workload", "hammer", "--items", "20", "--concurrency", "20",
                          "--delay", "10ms", "--work-us", "100000"});
  result = as_served(hammer);
  result.wall_seconds = 0.0105;
  EXPECT_EQ(validity_problem(hammer, result, false), std::nullopt);
}

TEST(harness_validity, the_sleep_workload_and_runs_with_faults_skip_the_servers_checks) {
  auto sleep = one_cell({"--workload", "sleep", "--items", "20", "--delay", "10ms"});
  cell_result slept;
  slept.ok = 20;
  slept.p50_ms = 10.1;
  slept.wall_seconds = 0.0101;
  EXPECT_EQ(validity_problem(sleep, slept, false), std::nullopt);  // no bytes, no server
  auto where = flags_cell();
  cell_result errors;  // --error-rate 1: every item failed, at once
  errors.failed = 20;
  errors.p50_ms = 0.1;
  errors.wall_seconds = 0.001;
  EXPECT_EQ(validity_problem(where, errors, true), std::nullopt);
  EXPECT_NE(validity_problem(where, errors, false), std::nullopt);  // the tally, first
}

TEST(harness_validity, a_cell_the_oom_killer_ended_says_so_from_its_memory_cgroup) {
  testing::scratch_folder v2, v1, none;
  std::ofstream(v2.path / "memory.events")
      << "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n";
  EXPECT_EQ(oom_kill_description(v2.path.string()),
            "killed by the OOM killer (memory cgroup oom_kill 1)");
  std::ofstream(v1.path / "memory.oom_control")
      << "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";
  EXPECT_EQ(oom_kill_description(v1.path.string()),
            "killed by the OOM killer (memory cgroup oom_kill 2)");
  EXPECT_EQ(oom_kill_description(none.path.string()), std::nullopt);  // no such file
  std::ofstream(none.path / "memory.events") << "oom 0\noom_kill 0\n";
  EXPECT_EQ(oom_kill_description(none.path.string()), std::nullopt);  // none killed
}

}  // namespace
}  // namespace hammertime::harness
