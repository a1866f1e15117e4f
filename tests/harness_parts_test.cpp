// The harness's pieces, linked in: the command line, the run matrix and its time
// limits, the machine-limit checks, the result files.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/atomic_file.hpp"
#include "harness/cell.hpp"
#include "harness/cell_runner.hpp"
#include "harness/cli.hpp"
#include "harness/finished_cell.hpp"
#include "harness/memory_cgroup.hpp"
#include "harness/peers.hpp"
#include "harness/plan_limits.hpp"
#include "harness/process_memory.hpp"
#include "harness/results_csv.hpp"
#include "harness/results_json.hpp"
#include "harness/server_launcher.hpp"
#include "harness/summary_table.hpp"
#include "harness/system_checks.hpp"

namespace hammertime::harness {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

run_options parse(std::vector<std::string_view> args) { return parse_run_options(args); }

TEST(harness_cli, defaults_follow_the_workload) {
  auto flags = parse({});
  EXPECT_EQ(flags.workload, models::workload::flags);
  EXPECT_EQ(flags.items, 676u);
  EXPECT_EQ(flags.delay, 100ms);
  EXPECT_EQ(flags.timeout, 5000ms);
  EXPECT_EQ(flags.repetitions, 3u);
  EXPECT_EQ(flags.models.size(), models::all_models().size());
  EXPECT_EQ(parse({"--workload", "sleep"}).items, 1000u);
  EXPECT_EQ(parse({"--workload=sleep", "--delay=1s"}).delay, 1000ms);
}

// The one line a bad command line is refused with, or "accepted".
std::string message(std::vector<std::string_view> args) {
  try {
    parse(args);
  } catch (const usage_error& error) {
    return std::string(error.what());
  }
  return std::string("accepted");
}

TEST(harness_cli, each_bad_value_is_named_in_the_message) {
  EXPECT_NE(message({"--items", "0"}).find("--items"), std::string::npos);
  EXPECT_NE(message({"--delay", "abc"}).find("--delay"), std::string::npos);
  EXPECT_NE(message({"--delay", "1.5ms"}).find("--delay"), std::string::npos);
  EXPECT_NE(message({"--concurrency", "-1"}).find("--concurrency"), std::string::npos);
  EXPECT_NE(message({"--workload", "nope"}).find("--workload"), std::string::npos);
  EXPECT_NE(message({"--models", "nope"}).find("nope"), std::string::npos);
  EXPECT_NE(message({"--items", "1000000001"}).find("--items"), std::string::npos);
  EXPECT_NE(message({"--stall-rate", "0.6", "--error-rate", "0.6"}).find("more than 1"),
            std::string::npos);
  EXPECT_NE(message({"--server", "http://127.0.0.1:8001", "--error-rate", "0.1"})
                .find("--server"),
            std::string::npos);
  EXPECT_EQ(message({"--items", "5", "--concurrency", "1,5"}), "accepted");
}

// "sleep/coroutines/C:10#1": each cell's name and repetition, in the order they run.
std::vector<std::string> names_and_repetitions(const std::vector<cell>& cells) {
  std::vector<std::string> names;
  for (const auto& one : cells)
    names.push_back(one.name() + "#" + std::to_string(one.repetition));
  return names;
}

// A plan file written for one test, removed after it.
struct plan_file {
  explicit plan_file(const std::string& text)
      : path(fs::temp_directory_path() /
             ("hammertime-plan-" + std::to_string(::getpid()) + ".plan")) {
    std::ofstream(path) << text;
  }
  ~plan_file() { fs::remove(path); }
  fs::path path;
};

TEST(harness_plan_file, every_line_runs_interleaved_by_repetition_into_one_matrix) {
  plan_file plan(
      "# a comment line\n"
      "--workload flags --models sequential --items 20 --delay 50ms\n"
      "\n"
      "--workload sleep --models coroutines --items 100 --concurrency 100  # N = C\n"
      "--workload sleep --models coroutines --items 1000 --concurrency 1000 --delay "
      "1s\n");
  auto path = plan.path.string();
  auto cells = plan_cells(parse({"--plan", path, "--repetitions", "2"}));
  auto names = names_and_repetitions(cells);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "flags/sequential/C:1#0", "sleep/coroutines/C:100#0",
                       "sleep/coroutines/C:1000#0", "flags/sequential/C:1#1",
                       "sleep/coroutines/C:100#1", "sleep/coroutines/C:1000#1"}));
  EXPECT_EQ(cells[0].items, 20u);
  EXPECT_EQ(cells[0].delay, 50ms);
  EXPECT_EQ(cells[2].delay, 1000ms);
  // One family per (workload, model), one instance per (N, C) within it.
  EXPECT_EQ(cells[1].family_index, cells[2].family_index);
  EXPECT_NE(cells[0].family_index, cells[1].family_index);
  EXPECT_EQ(cells[1].instance_index, 0u);
  EXPECT_EQ(cells[2].instance_index, 1u);
}

TEST(harness_plan_file, a_bad_line_is_named_with_its_number) {
  plan_file plan("--workload sleep --models sequential --items 5\n--workload nope\n");
  try {
    parse({"--plan", plan.path.string()});
    FAIL() << "accepted";
  } catch (const usage_error& error) {
    EXPECT_NE(std::string(error.what()).find("line 2: bad --workload"), std::string::npos)
        << error.what();
  }
}

TEST(harness_plan_file, run_wide_options_stay_on_the_command_line) {
  plan_file plan("--workload sleep --models sequential --items 5 --out /tmp/x\n");
  EXPECT_THROW(parse({"--plan", plan.path.string()}), usage_error);
  plan_file fine("--workload sleep --models sequential --items 5\n");
  EXPECT_THROW(parse({"--plan", fine.path.string(), "--items", "3"}), usage_error);
  EXPECT_THROW(parse({"--plan", "/nonexistent/plan"}), usage_error);
}

TEST(harness_plan_file, the_same_cell_twice_is_refused) {
  plan_file plan(
      "--workload sleep --models coroutines --items 10 --concurrency 10\n"
      "--workload sleep --models coroutines --items 20 --concurrency 10\n");
  EXPECT_THROW(plan_cells(parse({"--plan", plan.path.string()})), usage_error);
}

TEST(harness_plan, repetitions_are_outermost_and_models_innermost) {
  auto options = parse({"--workload", "sleep", "--models", "sequential,coroutines",
                        "--items", "10", "--concurrency", "1,10", "--repetitions", "2"});
  auto cells = plan_cells(options);
  auto names = names_and_repetitions(cells);
  // sequential is clamped to C:1, so its second concurrency is the same cell and dropped.
  EXPECT_EQ(names, (std::vector<std::string>{
                       "sleep/sequential/C:1#0", "sleep/coroutines/C:1#0",
                       "sleep/coroutines/C:10#0", "sleep/sequential/C:1#1",
                       "sleep/coroutines/C:1#1", "sleep/coroutines/C:10#1"}));
}

TEST(harness_plan, default_concurrency_is_n_clamped_by_the_model) {
  auto cells =
      plan_cells(parse({"--workload", "sleep", "--models", "sequential,coroutines",
                        "--items", "40", "--repetitions", "1"}));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].concurrency, 1u);
  EXPECT_EQ(cells[1].concurrency, 40u);
}

TEST(harness_plan, ideal_and_time_limit_follow_the_documented_rule) {
  auto options = parse({"--workload", "sleep", "--models", "coroutines", "--items", "25",
                        "--concurrency", "10", "--delay", "100ms", "--timeout", "2s"});
  auto one = plan_cells(options).front();
  EXPECT_EQ(one.rounds(), 3u);
  EXPECT_DOUBLE_EQ(one.ideal().count(), 0.3);
  EXPECT_EQ(cell_time_limit(one, options), 600ms + 10s + 2s);
  options.stall_rate = 0.5;  // 2 of the 3 rounds may wait a whole timeout
  EXPECT_EQ(cell_time_limit(one, options), 600ms + 10s + 2s * 3);
  options.cell_limit = 1500ms;
  EXPECT_EQ(cell_time_limit(one, options), 1500ms);
}

TEST(harness_plan, a_link_delay_is_named_and_waited_twice_per_request) {
  auto options = parse({"--models", "coroutines", "--items", "25", "--concurrency", "10",
                        "--delay", "100ms", "--link-delay", "25ms"});
  auto one = plan_cells(options).front();
  EXPECT_EQ(one.name(), "flags/coroutines/C:10/link_delay:25ms");
  EXPECT_EQ(one.link_delay, 25ms);
  EXPECT_DOUBLE_EQ(one.one_wait().count(), 0.15);  // in: 25 ms, server: 100, out: 25
  EXPECT_DOUBLE_EQ(one.ideal().count(), 3 * 0.15);
  EXPECT_EQ(cell_time_limit(one, options), 900ms + 10s + 5s);
  auto plain = plan_cells(parse({"--models", "coroutines", "--items", "25",
                                 "--concurrency", "10", "--delay", "100ms"}))
                   .front();
  EXPECT_EQ(plain.name(), "flags/coroutines/C:10");
  EXPECT_DOUBLE_EQ(plain.ideal().count(), 0.3);
}

TEST(harness_plan_file, lines_with_and_without_a_link_delay_are_different_cells) {
  plan_file plan(
      "--models coroutines --items 20 --delay 50ms\n"
      "--models coroutines --items 20 --delay 50ms --link-delay 25ms\n");
  auto cells = plan_cells(parse({"--plan", plan.path.string(), "--repetitions", "1"}));
  EXPECT_EQ(names_and_repetitions(cells),
            (std::vector<std::string>{"flags/coroutines/C:20#0",
                                      "flags/coroutines/C:20/link_delay:25ms#0"}));
  EXPECT_NE(cells[0].instance_index, cells[1].instance_index);
}

TEST(harness_cli, a_link_delay_is_whole_ms_and_needs_the_network) {
  EXPECT_EQ(message({"--link-delay", "0ms"}), "accepted");
  EXPECT_EQ(message({"--link-delay", "25ms", "--server", "http://127.0.0.1:8001"}),
            "accepted");
  for (std::string_view bad : {"25", "1.5ms", "-1ms", "nan", "11m", ""})
    EXPECT_NE(message({"--link-delay", bad}).find("bad --link-delay"), std::string::npos)
        << bad;
  EXPECT_NE(message({"--workload", "sleep", "--link-delay", "25ms"}).find("sleep"),
            std::string::npos);
  EXPECT_EQ(message({"--workload", "sleep", "--link-delay", "0ms"}), "accepted");
}

TEST(harness_plan, a_chained_item_that_exists_waits_two_delays_in_the_ideal) {
  auto options =
      parse({"--workload", "chained", "--models", "coroutines,sequential",
             "--concurrency", "676", "--delay", "100ms", "--repetitions", "1"});
  auto cells = plan_cells(options);
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].rounds(), 2u);  // C >= N: metadata, then the flag
  EXPECT_DOUBLE_EQ(cells[0].ideal().count(), 0.2);
  EXPECT_EQ(cells[1].rounds(), 676u + 194u);  // one at a time: every delay in turn
  options = parse({"--workload", "chained", "--models", "coroutines", "--items", "4",
                   "--concurrency", "4", "--repetitions", "1"});
  EXPECT_EQ(plan_cells(options).front().rounds(), 2u);  // AD exists among AA..AD
  options = parse({"--workload", "chained", "--models", "coroutines", "--items", "3",
                   "--concurrency", "3", "--repetitions", "1"});
  EXPECT_EQ(plan_cells(options).front().rounds(), 1u);  // no flag among AA..AC
}

TEST(harness_plan, the_hammers_ideal_is_its_cpu_bound_when_that_is_slower) {
  auto options = parse({"--workload", "hammer", "--models", "coroutines,thread_pool",
                        "--concurrency", "100", "--delay", "50ms", "--work-us", "1000",
                        "--repetitions", "1"});
  auto cells = plan_cells(options);
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].name(), "hammer/coroutines/C:100/work_us:1000");
  // One loop, one core: 676 x 1 ms = 0.676 s, slower than ceil(676/100) x 50 ms.
  EXPECT_DOUBLE_EQ(cells[0].ideal().count(), 0.676);
  auto cores = static_cast<double>(std::min(100u, std::thread::hardware_concurrency()));
  EXPECT_DOUBLE_EQ(cells[1].ideal().count(), std::max(0.35, 0.676 / cores));
  EXPECT_EQ(parse({"--workload", "hammer"}).work_us, 1000us);  // the default X
  options = parse({"--workload", "hammer", "--models", "coroutines", "--work-us", "0",
                   "--delay", "50ms", "--concurrency", "100", "--repetitions", "1"});
  EXPECT_DOUBLE_EQ(plan_cells(options).front().ideal().count(), 0.35);
}

// The first cell of `args`, one repetition.
cell first_cell(std::vector<std::string_view> args) {
  args.insert(args.end(), {"--repetitions", "1"});
  return plan_cells(parse(args)).front();
}

// Fixed floors: 50 µs a connection and its request (20 µs of it the client's CPU),
// 0.5 µs a timer.
const machine_floors calibrated{
    .connect_request_us = 50.0, .connect_request_cpu_us = 20.0, .timer_spawn_us = 0.5};
constexpr double request_s = 50.0 * 1e-6, opening_s = 20.0 * 1e-6, timer_s = 0.5 * 1e-6;

TEST(harness_attainable, an_event_loop_opens_its_connections_one_after_another) {
  auto all_at_once = first_cell({"--models", "coroutines", "--delay", "100ms"});
  // 675 opened before the last one (their CPU), then the last one's round trip.
  EXPECT_DOUBLE_EQ(*serial_floor_seconds(all_at_once, calibrated),
                   675 * opening_s + request_s);
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(all_at_once, calibrated),
                   676 / (0.1 + 675 * opening_s + request_s));
  // 99 opened before the last one, then its 7 rounds, one request each.
  auto in_rounds =
      first_cell({"--models", "coroutines", "--concurrency", "100", "--delay", "100ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(in_rounds, calibrated),
                   676 / (7 * 0.1 + 99 * opening_s + 7 * request_s));
  // A run that recorded no CPU floor (an older calibration) counts a round trip each.
  machine_floors wall_only{.connect_request_us = 50.0};
  EXPECT_DOUBLE_EQ(*serial_floor_seconds(in_rounds, wall_only), 106 * request_s);
  // With the CPU in halves, the slower half sets the pace: the loop sends its requests
  // in turn, then reads their answers in turn.
  auto halves = calibrated;
  halves.connect_send_cpu_us = 12.0, halves.answer_read_cpu_us = 8.0;
  EXPECT_DOUBLE_EQ(*serial_floor_seconds(all_at_once, halves), 675 * 12e-6 + request_s);
  halves.answer_read_cpu_us = 15.0;
  EXPECT_DOUBLE_EQ(*serial_floor_seconds(all_at_once, halves), 675 * 15e-6 + request_s);
  // A peer by its descriptor: go is an event loop.
  auto go = all_at_once;
  go.model = &find_peer("go")->model;
  EXPECT_EQ(serial_floor_seconds(go, calibrated),
            serial_floor_seconds(all_at_once, calibrated));
}

TEST(harness_attainable, a_pools_workers_open_at_once_and_each_does_its_rounds_in_turn) {
  auto pool =
      first_cell({"--models", "thread_pool", "--concurrency", "100", "--delay", "100ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(pool, calibrated),
                   676 / (7 * 0.1 + 7 * request_s));
  auto sequential = first_cell({"--models", "sequential", "--delay", "100ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(sequential, calibrated),
                   676 / (676 * 0.1 + 676 * request_s));
  // The bridge's B = 30 threads wait for ceil(676 / 30) = 23 requests each.
  auto bridge = first_cell({"--models", "executor_bridge", "--delay", "100ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(bridge, calibrated),
                   676 / (23 * 0.1 + 23 * request_s));
  auto processes = first_cell(
      {"--models", "process_pool", "--concurrency", "100", "--delay", "100ms"});
  EXPECT_DOUBLE_EQ(*serial_floor_seconds(processes, calibrated), 7 * request_s);
}

TEST(harness_attainable, a_sleep_cell_spawns_its_timers_before_the_last_can_fire) {
  auto loop = first_cell({"--workload", "sleep", "--models", "coroutines", "--items",
                          "1000", "--delay", "10ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(loop, calibrated),
                   1000 / (0.01 + 1000 * timer_s));
  auto pool = first_cell({"--workload", "sleep", "--models", "thread_pool", "--items",
                          "1000", "--concurrency", "100", "--delay", "10ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(pool, calibrated),
                   1000 / (10 * 0.01 + 10 * timer_s));
}

TEST(harness_attainable,
     the_other_workloads_add_the_same_floor_and_a_zero_delay_has_none) {
  auto linked =
      first_cell({"--models", "coroutines", "--delay", "100ms", "--link-delay", "25ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(linked, calibrated),
                   676 / (0.15 + 675 * opening_s + request_s));
  // Chained: 2 rounds, so the last connection opened makes two requests.
  auto chained =
      first_cell({"--workload", "chained", "--models", "coroutines", "--delay", "100ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(chained, calibrated),
                   676 / (0.2 + 675 * opening_s + 2 * request_s));
  // The hammer on one loop: its CPU bound, 676 x 1 ms, is slower than the waiting.
  auto hammer = first_cell({"--workload", "hammer", "--models", "coroutines",
                            "--concurrency", "100", "--delay", "50ms"});
  EXPECT_DOUBLE_EQ(*attainable_items_per_second(hammer, calibrated), 676 / 0.676);
  // No delay: no ideal, and no attainable rate (the floor's new connection a request is
  // not what a cell that reuses its connections pays).
  auto throughput = first_cell({"--models", "coroutines", "--items", "2000",
                                "--concurrency", "100", "--delay", "0ms"});
  EXPECT_FALSE(ideal_items_per_second(throughput));
  EXPECT_FALSE(attainable_items_per_second(throughput, calibrated));
}

TEST(harness_attainable, without_its_floor_a_cell_gets_the_ideal) {
  auto flags = first_cell({"--models", "coroutines", "--delay", "100ms"});
  machine_floors timers_only{.timer_spawn_us = 0.5};
  EXPECT_EQ(attainable_items_per_second(flags, timers_only),
            ideal_items_per_second(flags));
  EXPECT_EQ(attainable_items_per_second(flags, {}), ideal_items_per_second(flags));
  auto throughput = first_cell({"--models", "coroutines", "--delay", "0ms"});
  EXPECT_FALSE(attainable_items_per_second(throughput, {}));
  boost::json::object context{
      {"calibration", {{"connect_request_us", 50.0}, {"timer_spawn_us", 0.5}}}};
  EXPECT_EQ(floors_of(context).connect_request_us, 50.0);
  EXPECT_EQ(floors_of(context).timer_spawn_us, 0.5);
  EXPECT_FALSE(floors_of({{"calibration", {{"fork_exit_ms", 1.0}}}}).timer_spawn_us);
}

TEST(harness_plan_file, cells_that_differ_only_in_x_or_a_ticker_are_separate_benchmarks) {
  plan_file plan(
      "--workload hammer --models coroutines --items 10 --work-us 100\n"
      "--workload hammer --models coroutines --items 10 --work-us 200\n"
      "--workload hammer --models coroutines --items 10 --work-us 200 --ticker 10ms\n");
  auto cells = plan_cells(parse({"--plan", plan.path.c_str(), "--repetitions", "2"}));
  ASSERT_EQ(cells.size(), 6u);
  std::vector<finished_cell> done;
  for (const auto& one : cells) done.push_back({one, {}});
  auto order = in_report_order(done);
  std::size_t benchmarks = 0;
  for (std::size_t first = 0; first < order.size();
       first = end_of_benchmark(order, first))
    ++benchmarks;
  EXPECT_EQ(benchmarks, 3u);  // each with its own median and summary row
}

TEST(harness_plan, a_ticker_names_its_cell_and_reaches_the_job) {
  auto options = parse({"--workload", "sleep", "--models", "coroutines", "--items", "5",
                        "--ticker", "10ms", "--repetitions", "1"});
  auto one = plan_cells(options).front();
  EXPECT_EQ(one.name(), "sleep/coroutines/C:5/ticker:10ms");
  EXPECT_EQ(one.work().ticker, 10ms);
}

TEST(harness_cli, work_us_is_the_hammers_and_a_ticker_is_whole_ms_1ms_to_10s) {
  EXPECT_NE(message({"--work-us", "100"}).find("--work-us"), std::string::npos);
  EXPECT_NE(message({"--workload", "hammer", "--work-us", "-1"}).find("--work-us"),
            std::string::npos);
  EXPECT_NE(message({"--workload", "hammer", "--work-us", "10000001"}).find("--work-us"),
            std::string::npos);
  EXPECT_NE(message({"--ticker", "0ms"}).find("--ticker"), std::string::npos);
  EXPECT_NE(message({"--ticker", "11s"}).find("--ticker"), std::string::npos);
  EXPECT_EQ(message({"--workload", "hammer", "--work-us", "0", "--ticker", "5ms"}),
            "accepted");
}

common::machine_limits roomy() {
  return {1 << 20, 1 << 20, 1 << 20, 1 << 22, 1 << 22, 1 << 22, common::unlimited};
}

TEST(harness_limits, each_limit_is_named_with_the_setting_that_lifts_it) {
  auto flags = plan_cells(
      parse({"--models", "coroutines", "--items", "600", "--repetitions", "1"}));
  EXPECT_FALSE(first_limit_problem(flags, roomy()));

  auto limits = roomy();
  limits.open_files = 256;
  auto problem = first_limit_problem(flags, limits);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("ulimit -n"), std::string::npos) << *problem;

  limits = roomy();
  limits.local_ports = 500;
  problem = first_limit_problem(flags, limits);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("ip_local_port_range"), std::string::npos) << *problem;

  // A model whose every task holds a thread meets the thread limits.
  models::model threaded{.name = "threaded",
                         .how_it_waits = "a thread per task",
                         .family = models::model_family::blocking,
                         .each_task_holds = models::task_holder::thread};
  auto cells = flags;
  for (auto& one : cells) one.model = &threaded;
  limits = roomy();
  limits.threads_max = 1000;
  problem = first_limit_problem(cells, limits);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("kernel.threads-max"), std::string::npos) << *problem;
  limits = roomy();
  limits.max_map_count = 1500;
  problem = first_limit_problem(cells, limits);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("vm.max_map_count"), std::string::npos) << *problem;
  limits = roomy();
  limits.user_processes = 1200;
  problem = first_limit_problem(cells, limits);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("ulimit -u"), std::string::npos) << *problem;
  // ...which an event loop does not.
  EXPECT_FALSE(first_limit_problem(flags, limits));
}

TEST(harness_limits, open_files_are_counted_in_each_process_the_proxy_two_a_link) {
  auto direct = plan_cells(parse({"--models", "coroutines", "--items", "100",
                                  "--concurrency", "100", "--repetitions", "1"}));
  auto proxied =
      plan_cells(parse({"--models", "coroutines", "--items", "100", "--concurrency",
                        "100", "--link-delay", "10ms", "--repetitions", "1"}));
  auto limits = roomy();
  limits.open_files = 170;  // the child's 100 and 64 spare fit; the proxy's 200 do not
  EXPECT_FALSE(first_limit_problem(direct, limits));
  auto problem = first_limit_problem(proxied, limits);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->substr(0, problem->find(": raise")),
            "flags/coroutines/C:100/link_delay:10ms needs 264 open files in "
            "hammertime-proxy (2 a connection, 64 spare) but `ulimit -n` is 170");
  limits.open_files = 264;
  EXPECT_FALSE(first_limit_problem(proxied, limits));
  // Without a proxy the child needs the most: the server holds one a connection.
  limits.open_files = 163;
  problem = first_limit_problem(direct, limits);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("in the cell's child"), std::string::npos) << *problem;
}

TEST(harness_limits, the_bridges_plan_check_counts_its_b_threads_not_its_c) {
  auto cells =
      plan_cells(parse({"--models", "executor_bridge", "--items", "676", "--concurrency",
                        "676", "--bridge-threads", "30", "--repetitions", "1"}));
  auto limits = roomy();
  limits.threads_max = 1030;  // 30 threads and the 1000 spared for the machine
  EXPECT_FALSE(first_limit_problem(cells, limits));
  limits.threads_max = 1029;
  EXPECT_TRUE(first_limit_problem(cells, limits));
}

std::vector<std::string> cell_names(std::vector<std::string_view> args) {
  std::vector<std::string> names;
  for (const auto& one : plan_cells(parse(args))) names.push_back(one.name());
  return names;
}

TEST(harness_plan, a_family_selector_leaves_out_a_model_that_cannot_run_the_c_asked) {
  EXPECT_EQ(cell_names({"--workload", "sleep", "--models", "family:blocking", "--items",
                        "10", "--concurrency", "10", "--repetitions", "1"}),
            (std::vector<std::string>{"sleep/thread_pool/C:10", "sleep/process_pool/C:10",
                                      "sleep/executor_bridge/C:10"}));
  // Named, it is clamped to its most, as before.
  EXPECT_EQ(cell_names({"--workload", "sleep", "--models", "sequential", "--items", "10",
                        "--concurrency", "10", "--repetitions", "1"}),
            (std::vector<std::string>{"sleep/sequential/C:1"}));
}

TEST(harness_plan, a_selector_by_what_a_task_holds_or_a_knob_it_reads) {
  auto sleep_at_10 = [](std::string_view models) {
    return cell_names({"--workload", "sleep", "--models", models, "--items", "10",
                       "--concurrency", "10", "--repetitions", "1"});
  };
  EXPECT_EQ(sleep_at_10("holds:process"),
            (std::vector<std::string>{"sleep/process_pool/C:10"}));
  EXPECT_EQ(sleep_at_10("holds:thread,-knob:bridge_threads"),
            (std::vector<std::string>{"sleep/thread_pool/C:10"}));
  EXPECT_EQ(sleep_at_10("knob:bridge_threads"),
            (std::vector<std::string>{"sleep/executor_bridge/C:10"}));
  EXPECT_EQ(sleep_at_10("knob:stack_size"),
            (std::vector<std::string>{"sleep/fibers/C:10"}));
  auto less_bridge = sleep_at_10("all,-knob:bridge_threads");
  EXPECT_EQ(
      std::count(less_bridge.begin(), less_bridge.end(), "sleep/executor_bridge/C:10"),
      0);
  EXPECT_EQ(less_bridge.size(), sleep_at_10("all").size() - 1);
  EXPECT_THROW(sleep_at_10("holds:fiber"), usage_error);
  EXPECT_THROW(sleep_at_10("knob:colour"), usage_error);
}

TEST(harness_plan, one_at_a_time_selects_the_rows_whose_most_is_one_at_c_1) {
  auto sleep_10 = [](std::string_view models) {
    return cell_names({"--workload", "sleep", "--models", models, "--items", "10",
                       "--repetitions", "1"});
  };
  EXPECT_EQ(sleep_10("one_at_a_time"),
            (std::vector<std::string>{"sleep/sequential/C:1"}));
  EXPECT_EQ(sleep_10("peers:one_at_a_time"),
            (std::vector<std::string>{"sleep/python_sequential/C:1"}));
  auto less = sleep_10("all,-one_at_a_time");
  EXPECT_EQ(std::count(less.begin(), less.end(), "sleep/sequential/C:1"), 0);
  EXPECT_EQ(less.size(), sleep_10("all").size() - 1);
  // Chosen by a selector, it sits out an asked C above its most.
  EXPECT_TRUE(cell_names({"--workload", "sleep", "--models", "one_at_a_time", "--items",
                          "10", "--concurrency", "10", "--repetitions", "1"})
                  .empty());
  // A misspelt one is refused with the words peers: takes.
  try {
    sleep_10("peers:one_at_a_tim");
    ADD_FAILURE() << "peers:one_at_a_tim was taken";
  } catch (const usage_error& refused) {
    EXPECT_NE(std::string(refused.what()).find("blocking, event_loop or one_at_a_time"),
              std::string::npos)
        << refused.what();
  }
}

TEST(harness_plan, all_less_a_name_and_the_peers_of_a_family) {
  auto event_loops = cell_names({"--workload", "sleep", "--models", "family:event_loop",
                                 "--items", "10", "--repetitions", "1"});
  auto all_less =
      cell_names({"--workload", "sleep", "--models",
                  "all,-sequential,-thread_pool,-process_pool,-executor_bridge",
                  "--items", "10", "--repetitions", "1"});
  EXPECT_EQ(event_loops.size(), 6u);
  EXPECT_EQ(event_loops, all_less);
  auto blocking_peers =
      cell_names({"--workload", "sleep", "--models", "peers:blocking", "--items", "10",
                  "--concurrency", "10", "--repetitions", "1"});
  auto has = [&](std::string_view name) {
    return std::find(blocking_peers.begin(), blocking_peers.end(), name) !=
           blocking_peers.end();
  };
  EXPECT_TRUE(has("sleep/python_threads/C:10"));
  EXPECT_FALSE(has("sleep/python_sequential/C:1"));  // at most 1: left out at C = 10
  EXPECT_FALSE(has("sleep/python_asyncio/C:10"));
  EXPECT_THROW(parse({"--models", "family:nope"}), usage_error);
  EXPECT_THROW(parse({"--models", "all,-nope"}), usage_error);
}

TEST(harness_limits, a_model_this_machine_cannot_run_is_named_before_the_run) {
  auto cells = plan_cells(
      parse({"--models", "coroutines", "--items", "10", "--repetitions", "1"}));
  EXPECT_FALSE(first_model_that_cannot_run(cells));
  models::model refused{.name = "refused",
                        .how_it_waits = "needs what this kernel lacks"};
  refused.cannot_run_here = [] { return std::string("io_uring is refused (ENOSYS)"); };
  for (auto& one : cells) one.model = &refused;
  auto problem = first_model_that_cannot_run(cells);
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem, "refused cannot run on this machine: io_uring is refused (ENOSYS)");
}

TEST(harness_server, urls_are_http_host_and_port) {
  auto where = parse_server_url("http://127.0.0.1:8001/");
  ASSERT_TRUE(where);
  EXPECT_EQ(where->host, "127.0.0.1");
  EXPECT_EQ(where->port, 8001);
  EXPECT_FALSE(parse_server_url("127.0.0.1:8001"));
  EXPECT_FALSE(parse_server_url("http://127.0.0.1"));
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:0"));
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:99999"));
  // IPv6 in brackets, as the server prints it; without them the port is ambiguous
  auto v6 = parse_server_url("http://[::1]:8001");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8001);
  EXPECT_EQ(v6->url(), "http://[::1]:8001");
  EXPECT_FALSE(parse_server_url("http://::1:8001"));
  EXPECT_FALSE(parse_server_url("http://[::1:8001"));
  EXPECT_FALSE(parse_server_url("http://[]:8001"));
}

finished_cell a_cell(std::size_t repetition, double wall_seconds,
                     std::string error = {}) {
  static const auto options =
      parse({"--workload", "sleep", "--models", "coroutines", "--items", "100",
             "--concurrency", "50", "--delay", "10ms", "--repetitions", "3"});
  finished_cell done{plan_cells(options).front(), {}};
  done.where.repetition = repetition;
  done.result.error = std::move(error);
  done.result.seconds_outside = wall_seconds + 0.01;
  if (done.result.error.empty()) {
    done.result.wall_seconds = wall_seconds;
    done.result.ok = 100;
    done.result.baseline_pss_bytes = 1'000'000;
  }
  done.result.memory_method = "sampled PSS";
  done.result.memory_samples = 50;
  done.result.peak_memory_bytes = 1'500'000;
  done.result.cpu_user_s = 0.01;
  done.result.process_cpu_user_s = 0.03;
  return done;
}

double number(const boost::json::value& value) {
  return value.is_double() ? value.as_double()
                           : static_cast<double>(value.to_number<double>());
}

// A child made with CLONE_VM shares this process's memory, as a vfork child or
// LeakSanitizer's tracer does: its PSS is this process's PSS over again.
alignas(16) char sharing_child_stack[64 * 1024];
int wait_to_be_killed(void*) {
  for (;;) syscall(SYS_pause);
}

TEST(harness_memory, a_child_that_shares_its_parents_memory_is_counted_once) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer's instrumented code cannot run in a raw clone() child "
                  "(it has no TSan thread state)";
#endif
  pid_t child = clone(wait_to_be_killed, sharing_child_stack + sizeof sharing_child_stack,
                      CLONE_VM | SIGCHLD, nullptr);
  ASSERT_GT(child, 0);
  auto tree = process_tree(getpid());
  auto owners = memory_owners(getpid());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_NE(std::find(tree.begin(), tree.end(), child), tree.end());
  EXPECT_EQ(std::find(owners.begin(), owners.end(), child), owners.end());
  EXPECT_NE(std::find(owners.begin(), owners.end(), getpid()), owners.end());
}

TEST(harness_results, cells_are_google_benchmark_entries_with_a_median) {
  std::vector<finished_cell> cells{a_cell(0, 0.040), a_cell(1, 0.020), a_cell(2, 0.025)};
  auto json = results_json({{"date", "today"}}, cells);
  const auto& benchmarks = json.at("benchmarks").as_array();
  ASSERT_EQ(benchmarks.size(), 4u);
  const auto& first = benchmarks[0].as_object();
  EXPECT_EQ(first.at("name"), "sleep/coroutines/C:50");
  EXPECT_EQ(first.at("run_type"), "iteration");
  EXPECT_EQ(first.at("repetition_index").to_number<int>(), 0);
  EXPECT_DOUBLE_EQ(number(first.at("real_time")), 40.0);
  EXPECT_DOUBLE_EQ(number(first.at("items_per_second")), 2500.0);
  EXPECT_DOUBLE_EQ(number(first.at("efficiency")), 0.5);  // ideal: 2 rounds x 10 ms
  EXPECT_DOUBLE_EQ(number(first.at("bytes_per_task")), 10'000.0);  // 500 kB / 50 tasks
  const auto& median = benchmarks[3].as_object();
  EXPECT_EQ(median.at("name"), "sleep/coroutines/C:50_median");
  EXPECT_EQ(median.at("run_type"), "aggregate");
  EXPECT_EQ(median.at("aggregate_name"), "median");
  EXPECT_DOUBLE_EQ(number(median.at("real_time")), 25.0);
  EXPECT_DOUBLE_EQ(number(median.at("items_per_second")), 4000.0);
  EXPECT_DOUBLE_EQ(number(median.at("items_per_second_min")), 2500.0);
  EXPECT_DOUBLE_EQ(number(median.at("items_per_second_max")), 5000.0);
  EXPECT_EQ(median.at("items").to_number<int>(), 100);
}

TEST(harness_results, every_row_has_its_attainable_rate_and_its_share_of_it) {
  // Sleep, N = 100, C = 50, 10 ms: the loop arms 100 timers of 100 µs each in turn, so
  // attainable = 100 / (2 x 10 ms + 10 ms); 2500 items/s reach 75 % of it.
  boost::json::object context{{"calibration", {{"timer_spawn_us", 100.0}}}};
  std::vector<finished_cell> cells{a_cell(0, 0.040)};
  auto json = results_json(context, cells);
  const auto& row = json.at("benchmarks").as_array()[0];
  EXPECT_DOUBLE_EQ(number(row.at("attainable_items_per_second")), 100 / 0.030);
  EXPECT_DOUBLE_EQ(number(row.at("of_attainable")), 0.75);
  EXPECT_DOUBLE_EQ(number(row.at("efficiency")), 0.5);
  auto csv = results_csv(cells, floors_of(context));
  EXPECT_NE(csv.find(",efficiency,attainable_items_per_second,of_attainable,"),
            std::string::npos);
  EXPECT_NE(csv.find(",0.500000,3333.333333,0.750000,"), std::string::npos) << csv;
  auto summary = summary_markdown(context, cells);
  EXPECT_NE(summary.find("| efficiency | attainable items/s | of attainable |"),
            std::string::npos);
  EXPECT_NE(summary.find("| 5000 | 50.0 % | 3333 | 75.0 % |"), std::string::npos)
      << summary;
  // A failed run has its attainable rate but no share of it; the median has both.
  std::vector<finished_cell> three{a_cell(0, 0.040), a_cell(1, 0, "crashed: SIGSEGV"),
                                   a_cell(2, 0.020)};
  auto with_a_failure = results_json(context, three);
  const auto& rows = with_a_failure.at("benchmarks").as_array();
  EXPECT_TRUE(rows[1].as_object().contains("attainable_items_per_second"));
  EXPECT_FALSE(rows[1].as_object().contains("of_attainable"));
  EXPECT_DOUBLE_EQ(number(rows[3].at("of_attainable")), (0.75 + 1.5) / 2);
  // A context without the floor (an older run): attainable is the ideal.
  auto older = results_json({}, cells);
  const auto& plain = older.at("benchmarks").as_array()[0];
  EXPECT_DOUBLE_EQ(number(plain.at("attainable_items_per_second")), 5000);
  EXPECT_DOUBLE_EQ(number(plain.at("of_attainable")), 0.5);
}

TEST(harness_results, a_tickers_lag_and_the_hammers_x_are_in_every_result_file) {
  auto options =
      parse({"--workload", "hammer", "--models", "coroutines", "--items", "100",
             "--work-us", "250", "--ticker", "10ms", "--repetitions", "1"});
  finished_cell done{plan_cells(options).front(), {}};
  done.result.wall_seconds = 0.5;
  done.result.ok = 100;
  done.result.loop_lag_p50_ms = 1.5, done.result.loop_lag_p99_ms = 120.25;
  done.result.loop_lag_max_ms = 130;
  std::vector<finished_cell> cells{done};
  auto json = results_json({}, cells);
  const auto& entry = json.at("benchmarks").as_array()[0].as_object();
  EXPECT_EQ(entry.at("name"), "hammer/coroutines/C:100/work_us:250/ticker:10ms");
  EXPECT_EQ(entry.at("work_us").to_number<int>(), 250);
  EXPECT_EQ(entry.at("ticker_ms").to_number<int>(), 10);
  EXPECT_DOUBLE_EQ(number(entry.at("loop_lag_p99_ms")), 120.25);
  auto csv = results_csv(cells, {});
  EXPECT_NE(csv.find("work_us,ticker_ms,loop_lag_p50_ms,loop_lag_p99_ms,loop_lag_max_ms"),
            std::string::npos);
  EXPECT_NE(csv.find(",250,10,1.500000,120.250000,130.000000,"), std::string::npos)
      << csv;
  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("loop lag p50 / p99 / max ms"), std::string::npos);
  EXPECT_NE(summary.find("| 1.5 / 120.2 / 130.0 |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("hammer X=250µs +ticker 10ms"), std::string::npos);
  std::vector<finished_cell> without{a_cell(0, 0.040)};
  EXPECT_EQ(summary_markdown({}, without).find("loop lag"), std::string::npos);
}

TEST(harness_results, a_failed_cell_carries_its_error_and_stays_out_of_the_median) {
  std::vector<finished_cell> cells{a_cell(0, 0.040), a_cell(1, 0, "crashed: SIGSEGV"),
                                   a_cell(2, 0.020)};
  auto json = results_json({}, cells);
  const auto& benchmarks = json.at("benchmarks").as_array();
  ASSERT_EQ(benchmarks.size(), 4u);
  const auto& failed = benchmarks[1].as_object();
  EXPECT_EQ(failed.at("error_occurred"), true);
  EXPECT_EQ(failed.at("error_message"), "crashed: SIGSEGV");
  EXPECT_EQ(failed.at("valid"), false);
  EXPECT_FALSE(failed.contains("items_per_second"));
  const auto& median = benchmarks[3].as_object();
  EXPECT_DOUBLE_EQ(number(median.at("items_per_second")), 3750.0);
  EXPECT_EQ(median.at("valid"), false);
  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("no (2 of 3)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("crashed: SIGSEGV"), std::string::npos);
  auto csv = results_csv(cells, {});
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
}

TEST(harness_results, an_uneven_tally_is_invalid) {
  auto done = a_cell(0, 0.040);
  done.result.ok = 99;
  EXPECT_FALSE(is_valid(done));
  EXPECT_TRUE(is_valid(a_cell(0, 0.040)));
}

TEST(harness_results, a_flags_tally_without_faults_must_be_the_exact_one) {
  EXPECT_EQ(flags_among_first(676), 194u);  // data/flags.tsv
  EXPECT_EQ(flags_among_first(0), 0u);
  // Past 676 the items go round the codes again: 194 per round, then the first codes.
  EXPECT_EQ(flags_among_first(676 * 3), 3 * 194u);
  EXPECT_EQ(flags_among_first(676 + 100), 194u + flags_among_first(100));
  EXPECT_EQ(parse({"--workload", "flags", "--items", "100000"}).items, 100000u);
  auto beyond = plan_cells(parse({"--workload", "flags", "--models", "coroutines",
                                  "--items", "20000", "--concurrency", "100"}));
  EXPECT_EQ(beyond.front().name(), "flags/coroutines/C:100/N:20000");
  auto options = parse({"--workload", "flags", "--models", "coroutines", "--items", "100",
                        "--delay", "10ms", "--repetitions", "1"});
  cell flags = plan_cells(options).front();
  auto expected = flags_among_first(100);
  ASSERT_GT(expected, 0u);
  ASSERT_LT(expected, 100u);
  cell_result exact;
  exact.ok = expected;
  exact.not_found = 100 - expected;
  EXPECT_EQ(tally_problem(flags, exact, false), std::nullopt);

  cell_result all_failed;  // what a dead server gives
  all_failed.failed = 100;
  EXPECT_EQ(tally_problem(flags, all_failed, false),
            "expected " + std::to_string(expected) + " ok / " +
                std::to_string(100 - expected) + " not found, got 0 / 0 (100 failed)");
  // With faults injected only the sum is known.
  EXPECT_EQ(tally_problem(flags, all_failed, true), std::nullopt);
  cell_result short_one = exact;
  short_one.ok -= 1;
  auto problem = tally_problem(flags, short_one, true);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("does not add up to 100"), std::string::npos) << *problem;
  // A flag counted as not found is as wrong as a failure.
  cell_result swapped = exact;
  swapped.ok -= 1, swapped.not_found += 1;
  EXPECT_TRUE(tally_problem(flags, swapped, false).has_value());
}

TEST(harness_files, writes_replace_the_file_whole_and_leave_no_temporary) {
  auto folder =
      fs::temp_directory_path() / ("hammertime-atomic-" + std::to_string(getpid()));
  fs::create_directories(folder);
  write_file_atomically(folder / "a.txt", "first");
  write_file_atomically(folder / "a.txt", "second");
  std::ifstream file(folder / "a.txt");
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), "second");
  fs::create_directories(folder / "runs" / "one");
  fs::create_directories(folder / "runs" / "two");
  point_symlink_atomically(folder / "latest", "runs/one");
  point_symlink_atomically(folder / "latest", "runs/two");
  EXPECT_EQ(fs::read_symlink(folder / "latest"), "runs/two");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(folder)) ++entries;
  EXPECT_EQ(entries, 3u);  // a.txt, runs, latest
  fs::remove_all(folder);
}

// --- numbers a speaker can defend ----------------------------------------------

TEST(harness_plan, cells_are_shuffled_within_each_repetition_and_a_seed_replays_it) {
  auto options = parse({"--workload", "sleep", "--models", "all", "--items", "10",
                        "--concurrency", "1,5,10", "--repetitions", "3"});
  auto planned = plan_cells(options);
  auto order_of = [&](std::uint64_t seed) {
    auto cells = planned;
    shuffle_within_repetitions(cells, seed);
    return cells;
  };
  auto names = [](const std::vector<cell>& cells, std::size_t repetition) {
    std::vector<std::string> list;
    for (const auto& one : cells)
      if (one.repetition == repetition) list.push_back(one.name());
    return list;
  };
  auto shuffled = order_of(7);
  ASSERT_EQ(shuffled.size(), planned.size());
  for (std::size_t i = 1; i < shuffled.size(); ++i)  // repetition stays outermost
    EXPECT_LE(shuffled[i - 1].repetition, shuffled[i].repetition);
  for (std::size_t r = 0; r < 3; ++r) {
    auto before = names(planned, r), after = names(shuffled, r);
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    EXPECT_EQ(before, after) << "repetition " << r << " holds every cell once";
  }
  EXPECT_NE(names(shuffled, 0), names(planned, 0));
  EXPECT_NE(names(shuffled, 0), names(shuffled, 1));  // each repetition its own order
  EXPECT_EQ(names(order_of(7), 0), names(shuffled, 0));
  EXPECT_NE(names(order_of(8), 0), names(shuffled, 0));
  EXPECT_EQ(names(order_of(0), 0), names(planned, 0));  // 0: the planned order
}

TEST(harness_cli, run_wide_switches_and_the_shuffle_seed) {
  auto options = parse({"--shuffle-seed", "12345", "--pin", "--sample-memory"});
  EXPECT_EQ(options.shuffle_seed, 12345u);
  EXPECT_TRUE(options.pin);
  EXPECT_TRUE(options.sample_memory);
  EXPECT_FALSE(parse({}).shuffle_seed.has_value());
  EXPECT_THROW(parse({"--shuffle-seed", "-1"}), usage_error);
  EXPECT_THROW(parse({"--shuffle-seed", "x"}), usage_error);
  EXPECT_THROW(parse({"--pin=yes"}), usage_error);
}

TEST(harness_results,
     a_server_that_answered_later_than_2_percent_of_the_delay_is_flagged) {
  std::vector<finished_cell> cells{a_cell(0, 0.040), a_cell(1, 0.041), a_cell(2, 0.040)};
  for (auto& done : cells)
    done.result.server_lateness_ms = server_lateness{0.05, 0.15, 0.3};
  // 0.15 ms of a 10 ms delay is 1.5 %: not bound.
  EXPECT_FALSE(server_bound(cells[0]));
  EXPECT_EQ(summary_markdown({}, cells).find("**server-bound** ("), std::string::npos);
  cells[1].result.server_lateness_ms->p99_ms = 0.25;  // 2.5 %
  EXPECT_TRUE(server_bound(cells[1]));
  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("**server-bound** (1 of 3)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("| 0.150 |"), std::string::npos) << summary;  // its p99
  auto json = results_json({}, cells);
  const auto& benchmarks = json.at("benchmarks").as_array();
  EXPECT_EQ(benchmarks[1].at("server_bound"), true);
  EXPECT_EQ(benchmarks[0].at("server_bound"), false);
  EXPECT_EQ(benchmarks[3].at("server_bound"), true);  // the median row: any of them
  EXPECT_DOUBLE_EQ(number(benchmarks[1].at("server_lateness_p99_ms")), 0.25);
}

TEST(harness_results, a_proxy_that_passed_bytes_on_later_than_2_percent_of_the_delay) {
  std::vector<finished_cell> cells{a_cell(0, 0.040), a_cell(1, 0.041), a_cell(2, 0.040)};
  EXPECT_FALSE(proxy_bound(cells[0]));                                // no proxy
  for (auto& done : cells) done.result.proxy_lateness_p99_ms = 0.15;  // 1.5 % of 10 ms
  EXPECT_FALSE(proxy_bound(cells[0]));
  cells[2].result.proxy_lateness_p99_ms = 0.25;  // 2.5 %
  EXPECT_TRUE(proxy_bound(cells[2]));
  EXPECT_FALSE(server_bound(cells[2]));
  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("**proxy-bound** (1 of 3)"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("**server-bound** ("), std::string::npos) << summary;
  auto json = results_json({}, cells);
  const auto& benchmarks = json.at("benchmarks").as_array();
  EXPECT_EQ(benchmarks[0].at("proxy_bound"), false);
  EXPECT_EQ(benchmarks[2].at("proxy_bound"), true);
  EXPECT_EQ(benchmarks[3].at("proxy_bound"), true);  // the median row: any of them
  auto csv = results_csv(cells, {});
  EXPECT_NE(csv.substr(0, csv.find('\n')).find(",server_bound,proxy_bound,"),
            std::string::npos);
  EXPECT_NE(csv.find(",false,true,"), std::string::npos) << csv;  // the third row
}

TEST(harness_results,
     requests_that_waited_in_the_servers_own_queue_past_2_percent_are_server_bound) {
  std::vector<finished_cell> cells{a_cell(0, 0.040), a_cell(1, 0.041), a_cell(2, 0.040)};
  for (auto& done : cells) {
    done.result.server_lateness_ms = server_lateness{0.05, 0.1, 0.2};
    done.result.server_own_queue_ms = server_lateness{0.02, 0.15, 0.3};
    done.result.client_send_wait_ms = server_lateness{3, 40, 90};  // the client's own
  }
  // 0.15 ms of a 10 ms delay is 1.5 %, and the client's part does not count: not bound.
  EXPECT_FALSE(server_bound(cells[0]));
  EXPECT_EQ(summary_markdown({}, cells).find("**server-bound** ("), std::string::npos);
  cells[1].result.server_own_queue_ms->p99_ms = 0.25;  // 2.5 %
  EXPECT_TRUE(server_bound(cells[1]));
  cells[2].result.server_lateness_ms.reset();  // own queue alone is enough
  cells[2].result.server_own_queue_ms->p99_ms = 0.25;
  EXPECT_TRUE(server_bound(cells[2]));

  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("**server-bound** (2 of 3)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("| own queue / send wait p99 ms |"), std::string::npos);
  EXPECT_NE(summary.find("| 0.250 / 40.0 |"), std::string::npos) << summary;
  auto json = results_json({}, cells);
  const auto& benchmarks = json.at("benchmarks").as_array();
  EXPECT_EQ(benchmarks[0].at("server_bound"), false);
  EXPECT_EQ(benchmarks[2].at("server_bound"), true);
  EXPECT_FALSE(benchmarks[2].as_object().contains("server_lateness_p99_ms"));
  EXPECT_DOUBLE_EQ(number(benchmarks[1].at("server_own_queue_p99_ms")), 0.25);
  EXPECT_DOUBLE_EQ(number(benchmarks[1].at("client_send_wait_p99_ms")), 40);
  EXPECT_DOUBLE_EQ(number(benchmarks[1].at("client_send_wait_max_ms")), 90);
}

TEST(harness_results, a_spread_above_10_percent_is_unstable_and_the_cv_is_given) {
  std::vector<finished_cell> steady{a_cell(0, 0.040), a_cell(1, 0.041),
                                    a_cell(2, 0.0405)};
  auto json = results_json({}, steady);
  const auto& median = json.at("benchmarks").as_array()[3].as_object();
  EXPECT_EQ(median.at("unstable"), false);
  EXPECT_GT(number(median.at("items_per_second_cv")), 0.0);
  EXPECT_LT(number(median.at("items_per_second_cv")), 0.02);
  EXPECT_EQ(summary_markdown({}, steady).find("| **unstable**"), std::string::npos);

  std::vector<finished_cell> shaky{a_cell(0, 0.040), a_cell(1, 0.020), a_cell(2, 0.025)};
  json = results_json({}, shaky);
  EXPECT_EQ(json.at("benchmarks").as_array()[3].at("unstable"), true);
  EXPECT_NE(summary_markdown({}, shaky).find("| **unstable**"), std::string::npos);
  auto spread = dispersion_of({100, 105, 111});  // (111 - 100) / 105 = 10.5 %
  EXPECT_TRUE(spread.unstable);
  EXPECT_NEAR(spread.cv, 4.5 / 105.33, 1e-3);
  EXPECT_FALSE(dispersion_of({100, 105, 109}).unstable);
}

TEST(harness_results, cpu_per_item_and_bytes_per_task_show_three_significant_digits) {
  // 1M sleeping tasks at 0.66 us of CPU each: the old table printed 0.001 s per 1000.
  auto done = a_cell(0, 1.2);
  done.where.items = done.where.concurrency = 1'000'000;
  done.result.ok = 1'000'000;
  done.result.cpu_user_s = 0.5, done.result.cpu_system_s = 0.16;
  done.result.peak_memory_bytes = 1'000'000 + 120'000'000;  // 120 B per task
  std::vector<finished_cell> cells{done};
  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("| 0.660 |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("| 120 B |"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("0.000"), std::string::npos) << summary;
}

TEST(harness_results, a_measure_not_taken_is_n_a_with_its_reason_never_0) {
  auto done = a_cell(0, 0.040);
  done.result.peak_memory_bytes = 900'000;  // below the 1'000'000 baseline: missed
  std::string why;
  EXPECT_FALSE(bytes_per_task(done, &why).has_value());
  EXPECT_EQ(why, "peak below the baseline");
  std::vector<finished_cell> cells{done};
  auto summary = summary_markdown({}, cells);
  EXPECT_NE(summary.find("n/a (peak below the baseline)"), std::string::npos) << summary;
  auto entry = results_json({}, cells).at("benchmarks").as_array()[0].as_object();
  EXPECT_FALSE(entry.contains("bytes_per_task"));
  EXPECT_EQ(entry.at("bytes_per_task_missing"), "peak below the baseline");
  EXPECT_DOUBLE_EQ(number(entry.at("peak_memory_bytes")), 900'000);  // not raised

  done.result.peak_memory_bytes.reset();  // never read
  EXPECT_FALSE(bytes_per_task(done, &why).has_value());
  EXPECT_EQ(why, "no peak");
  entry = results_json({}, std::vector{done}).at("benchmarks").as_array()[0].as_object();
  EXPECT_FALSE(entry.contains("peak_memory_bytes"));
}

TEST(harness_results, a_child_line_without_a_field_is_an_error_not_a_zero) {
  std::string full =
      R"({"wall_seconds":0.5,"cpu_user_seconds":0.01,"cpu_system_seconds":0.02,"ok":3,)"
      R"("not_found":1,"failed":0,"bytes":10,"p50_ms":1,"p99_ms":2,"max_ms":3,)"
      R"("baseline_pss_bytes":100,"baseline_rss_bytes":200,"vm_hwm_bytes":300})";
  cell_result result;
  std::string error;
  ASSERT_TRUE(read_child_report("noise\n" + full + "\n", result, error));
  EXPECT_EQ(error, "");
  EXPECT_EQ(result.ok, 3u);
  EXPECT_DOUBLE_EQ(result.cpu_system_s, 0.02);
  EXPECT_FALSE(result.baseline_cgroup_bytes.has_value());

  auto without = full;
  without.replace(without.find(R"("cpu_user_seconds":0.01,)"), 24, "");
  cell_result partial;
  ASSERT_TRUE(read_child_report(without, partial, error));
  EXPECT_EQ(error, "the child's result line has no number 'cpu_user_seconds'");
  EXPECT_FALSE(read_child_report("not json", partial, error));
}

TEST(harness_results, the_work_cpu_is_the_cpu_time_and_the_process_cpu_stands_beside_it) {
  auto done = a_cell(0, 0.040);
  auto entry =
      results_json({}, std::vector{done}).at("benchmarks").as_array()[0].as_object();
  EXPECT_DOUBLE_EQ(number(entry.at("cpu_time")), 10.0);  // the work's 0.01 s, in ms
  EXPECT_DOUBLE_EQ(number(entry.at("cpu_us_per_item")), 100.0);          // 10 ms / 100
  EXPECT_DOUBLE_EQ(number(entry.at("process_cpu_us_per_item")), 300.0);  // 30 ms / 100
  EXPECT_NEAR(number(entry.at("outside_minus_inside_ms")), 10.0, 1e-9);
}

TEST(harness_system_checks, a_busy_or_unfit_machine_is_a_warning) {
  boost::json::object quiet{{"num_cpus", 2},
                            {"busy_before_run", 0.1},
                            {"cpu_scaling_enabled", false},
                            {"library_build_type", "release"},
                            {"build_dirty", false}};
  EXPECT_TRUE(warnings_before_run(quiet).empty());
  auto busy = quiet;
  busy["busy_before_run"] = 0.6;
  busy["cpu_scaling_enabled"] = true;
  busy["library_build_type"] = "debug";
  busy["build_dirty"] = true;
  auto warnings = warnings_before_run(busy);
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_NE(warnings[0].find("60 % of its CPU time"), std::string::npos) << warnings[0];

  // {in processes, stolen, all, ours, wall}: 30 s in processes, 10 s of them ours.
  cpu_snapshot before{100, 0, 400, 1, 0}, after{130, 0, 600, 11, 100};
  EXPECT_DOUBLE_EQ(other_cpu_seconds(before, after, 0), 20);
  EXPECT_DOUBLE_EQ(other_cpu_seconds(before, after, 15), 5);  // an outside server's
  ASSERT_EQ(warnings_after_run(before, after, 0).size(), 1u);
  EXPECT_NE(warnings_after_run(before, after, 0)[0].find("20.0 CPU-seconds"),
            std::string::npos);
  EXPECT_TRUE(warnings_after_run(before, after, 18).empty());  // 2 s of 100: 2 %
  after.stolen_seconds = 30;  // 30 of the 200 s that passed on the CPUs: 15 %
  auto stolen = warnings_after_run(before, after, 18);
  ASSERT_EQ(stolen.size(), 1u);
  EXPECT_NE(stolen[0].find("the hypervisor took 15 %"), std::string::npos) << stolen[0];
  boost::json::object context{{"warnings", boost::json::array{"the machine was busy"}}};
  EXPECT_NE(summary_markdown(context, {}).find("**Warnings**"), std::string::npos);
  EXPECT_NE(summary_markdown(context, {}).find("- the machine was busy"),
            std::string::npos);
}

// A peak of 5 ms between samples 20 ms apart: the cgroup keeps it, a sampler would not.
TEST(harness_memory, a_cells_memory_cgroup_keeps_the_exact_peak_and_is_removed_after) {
  std::string why_not;
  auto group = memory_cgroup::make(why_not);
  if (!group) GTEST_SKIP() << "no memory cgroup here: " << why_not;
  auto folder = group->folder();
  constexpr std::size_t spike = 64u << 20;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::ofstream(group->procs_file()) << "0\n";
    auto* block = static_cast<char*>(std::malloc(spike));
    std::memset(block, 1, spike);
    std::this_thread::sleep_for(5ms);
    std::free(block);
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  auto peaks = group->read_peaks();
  ASSERT_TRUE(peaks);
  EXPECT_GE(peaks->peak_bytes, spike);
#if !defined(__SANITIZE_THREAD__)  // whose shadow memory quadruples the child's
  EXPECT_LT(peaks->peak_bytes, spike + (32u << 20));
#endif
  ASSERT_TRUE(peaks->kernel_peak_bytes.has_value());  // this machine's cgroup v1
  EXPECT_GT(*peaks->kernel_peak_bytes, 0u);
  EXPECT_TRUE(fs::exists(folder));
  group.reset();
  EXPECT_FALSE(fs::exists(folder));
}

// Fix 1: the page cache of the files a cell reads or writes (an interpreter, its
// libraries, .pyc files) is not the cell's memory: neither its peak nor the baseline its
// child reads counts it.
TEST(harness_memory, a_cells_peak_and_baseline_leave_out_the_file_cache) {
  std::string why_not;
  auto group = memory_cgroup::make(why_not);
  if (!group) GTEST_SKIP() << "no memory cgroup here: " << why_not;
  constexpr std::size_t file_size = 64u << 20;
  auto file =
      fs::temp_directory_path() / ("hammertime-file-cache-" + std::to_string(getpid()));
  int baseline_pipe[2];
  ASSERT_EQ(pipe(baseline_pipe), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::ofstream(group->procs_file()) << "0\n";
    {
      std::ofstream out(file, std::ios::binary);
      std::string block(1u << 20, 'x');
      for (std::size_t i = 0; i < file_size / block.size(); ++i) out << block;
    }
    {
      std::ifstream in(file, std::ios::binary);  // and read back, as an interpreter
      std::string block(1u << 20, '\0');
      while (in.read(block.data(), block.size())) {
      }
    }
    std::uint64_t baseline = cgroup_usage_bytes(group->folder()).value_or(~0ull);
    if (write(baseline_pipe[1], &baseline, sizeof baseline) != sizeof baseline) _exit(1);
    _exit(0);
  }
  close(baseline_pipe[1]);
  std::uint64_t baseline = ~0ull;
  ASSERT_EQ(read(baseline_pipe[0], &baseline, sizeof baseline),
            static_cast<ssize_t>(sizeof baseline));
  close(baseline_pipe[0]);
  waitpid(child, nullptr, 0);
  auto cache = cgroup_file_cache_bytes(group->folder());
  auto peaks = group->read_peaks();
  fs::remove(file);
  ASSERT_TRUE(cache);
  if (*cache < file_size / 2) GTEST_SKIP() << "the file's pages were not charged here";
  ASSERT_TRUE(peaks);
  EXPECT_LT(baseline, file_size / 2);
  EXPECT_LT(peaks->peak_bytes, file_size / 2);
  EXPECT_NE(group->method().find("less file cache"), std::string::npos);
}

}  // namespace
}  // namespace hammertime::harness
