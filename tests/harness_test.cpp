// The harness from outside: build/bin/hammertime run as a subprocess (the sleep
// workload needs no server), its result files parsed back, and what it leaves behind
// when it is interrupted, killed, or has to kill a child past its time limit.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/peers.hpp"
#include "harness/stop_signal.hpp"
#include "model_runs.hpp"
#include "models/wire/wire.hpp"
#include "scratch_folder.hpp"
#include "scripted_server.hpp"
#include "server_helpers.hpp"
#include "server_process.hpp"

namespace hammertime::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// `hammertime ARGS...` with stdout and stderr in files. The test process is a child
// subreaper, so anything the harness leaves behind is re-parented to it and found.
class harness_run {
 public:
  harness_run(std::vector<std::string> args, const fs::path& logs,
              rlim_t open_files = RLIM_INFINITY, rlim_t address_space = RLIM_INFINITY,
              std::string binary = HAMMERTIME_BIN)
      : out_(logs / "stdout.txt"), err_(logs / "stderr.txt") {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      freopen(out_.c_str(), "w", stdout);
      freopen(err_.c_str(), "w", stderr);
      if (open_files != RLIM_INFINITY) {
        rlimit limit{open_files, open_files};
        setrlimit(RLIMIT_NOFILE, &limit);
      }
      if (address_space != RLIM_INFINITY) {
        rlimit limit{address_space, address_space};
        setrlimit(RLIMIT_AS, &limit);
      }
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~harness_run() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  void signal(int number) { kill(pid_, number); }

  // The exit status (128 + signal when killed); fails the test and kills it when it
  // runs past `within`.
  int wait(std::chrono::seconds within = 60s) {
    auto deadline = std::chrono::steady_clock::now() + within;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "hammertime still running after " << within.count() << " s";
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string out() const { return read_text(out_); }
  std::string err() const { return read_text(err_); }

 private:
  pid_t pid_ = -1;
  fs::path out_, err_;
};

// Descendants of this test process that are still alive, after reaping the dead ones
// (zombies the subreaper inherited). Gives them `grace` to finish dying.
std::vector<pid_t> processes_left_behind(std::chrono::milliseconds grace = 2000ms) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<pid_t> alive;
  do {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    alive.clear();
    for (const auto& entry : fs::directory_iterator("/proc")) {
      pid_t pid = std::atoi(entry.path().filename().c_str());
      if (pid <= 0 || pid == getpid()) continue;
      for (pid_t walk = pid; walk > 1;) {
        std::string stat = read_text("/proc/" + std::to_string(walk) + "/stat");
        auto close = stat.rfind(')');
        if (close == std::string::npos) break;
        char state = 0;
        int parent = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &parent) != 2) break;
        if (walk == pid && state == 'Z') break;
        if (parent == getpid()) {
          alive.push_back(pid);
          break;
        }
        walk = parent;
      }
    }
    if (alive.empty()) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return alive;
}

boost::json::object parse_results(const fs::path& folder) {
  return boost::json::parse(read_text(folder / "results.json")).as_object();
}

double number(const boost::json::value& value) {
  if (value.is_double()) return value.as_double();
  if (value.is_int64()) return static_cast<double>(value.as_int64());
  return static_cast<double>(value.as_uint64());
}

std::vector<boost::json::object> iterations(const boost::json::object& results) {
  std::vector<boost::json::object> cells;
  for (const auto& entry : results.at("benchmarks").as_array())
    if (entry.at("run_type") == "iteration") cells.push_back(entry.as_object());
  return cells;
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

TEST(harness, list_names_every_model_every_peer_and_every_workload) {
  scratch_folder logs;
  harness_run run({"list"}, logs.path);
  ASSERT_EQ(run.wait(), 0);
  auto out = run.out();
  for (const auto& m : models::all_models())
    EXPECT_NE(out.find(std::string(m.name)), std::string::npos) << m.name;
  for (const auto& p : harness::all_peers())  // each with its runtime's version
    EXPECT_NE(out.find(std::string(p.model.name)), std::string::npos) << p.model.name;
  EXPECT_NE(out.find("[Python 3."), std::string::npos) << out;
  EXPECT_NE(out.find("[Node.js v"), std::string::npos) << out;
  EXPECT_NE(out.find("[Go go1."), std::string::npos) << out;
  EXPECT_NE(out.find("flags"), std::string::npos);
  EXPECT_NE(out.find("sleep"), std::string::npos);
  EXPECT_NE(out.find("hammer"), std::string::npos);
  EXPECT_NE(out.find("chained"), std::string::npos);
}

TEST(harness, a_sleep_run_writes_results_whose_rates_are_items_over_real_time) {
  scratch_folder folder;
  harness_run run(
      {"run", "--workload", "sleep", "--models", "sequential", "--items", "6", "--delay",
       "10ms", "--repetitions", "2", "--out", folder.out().string()},
      folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto results = parse_results(folder.out());
  EXPECT_EQ(results.at("context").at("library_build_type"), "release");
  EXPECT_TRUE(results.at("context").as_object().contains("build_commit"));
  auto cells = iterations(results);
  ASSERT_EQ(cells.size(), 2u);
  // Six sleeps of 10 ms one after another: at best 6 / 0.060 s.
  constexpr double ideal_items_per_second = 6 / 0.060;
  for (const auto& c : cells) {
    EXPECT_EQ(c.at("name"), "sleep/sequential/C:1");
    EXPECT_EQ(c.at("time_unit"), "ms");
    EXPECT_EQ(number(c.at("items")), 6);
    // A sleep item cannot fail or be missing: the tally is known before the run.
    EXPECT_EQ(number(c.at("ok")), 6);
    EXPECT_EQ(number(c.at("not_found")), 0);
    EXPECT_EQ(number(c.at("failed")), 0);
    EXPECT_EQ(c.at("valid"), true);
    double seconds = number(c.at("real_time")) / 1000;
    double rate = number(c.at("items_per_second"));
    EXPECT_NEAR(rate, 6 / seconds, 1e-9 * 6 / seconds);
    // The clock the rate comes from: no faster than the ideal, nor five times slower.
    EXPECT_GE(seconds, 0.060);
    EXPECT_LE(rate, ideal_items_per_second);
    EXPECT_GT(rate, ideal_items_per_second / 5);
    EXPECT_LE(number(c.at("efficiency")), 1.0);
    // The memory figures: the child's own PSS before its first item and its VmHWM,
    // the kernel's peak RSS at wait4, and the cell's memory cgroup (or, where the
    // harness may not make one, the sampler's PSS, which never exceeds the peak RSS of
    // the one process it is taken of).
    EXPECT_GT(number(c.at("baseline_memory_bytes")), 0);
    std::string method(c.at("memory_method").as_string());
    if (method.rfind("cgroup", 0) == 0) {
      // The kernel's peak is at least what was charged at any moment, the start too.
      // (A sampled peak may miss it: that row then says n/a, never a raised figure.)
      EXPECT_GE(number(c.at("peak_memory_bytes")), number(c.at("baseline_memory_bytes")));
      EXPECT_EQ(c.at("kernel_memory_scope"), "cell");
      EXPECT_FALSE(c.contains("memory_samples"));
    } else {
      EXPECT_LE(number(c.at("baseline_memory_bytes")), number(c.at("vm_hwm_bytes")));
      EXPECT_GT(number(c.at("memory_samples")), 0);
      EXPECT_LE(number(c.at("peak_memory_bytes")), number(c.at("max_rss_bytes")));
    }
    // CPU: the work's own (six sleeps) is below the whole process's, which also pays
    // for its start-up and exit.
    EXPECT_GE(number(c.at("cpu_time")), 0);
    EXPECT_LT(number(c.at("cpu_us_per_item")), number(c.at("process_cpu_us_per_item")));
    EXPECT_DOUBLE_EQ(number(c.at("cpu_time")),
                     1000 * (number(c.at("cpu_user_s")) + number(c.at("cpu_system_s"))));
  }
  // No server: the timer's floor, and no request's.
  const auto& calibration = results.at("context").at("calibration").as_object();
  EXPECT_GT(number(calibration.at("timer_spawn_us")), 0);
  EXPECT_FALSE(calibration.contains("connect_request_us"));
  EXPECT_FALSE(calibration.contains("connect_request_cpu_us"));
  for (const auto& c : cells)
    EXPECT_DOUBLE_EQ(
        number(c.at("of_attainable")),
        number(c.at("items_per_second")) / number(c.at("attainable_items_per_second")));
  EXPECT_NE(results.at("context").at("shuffle_seed").to_number<std::uint64_t>(), 0u);
  EXPECT_TRUE(results.at("context").at("warnings").is_array());
  EXPECT_TRUE(results.at("context").as_object().contains("other_cpu_seconds"));
  // The median of the two repetitions, as Google Benchmark names it.
  std::size_t medians = 0;
  for (const auto& entry : results.at("benchmarks").as_array())
    if (entry.at("run_type") == "aggregate") {
      ++medians;
      EXPECT_EQ(entry.at("name"), "sleep/sequential/C:1_median");
      EXPECT_EQ(entry.at("aggregate_name"), "median");
      EXPECT_LE(number(entry.at("items_per_second_min")),
                number(entry.at("items_per_second")));
      EXPECT_GE(number(entry.at("items_per_second_max")),
                number(entry.at("items_per_second")));
    }
  EXPECT_EQ(medians, 1u);
  EXPECT_EQ(line_count(read_text(folder.out() / "results.csv")), 3u);  // header + 2 rows
  EXPECT_NE(read_text(folder.out() / "summary.md").find("| sleep | sequential | 1 |"),
            std::string::npos);
  for (const auto& entry : fs::directory_iterator(folder.path))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos)
        << "temporary file left: " << entry.path();
}

TEST(harness, the_sequential_model_gets_the_exact_tally_of_the_first_20_flags) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  std::size_t expected_ok = models::expected_for(20).ok;

  scratch_folder folder;
  harness_run run(
      {"run", "--workload", "flags", "--models", "sequential", "--items", "20", "--delay",
       "10ms", "--repetitions", "1", "--out", folder.out().string()},
      folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(number(cells[0].at("ok")), expected_ok);
  EXPECT_EQ(number(cells[0].at("not_found")), 20 - expected_ok);
  EXPECT_EQ(number(cells[0].at("failed")), 0);
  for (auto field :
       {"server_lateness_p50_ms", "server_lateness_p99_ms", "server_lateness_max_ms",
        "server_own_queue_p99_ms", "client_send_wait_p99_ms", "server_bound"})
    EXPECT_TRUE(cells[0].contains(field)) << field;
  EXPECT_EQ(number(cells[0].at("server_answered")), 20);
  EXPECT_TRUE(processes_left_behind().empty());
}

TEST(harness, the_calibration_holds_the_three_floors_and_every_row_its_attainable_share) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  scratch_folder folder;
  harness_run run({"run", "--models", "sequential,coroutines", "--items", "20", "--delay",
                   "10ms", "--repetitions", "1", "--out", folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto results = parse_results(folder.out());
  const auto& calibration = results.at("context").at("calibration").as_object();
  for (auto floor :
       {"connect_request_us", "connect_request_cpu_us", "connect_send_cpu_us",
        "answer_read_cpu_us", "timer_spawn_us", "idle_wake_us"}) {
    ASSERT_TRUE(calibration.contains(floor)) << floor;
    EXPECT_GT(number(calibration.at(floor)), 0) << floor;
  }
  auto cells = iterations(results);
  ASSERT_EQ(cells.size(), 2u);
  for (const auto& c : cells) {
    double attainable = number(c.at("attainable_items_per_second"));
    EXPECT_GT(attainable, 0) << c.at("name");
    EXPECT_LT(attainable, number(c.at("ideal_items_per_second"))) << c.at("name");
    EXPECT_DOUBLE_EQ(number(c.at("of_attainable")),
                     number(c.at("items_per_second")) / attainable);
  }
  EXPECT_NE(read_text(folder.out() / "results.csv")
                .find(",attainable_items_per_second,of_attainable,"),
            std::string::npos);
  EXPECT_NE(read_text(folder.out() / "summary.md").find("| of attainable |"),
            std::string::npos);
}

TEST(harness, hammer_chained_and_a_ticker_run_through_the_child_into_the_results) {
  scratch_folder folder;
  auto plan = folder.path / "workloads.plan";
  std::ofstream(plan)
      << "--workload hammer --work-us 200 --ticker 10ms --models coroutines,thread_pool "
         "--items 40 --concurrency 10 --delay 10ms\n"
         "--workload chained --models callbacks --items 676 --delay 10ms\n";
  harness_run run({"run", "--plan", plan.string(), "--repetitions", "1", "--out",
                   folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 3u);
  for (const auto& c : cells) {
    EXPECT_EQ(c.at("valid"), true) << c.at("name");
    if (c.at("workload") == "chained") {
      EXPECT_EQ(c.at("name"), "chained/callbacks/C:676");
      EXPECT_EQ(number(c.at("ok")), 194);
      EXPECT_EQ(number(c.at("not_found")), 482);
      EXPECT_DOUBLE_EQ(number(c.at("ideal_items_per_second")), 676 / 0.020);  // 2 delays
      continue;
    }
    EXPECT_EQ(number(c.at("work_us")), 200);
    EXPECT_EQ(number(c.at("ticker_ms")), 10);
    EXPECT_TRUE(c.contains("loop_lag_p50_ms")) << c.at("name");
    EXPECT_GE(number(c.at("loop_lag_max_ms")), number(c.at("loop_lag_p50_ms")));
    // 40 items x 200 us of one core's CPU, at least, for either model.
    EXPECT_GE(number(c.at("cpu_time")), 40 * 0.2 * 0.5) << c.at("name");
  }
  std::ifstream csv_file(folder.out() / "results.csv");
  std::string csv{std::istreambuf_iterator<char>(csv_file), {}};
  EXPECT_NE(csv.find("hammer/coroutines/C:10/work_us:200/ticker:10ms"),
            std::string::npos);
}

TEST(harness, fault_flags_reach_the_server_it_starts) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items", "8",
                   "--delay", "1ms", "--repetitions", "1", "--error-rate", "1.0", "--out",
                   folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(number(cells[0].at("failed")), 8);
  EXPECT_EQ(cells[0].at("valid"), true);
}

TEST(harness, bad_arguments_exit_2_with_one_line_before_any_work) {
  const std::vector<std::vector<std::string>> bad{
      {"--items", "0"},
      {"--items", "twelve"},
      {"--delay", "abc"},
      {"--concurrency", "-1"},
      {"--concurrency", "10,0"},
      {"--workload", "nope"},
      {"--models", "nope"},
      {"--models", "sequential,nope"},
      {"--repetitions", "0"},
      {"--timeout", "0s"},
      {"--workload", "flags", "--items", "1000000001"},
      {"--error-rate", "2"},
      {"--error-rate", "nan"},
      {"--server-threads", "2000"},
      {"--timeout", "9000000000000000ms"},
      {"--delay", "9000000000000000ms"},
      {"--cell-limit", "infms"},
      {"--delay", "10ms", "--delay", "10ms"},
      {"--server", "http://127.0.0.1:1"},
      {"--server", "localhost"},
      {"--no-such-option", "1"},
  };
  for (const auto& args : bad) {
    scratch_folder folder;
    std::vector<std::string> command{"run", "--out", (folder.path / "out").string()};
    command.insert(command.end(), args.begin(), args.end());
    harness_run run(command, folder.path);
    std::string shown = args[0] + " " + args[1];
    EXPECT_EQ(run.wait(10s), 2) << shown;
    EXPECT_EQ(line_count(run.err()), 1u) << shown << ": " << run.err();
    EXPECT_FALSE(fs::exists(folder.path / "out")) << shown;
  }
}

TEST(harness, a_non_empty_out_folder_is_refused_unless_overwrite_is_given) {
  scratch_folder folder;
  fs::create_directories(folder.out());
  std::ofstream(folder.out() / "notes.txt") << "mine";
  std::vector<std::string> command{"run",
                                   "--workload",
                                   "sleep",
                                   "--models",
                                   "coroutines",
                                   "--items",
                                   "5",
                                   "--delay",
                                   "1ms",
                                   "--repetitions",
                                   "1",
                                   "--out",
                                   folder.out().string()};
  harness_run refused(command, folder.path);
  EXPECT_EQ(refused.wait(10s), 2);
  EXPECT_EQ(line_count(refused.err()), 1u) << refused.err();
  EXPECT_NE(refused.err().find("--overwrite"), std::string::npos) << refused.err();
  EXPECT_FALSE(fs::exists(folder.out() / "results.json"));
  command.push_back("--overwrite");
  harness_run allowed(command, folder.path);
  ASSERT_EQ(allowed.wait(), 0) << allowed.err();
  EXPECT_EQ(iterations(parse_results(folder.out())).size(), 1u);
  EXPECT_EQ(read_text(folder.out() / "notes.txt"), "mine");
}

TEST(harness, a_child_that_dies_of_a_limit_keeps_its_last_stderr_line_in_the_row) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's shadow memory needs terabytes of address space: its "
                  "child cannot start under a 300 MB ulimit -v";
#endif
  scratch_folder folder;
  // 100 million latency slots (400 MB) do not fit under a 300 MB address-space limit:
  // the child's first allocation throws, it aborts, and its stderr says why. (Threads
  // failing at once, as a thread pool's would, print in any order: one thread keeps
  // this test's stderr the same every time.)
  harness_run run(
      {"run", "--workload", "sleep", "--models", "sequential", "--items", "100000000",
       "--delay", "10ms", "--repetitions", "1", "--out", folder.out().string()},
      folder.path, RLIM_INFINITY, 300'000'000);
  ASSERT_EQ(run.wait(), 1) << run.err();  // its one row is invalid
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  std::string error(cells[0].at("error_message").as_string());
  EXPECT_NE(error.find("crashed: SIGABRT"), std::string::npos) << error;
  EXPECT_NE(error.find("(last stderr: what():  std::bad_alloc)"), std::string::npos)
      << error;
  EXPECT_LT(error.size(), 300u);
}

TEST(harness, too_few_open_files_for_the_concurrency_is_named_up_front) {
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "sequential,coroutines",
                   "--items", "676", "--out", (folder.path / "out").string()},
                  folder.path, 256);
  EXPECT_EQ(run.wait(10s), 2);
  EXPECT_EQ(line_count(run.err()), 1u);
  EXPECT_NE(run.err().find("ulimit -n"), std::string::npos) << run.err();
}

TEST(harness, a_cell_past_its_time_limit_is_killed_and_marked_failed) {
  scratch_folder folder;
  auto started = std::chrono::steady_clock::now();
  harness_run run({"run", "--workload", "sleep", "--models", "sequential", "--items",
                   "100", "--delay", "100ms", "--cell-limit", "500ms", "--repetitions",
                   "1", "--out", folder.out().string()},
                  folder.path);
  // Its one row is invalid: exit 1, and the last line says so.
  ASSERT_EQ(run.wait(), 1) << run.err();
  EXPECT_NE(last_line(run.err()).find("1 cells, all 1 invalid"), std::string::npos)
      << run.err();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);  // not the 10 s of sleeps
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("error_occurred"), true);
  EXPECT_NE(std::string(cells[0].at("error_message").as_string()).find("time limit"),
            std::string::npos);
  EXPECT_EQ(cells[0].at("valid"), false);
  EXPECT_FALSE(cells[0].contains("items_per_second"));
  EXPECT_TRUE(processes_left_behind().empty());
}

// Waits until results.json holds at least `cells` iteration entries.
bool wait_for_cells(const fs::path& folder, std::size_t cells,
                    std::chrono::seconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code error;
    auto parsed = boost::json::parse(read_text(folder / "results.json"), error);
    if (!error && iterations(parsed.as_object()).size() >= cells) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// A short cell (100 coroutines at once, 0.1 s), then a 10 s one (100 sleeps in a row):
// a signal sent once the first cell is written lands in the second.
harness_run start_a_short_then_a_long_cell(const scratch_folder& folder) {
  return harness_run({"run", "--workload", "sleep", "--models", "coroutines,sequential",
                      "--items", "100", "--delay", "100ms", "--repetitions", "3",
                      "--shuffle-seed", "0", "--out", folder.out().string()},
                     folder.path);
}

TEST(harness, ctrl_c_kills_every_child_and_keeps_the_finished_cells) {
  scratch_folder folder;
  auto run = start_a_short_then_a_long_cell(folder);
  ASSERT_TRUE(wait_for_cells(folder.out(), 1, 30s)) << run.err();
  std::this_thread::sleep_for(500ms);  // into the second, 10 s cell
  run.signal(SIGINT);
  EXPECT_EQ(run.wait(10s), 130);
  EXPECT_TRUE(processes_left_behind().empty());
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("name"), "sleep/coroutines/C:100");
  EXPECT_EQ(cells[0].at("valid"), true);
}

TEST(harness, sigterm_stops_the_server_too) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  scratch_folder folder;
  harness_run run(
      {"run", "--workload", "flags", "--models", "sequential", "--items", "676",
       "--delay", "100ms", "--repetitions", "1", "--out", folder.out().string()},
      folder.path);
  ASSERT_TRUE(wait_for_cells(folder.out(), 0, 10s));
  std::this_thread::sleep_for(1500ms);
  run.signal(SIGTERM);
  EXPECT_EQ(run.wait(10s), 143);
  EXPECT_TRUE(processes_left_behind().empty());
  EXPECT_TRUE(iterations(parse_results(folder.out())).empty());
}

// The program (hammertime-server, hammertime-proxy) a running harness started (its
// child), or -1.
pid_t started_by(pid_t harness, std::string_view program) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    pid_t pid = std::atoi(entry.path().filename().c_str());
    if (pid <= 0) continue;
    std::string stat = read_text(entry.path() / "stat");
    auto close = stat.rfind(')');
    int parent = 0;
    if (close == std::string::npos ||
        std::sscanf(stat.c_str() + close + 1, " %*c %d", &parent) != 1 ||
        parent != harness)
      continue;
    std::string command = read_text(entry.path() / "cmdline");
    if (command.find(program) != std::string::npos) return pid;
  }
  return -1;
}

TEST(harness, a_server_killed_mid_run_ends_the_run_with_no_valid_cell_after_it) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  scratch_folder folder;
  // A short cell (100 requests at once, 0.1 s), then a 10 s one (100 in a row).
  harness_run run({"run", "--workload", "flags", "--models", "coroutines,sequential",
                   "--items", "100", "--delay", "100ms", "--repetitions", "2",
                   "--shuffle-seed", "0", "--out", folder.out().string()},
                  folder.path);
  ASSERT_TRUE(wait_for_cells(folder.out(), 1, 30s)) << run.err();
  std::this_thread::sleep_for(500ms);  // into the second, 10 s cell
  pid_t server = started_by(run.pid(), "hammertime-server");
  ASSERT_GT(server, 0);
  kill(server, SIGKILL);
  EXPECT_EQ(run.wait(10s), 1) << run.err();
  EXPECT_NE(run.err().find("server exited: SIGKILL"), std::string::npos) << run.err();
  EXPECT_NE(last_line(run.err()).find("after 2 of 4 cells, 1 invalid"), std::string::npos)
      << run.err();
  EXPECT_TRUE(processes_left_behind().empty());
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 2u);  // the two later cells did not run
  EXPECT_EQ(cells[0].at("valid"), true);
  EXPECT_EQ(cells[1].at("name"), "flags/sequential/C:1");
  EXPECT_EQ(cells[1].at("valid"), false);
  EXPECT_EQ(cells[1].at("error_message"), "server exited: SIGKILL");
  EXPECT_FALSE(cells[1].contains("items_per_second"));
}

TEST(harness, a_link_delay_puts_the_proxy_in_front_and_every_request_waits_it_twice) {
  if (!fs::exists(HAMMERTIME_PROXY_BIN)) GTEST_SKIP() << "hammertime-proxy not built";
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "coroutines", "--items",
                   "20", "--delay", "50ms", "--link-delay", "25ms", "--repetitions", "1",
                   "--out", folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  EXPECT_TRUE(processes_left_behind().empty());
  auto results = parse_results(folder.out());
  EXPECT_EQ(results.at("context").at("link_delay_ms"), 25);
  auto cells = iterations(results);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("name"), "flags/coroutines/C:20/link_delay:25ms");
  EXPECT_EQ(cells[0].at("valid"), true) << cells[0];
  EXPECT_EQ(cells[0].at("link_delay_ms"), 25);
  EXPECT_GE(number(cells[0].at("p50_ms")), 50 + 2 * 25);
  EXPECT_DOUBLE_EQ(number(cells[0].at("ideal_items_per_second")), 20 / 0.1);
  EXPECT_LE(number(cells[0].at("efficiency")), 1.0);  // the ideal is never beaten
  EXPECT_GE(number(cells[0].at("proxy_lateness_p99_ms")), 0);
  auto csv = read_text(folder.out() / "results.csv");
  EXPECT_NE(csv.substr(0, csv.find('\n')).find(",proxy_lateness_p99_ms,"),
            std::string::npos);
  EXPECT_NE(csv.find("\nflags/coroutines/C:20/link_delay:25ms,"), std::string::npos);
  EXPECT_NE(read_text(folder.out() / "summary.md").find("| 50 + 2 × 25 link |"),
            std::string::npos);
}

TEST(harness, a_link_delay_goes_in_front_of_a_given_server_too) {
  if (!fs::exists(HAMMERTIME_PROXY_BIN)) GTEST_SKIP() << "hammertime-proxy not built";
  server_process given;
  scratch_folder folder;
  harness_run run({"run", "--server", given.url(), "--models", "callbacks", "--items",
                   "30", "--delay", "20ms", "--link-delay", "40ms", "--repetitions", "1",
                   "--out", folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("name"), "flags/callbacks/C:30/link_delay:40ms");
  EXPECT_EQ(cells[0].at("valid"), true) << cells[0];
  EXPECT_GE(number(cells[0].at("p50_ms")), 20 + 2 * 40);
  EXPECT_LE(number(cells[0].at("efficiency")), 1.0);
  given.stop();  // the test's own server; the harness's proxy must be gone already
  EXPECT_TRUE(processes_left_behind().empty());
}

// The URL the server prints for ::1 is the URL --server takes: every C++ model and the
// Python peer (whose URL needs the brackets) get their exact tally over IPv6.
TEST(harness, an_ipv6_server_url_in_brackets_works_for_models_and_peers) {
  server_process given({"--bind", "::1"});
  scratch_folder folder;
  std::string url = "http://[::1]:" + std::to_string(given.port());
  harness_run run({"run", "--server", url, "--models", "all,python_sequential", "--items",
                   "20", "--concurrency", "1,10", "--delay", "1ms", "--repetitions", "1",
                   "--out", folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_GE(cells.size(), 10u);
  for (const auto& cell : cells) {
    EXPECT_EQ(cell.at("valid"), true) << cell;
    EXPECT_EQ(number(cell.at("ok")) + number(cell.at("not_found")), 20) << cell;
  }
}

TEST(harness, no_proxy_outlives_a_ctrl_c_or_a_killed_cell) {
  if (!fs::exists(HAMMERTIME_PROXY_BIN)) GTEST_SKIP() << "hammertime-proxy not built";
  {
    scratch_folder folder;  // one cell past its time limit, killed
    harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                     "100", "--delay", "10ms", "--link-delay", "25ms", "--cell-limit",
                     "1s", "--repetitions", "1", "--out", folder.out().string()},
                    folder.path);
    ASSERT_EQ(run.wait(), 1) << run.err();  // its one row is invalid
    EXPECT_TRUE(processes_left_behind().empty());
    auto cells = iterations(parse_results(folder.out()));
    ASSERT_EQ(cells.size(), 1u);
    EXPECT_NE(std::string(cells[0].at("error_message").as_string()).find("time limit"),
              std::string::npos);
  }
  scratch_folder folder;  // Ctrl-C in a long cell
  harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                   "676", "--delay", "10ms", "--link-delay", "25ms", "--repetitions", "1",
                   "--out", folder.out().string()},
                  folder.path);
  ASSERT_TRUE(wait_for_cells(folder.out(), 0, 10s));
  std::this_thread::sleep_for(1500ms);
  ASSERT_GT(started_by(run.pid(), "hammertime-proxy"), 0);
  run.signal(SIGINT);
  EXPECT_EQ(run.wait(10s), 130);
  EXPECT_TRUE(processes_left_behind().empty());
}

TEST(harness, a_proxy_killed_mid_run_ends_the_run_like_the_server) {
  if (!fs::exists(HAMMERTIME_PROXY_BIN)) GTEST_SKIP() << "hammertime-proxy not built";
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                   "100", "--delay", "50ms", "--link-delay", "10ms", "--repetitions", "2",
                   "--out", folder.out().string()},
                  folder.path);
  ASSERT_TRUE(wait_for_cells(folder.out(), 0, 10s));
  std::this_thread::sleep_for(1500ms);  // into the first, 7 s cell
  pid_t proxy = started_by(run.pid(), "hammertime-proxy");
  ASSERT_GT(proxy, 0);
  kill(proxy, SIGKILL);
  EXPECT_EQ(run.wait(10s), 1) << run.err();
  EXPECT_NE(run.err().find("proxy exited: SIGKILL"), std::string::npos) << run.err();
  EXPECT_TRUE(processes_left_behind().empty());
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("error_message"), "proxy exited: SIGKILL");
}

TEST(harness, a_server_url_that_is_not_a_hammertime_server_is_refused) {
  // Anything that answers HTTP: a page for every path, some JSON, or 404 for every path.
  for (std::string answer : {"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                             "Content-Length: 5\r\nConnection: close\r\n\r\nhello",
                             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: 15\r\nConnection: close\r\n\r\n"
                             "{\"status\":\"ok\"}",
                             "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n"}) {
    scripted_server foreign([&](int connection) {
      if (read_request(connection)) send_all(connection, answer);
    });
    scratch_folder folder;
    harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                     "10", "--delay", "10ms", "--repetitions", "1", "--server",
                     "http://127.0.0.1:" + std::to_string(foreign.port()), "--out",
                     (folder.path / "out").string()},
                    folder.path);
    EXPECT_EQ(run.wait(10s), 2) << run.err();
    EXPECT_EQ(line_count(run.err()), 1u) << run.err();
    EXPECT_NE(run.err().find("not a hammertime-server"), std::string::npos) << run.err();
    EXPECT_FALSE(fs::exists(folder.path / "out"));
  }
}

TEST(harness, a_flags_cell_without_fault_flags_is_invalid_unless_its_tally_is_exact) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  // The server fails every request, but the harness was given no fault flag of its own.
  server_process failing({"--error-rate", "1"});
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                   "20", "--delay", "10ms", "--repetitions", "1", "--server",
                   failing.url(), "--out", folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 1) << run.err();  // its one row is invalid
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  auto expected = models::expected_for(20).ok;
  EXPECT_EQ(cells[0].at("valid"), false);
  EXPECT_EQ(std::string(cells[0].at("error_message").as_string()),
            "expected " + std::to_string(expected) + " ok / " +
                std::to_string(20 - expected) + " not found, got 0 / 0 (20 failed)");
  EXPECT_FALSE(cells[0].contains("items_per_second"));
  EXPECT_NE(read_text(folder.out() / "summary.md").find("(20 failed)"),
            std::string::npos);
}

// Not hammertime-server, though its /stats has our counters: each request is answered
// at once, with the status the flags table gives its code and a 1-byte body.
void answer_at_once_with_one_byte(int connection,
                                  const std::map<std::string, std::uint64_t>& flags) {
  for (auto head = read_request_head(connection); !head.empty();
       head = read_request_head(connection)) {
    auto path = head.substr(head.find(' ') + 1);
    path = path.substr(0, path.find_first_of(" ?"));
    std::string code = path.size() > 9 ? path.substr(7, 2) : "";
    for (char& c : code) c = static_cast<char>(std::toupper(c));
    std::string status = flags.count(code) ? "200 OK" : "404 Not Found", body = "x";
    if (path.rfind("/stats", 0) == 0)
      status = "200 OK",
      body = R"({"answered":0,"requests":{"200":0,"404":0},"faults":{"error":0}})";
    send_all(connection, "HTTP/1.1 " + status + "\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n" + body);
  }
}

TEST(harness, a_foreign_server_with_the_right_statuses_gives_invalid_rows) {
  auto flags = models::flag_bytes_by_code();
  scripted_server foreign(
      [&](int connection) { answer_at_once_with_one_byte(connection, flags); });
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                   "10", "--delay", "500ms", "--repetitions", "1", "--server",
                   "http://127.0.0.1:" + std::to_string(foreign.port()), "--out",
                   folder.out().string()},
                  folder.path);
  EXPECT_EQ(run.wait(), 1) << run.err();  // no valid row
  EXPECT_NE(last_line(run.err()).find("1 cells, all 1 invalid"), std::string::npos)
      << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("valid"), false);
  auto expected = models::expected_for(10);
  auto found_bytes = expected.bytes - expected.not_found * models::not_found_body.size();
  EXPECT_EQ(std::string(cells[0].at("error_message").as_string()),
            "body bytes: 10, where the flags table gives " + std::to_string(found_bytes) +
                " to " + std::to_string(expected.bytes));
}

TEST(harness, a_given_server_that_injects_faults_unasked_makes_the_row_invalid) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  // Every answer is whole and right, only slower: the fault counters tell.
  server_process slow({"--slow-body", "1000000"});
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "sequential", "--items",
                   "10", "--delay", "10ms", "--repetitions", "1", "--server", slow.url(),
                   "--out", folder.out().string()},
                  folder.path);
  EXPECT_EQ(run.wait(), 1) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("valid"), false);
  EXPECT_EQ(cells[0].at("error_message"),
            "fault counters: the server injected faults the run did not ask for "
            "(slow_body 10)");
}

TEST(harness, sigkill_of_the_harness_leaves_whole_result_files_and_no_children) {
  scratch_folder folder;
  auto run = start_a_short_then_a_long_cell(folder);
  ASSERT_TRUE(wait_for_cells(folder.out(), 1, 30s)) << run.err();
  std::this_thread::sleep_for(500ms);  // into the second, 10 s cell
  run.signal(SIGKILL);
  EXPECT_EQ(run.wait(10s), 128 + SIGKILL);
  EXPECT_TRUE(processes_left_behind().empty());
  EXPECT_GE(iterations(parse_results(folder.out())).size(), 1u);
}

// `sh -c COMMAND` under script(1), so that its stderr is a terminal; waits for it.
void harness_run_via_terminal(const std::string& command, const fs::path& logs) {
  pid_t pid = fork();
  if (pid == 0) {
    freopen((logs / "terminal.txt").c_str(), "w", stdout);
    execl("/usr/bin/script", "script", "-qec", command.c_str(), "/dev/null", nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << read_text(logs / "terminal.txt");
}

// The folder of this process's memory cgroup (v1's hierarchy), or "" without one.
fs::path own_memory_cgroup() {
  std::istringstream lines(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);)
    if (auto at = line.find(":memory:"); at != std::string::npos)
      return fs::path("/sys/fs/cgroup/memory") / line.substr(at + 8).substr(1);
  return {};
}

// The cgroups a harness made for its cells and left: hammertime-<its pid>-*.
std::vector<fs::path> cgroups_left_by(pid_t harness) {
  std::vector<fs::path> left;
  std::error_code error;
  auto prefix = "hammertime-" + std::to_string(harness) + "-";
  for (const auto& entry : fs::directory_iterator(own_memory_cgroup(), error))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) left.push_back(entry);
  return left;
}

// Every model's clock stops after its own tear-down (threads joined, processes
// reaped), so what the harness sees from outside exceeds it only by the process's
// start-up and exit. Each cell ran in a memory cgroup of its own, removed after it.
TEST(harness, every_models_clock_covers_its_tear_down_and_its_cgroup_goes_after_it) {
  std::string models = "all";
  std::size_t expected_cells = models::all_models().size();
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer cannot follow a fiber's stack switches (fibers_test runs them).
  models.clear();
  for (const auto& m : models::all_models())
    if (m.name != "fibers") models += (models.empty() ? "" : ",") + std::string(m.name);
  expected_cells -= 1;
#endif
  scratch_folder folder;
  harness_run run(
      {"run", "--workload", "sleep", "--models", models, "--items", "20", "--delay",
       "10ms", "--repetitions", "1", "--out", folder.out().string()},
      folder.path);
  pid_t harness = run.pid();
  ASSERT_EQ(run.wait(120s), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), expected_cells);
  bool root = geteuid() == 0 && !own_memory_cgroup().empty();
  for (const auto& c : cells) {
    EXPECT_EQ(c.at("valid"), true) << c.at("name");
    EXPECT_GE(number(c.at("outside_minus_inside_ms")), 0) << c.at("name");
    EXPECT_LT(number(c.at("outside_minus_inside_ms")), 1000) << c.at("name");
    if (root)
      EXPECT_EQ(c.at("memory_method"),
                "cgroup v1 memory.max_usage_in_bytes less file cache (memory.stat "
                "total_cache)")
          << c.at("name");
  }
  EXPECT_TRUE(cgroups_left_by(harness).empty());
}

TEST(harness, ctrl_c_removes_the_running_cells_cgroup) {
  scratch_folder folder;
  auto run = start_a_short_then_a_long_cell(folder);
  pid_t harness = run.pid();
  ASSERT_TRUE(wait_for_cells(folder.out(), 1, 30s)) << run.err();
  std::this_thread::sleep_for(500ms);  // into the second, 10 s cell
  if (geteuid() == 0 && !own_memory_cgroup().empty())
    EXPECT_EQ(cgroups_left_by(harness).size(), 1u);  // the running cell's
  run.signal(SIGINT);
  EXPECT_EQ(run.wait(10s), 130);
  EXPECT_TRUE(cgroups_left_by(harness).empty());
}

// A 5 ms cell gives a 20 ms sampler a sample or two: its figure is flagged, not
// printed as if it were exact.
TEST(harness, a_sampled_peak_with_too_few_samples_is_flagged) {
  scratch_folder folder;
  harness_run run(
      {"run", "--workload", "sleep", "--models", "sequential", "--items", "1", "--delay",
       "5ms", "--repetitions", "1", "--sample-memory", "--out", folder.out().string()},
      folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("memory_method"), "sampled PSS");
  EXPECT_LT(number(cells[0].at("memory_samples")), 10);
  std::string doubt(cells[0].at("memory_doubt").as_string());
  EXPECT_NE(doubt.find("memory samples"), std::string::npos) << doubt;
  EXPECT_NE(read_text(folder.out() / "summary.md").find("memory: only"),
            std::string::npos);
}

// On a terminal the progress line is redrawn every 200 ms. It must not ask the server
// anything meanwhile: a single-threaded server would serve that in the cell's time.
TEST(harness, the_progress_display_asks_the_server_nothing_while_a_cell_runs) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "no script(1) for a terminal";
  server_process server;
  scratch_folder folder;
  // A 2 s cell (20 requests of 100 ms in a row), run on a terminal (script -c).
  std::string command = std::string(HAMMERTIME_BIN) +
                        " run --workload flags --models sequential --items 20 --delay "
                        "100ms --repetitions 1 --server http://127.0.0.1:" +
                        std::to_string(server.port()) + " --out " + folder.out().string();
  harness_run_via_terminal(command, folder.path);
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].at("valid"), true);
  // The harness asks before the run (is it ours?) and around the cell (reset, read):
  // 5 questions; polling every 200 ms through a 2 s cell would add about 10.
  auto asked = stats_of(server).at("stats_requests").to_number<std::int64_t>();
  EXPECT_LE(asked, 6) << "GET /stats and POST /stats/reset, this test's own included";
}

TEST(harness, pin_puts_the_server_and_the_cells_on_different_cpus) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  cpu_set_t allowed;
  sched_getaffinity(0, sizeof allowed, &allowed);
  scratch_folder folder;
  harness_run run(
      {"run", "--workload", "flags", "--models", "sequential", "--items", "5", "--delay",
       "1ms", "--repetitions", "1", "--pin", "--out", folder.out().string()},
      folder.path);
  if (CPU_COUNT(&allowed) < 2) {
    EXPECT_EQ(run.wait(), 2);
    EXPECT_NE(run.err().find("--pin needs 2 CPUs or more"), std::string::npos);
    return;
  }
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto results = parse_results(folder.out());
  const auto& pinned = results.at("context").at("pinned").as_object();
  EXPECT_EQ(pinned.at("server_cpus"), "0");
  EXPECT_NE(pinned.at("cell_cpus").as_string().find("1"), boost::json::string::npos);
  EXPECT_EQ(iterations(results)[0].at("valid"), true);
}

// Five flags with sequential at a 1 ms delay, one repetition, into folder.out().
std::vector<std::string> a_short_flags_run(const scratch_folder& folder) {
  return {"run",
          "--workload",
          "flags",
          "--models",
          "sequential",
          "--items",
          "5",
          "--delay",
          "1ms",
          "--repetitions",
          "1",
          "--out",
          folder.out().string()};
}

// The server the harness starts runs under SCHED_FIFO where it may (root here in CI),
// so that no cell's threads keep it waiting for a CPU; --server-normal-priority keeps
// it at normal priority. results.json and summary.md say which it got.
TEST(harness, starts_the_server_at_real_time_priority_unless_told_not_to) {
  if (!fs::exists(HAMMERTIME_SERVER_BIN)) GTEST_SKIP() << "hammertime-server not built";
  for (bool normal : {false, true}) {
    scratch_folder folder;
    auto args = a_short_flags_run(folder);
    if (normal) args.push_back("--server-normal-priority");
    harness_run run(args, folder.path);
    ASSERT_EQ(run.wait(), 0) << run.err();
    auto results = parse_results(folder.out());
    std::string expected =
        normal || geteuid() != 0 ? "normal (SCHED_OTHER)" : "SCHED_FIFO 10";
    EXPECT_EQ(results.at("context").at("server_scheduling"), expected.c_str());
    EXPECT_NE(read_text(folder.out() / "summary.md").find(", the server " + expected),
              std::string::npos);
    EXPECT_EQ(iterations(results)[0].at("valid"), true);
  }
}

// The peers (harness/peers.hpp) run through the harness as a C++ model does: the flags
// demo's 676 codes (194 ok, 482 not found) and a sleep. A peer whose runtime is missing
// skips, naming its Debian package: CI installs them all (make deps-peers).
class peer_run : public ::testing::TestWithParam<std::string> {};

TEST_P(peer_run, gets_the_exact_tally_of_both_workloads_and_names_its_runtime) {
  const auto* peer = harness::find_peer(GetParam());
  ASSERT_NE(peer, nullptr);
  if (auto missing = harness::missing_runtime(*peer); !missing.empty())
    GTEST_SKIP() << GetParam() << ": " << missing;
  constexpr std::size_t flags = 676, sleeps = 40;
  auto expected = models::expected_for(flags);
  scratch_folder folder;
  auto plan = folder.path / "peer.plan";
  std::ofstream(plan) << "--workload flags --models " << GetParam() << " --items "
                      << flags << " --concurrency 100 --delay 5ms\n"
                      << "--workload sleep --models " << GetParam() << " --items "
                      << sleeps << " --concurrency " << sleeps << " --delay 20ms\n";
  harness_run run({"run", "--plan", plan.string(), "--repetitions", "1", "--out",
                   folder.out().string()},
                  folder.path);
  ASSERT_EQ(run.wait(), 0) << run.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 2u);
  for (const auto& cell : cells) {
    EXPECT_EQ(cell.at("valid"), true) << cell;
    EXPECT_EQ(number(cell.at("failed")), 0) << cell;
    std::string runtime(cell.at("runtime").as_string());
    EXPECT_EQ(runtime.rfind(std::string(peer->runtime) + " ", 0), 0u) << runtime;
    EXPECT_GE(number(cell.at("runtime_threads")), 1) << cell;
    EXPECT_GE(number(cell.at("tasks_held")), 1) << cell;
  }
  EXPECT_EQ(number(cells[0].at("ok")), expected.ok);
  EXPECT_EQ(number(cells[0].at("not_found")), flags - expected.ok);
  EXPECT_EQ(number(cells[0].at("bytes")), expected.bytes);
  EXPECT_EQ(number(cells[1].at("ok")), sleeps);
  EXPECT_EQ(number(cells[1].at("bytes")), 0);
  EXPECT_TRUE(processes_left_behind().empty());
}

std::vector<std::string> peer_names() {
  std::vector<std::string> names;
  for (const auto& p : harness::all_peers()) names.emplace_back(p.model.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(every_peer, peer_run, ::testing::ValuesIn(peer_names()),
                         [](const auto& info) { return info.param; });

// hammertime copied into a scratch bin/ with stand-in peers: the harness finds its
// peers next to itself (bin/peers/, bin/hammertime-peer-go).
fs::path hammertime_with_peers(
    const fs::path& folder,
    const std::vector<std::pair<std::string, std::string>>& peers) {
  fs::create_directories(folder / "bin" / "peers");
  fs::copy_file(HAMMERTIME_BIN, folder / "bin" / "hammertime");
  for (const auto& [file, text] : peers)
    std::ofstream(folder / "bin" / "peers" / file) << text;
  return folder / "bin" / "hammertime";
}

TEST(harness,
     a_peer_that_crashes_or_prints_no_json_gives_an_invalid_row_with_its_reason) {
  scratch_folder folder;
  auto binary = hammertime_with_peers(
      folder.path,
      {{"python_sequential.py",
        "import os, signal, sys\nprint('segfault ahead', file=sys.stderr, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n"},
       {"python_threads.py", "print('{\"ok\": 3,')\n"},
       {"python_asyncio.py", "import sys\nsys.exit('python_asyncio: it went wrong')\n"}});
  harness_run run(
      {"run", "--workload", "sleep", "--models",
       "python_sequential,python_threads,python_asyncio", "--items", "3", "--delay",
       "1ms", "--repetitions", "1", "--out", folder.out().string()},
      folder.path, RLIM_INFINITY, RLIM_INFINITY, binary.string());
  ASSERT_EQ(run.wait(), 1) << run.err();  // no row is valid
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 3u);
  auto error = [&](std::size_t i) {
    return std::string(cells[i].at("error_message").as_string());
  };
  EXPECT_EQ(error(0),
            "crashed: SIGSEGV (Segmentation fault) (last stderr: segfault ahead)");
  EXPECT_EQ(error(1), "no result line from the child");
  EXPECT_EQ(error(2), "child exited with status 1: python_asyncio: it went wrong");
  for (const auto& cell : cells) EXPECT_EQ(cell.at("valid"), false);
  EXPECT_TRUE(processes_left_behind().empty());
}

TEST(harness, a_peer_whose_runtime_is_missing_is_one_line_naming_its_debian_package) {
  scratch_folder folder;
  auto binary = hammertime_with_peers(folder.path, {});  // no hammertime-peer-go
  harness_run run({"run", "--workload", "sleep", "--models", "go", "--items", "3",
                   "--repetitions", "1", "--out", folder.out().string()},
                  folder.path, RLIM_INFINITY, RLIM_INFINITY, binary.string());
  EXPECT_EQ(run.wait(), 2);
  EXPECT_EQ(line_count(run.err()), 1u) << run.err();
  EXPECT_NE(run.err().find("go cannot run on this machine: needs Debian's golang-go"),
            std::string::npos)
      << run.err();
  EXPECT_FALSE(fs::exists(folder.out()));
}

// Under `ulimit -n 170` a cell of 100 connections fits in its child (164) but not in
// the proxy, which holds two descriptors a connection.
TEST(harness, too_few_open_files_for_the_proxy_is_named_up_front) {
  scratch_folder folder;
  harness_run run({"run", "--workload", "flags", "--models", "coroutines", "--items",
                   "100", "--concurrency", "100", "--delay", "1ms", "--link-delay",
                   "10ms", "--repetitions", "1", "--out", folder.out().string()},
                  folder.path, 170);
  EXPECT_EQ(run.wait(10s), 2) << run.err();
  EXPECT_EQ(line_count(run.err()), 1u) << run.err();
  EXPECT_NE(run.err().find("needs 264 open files in hammertime-proxy"), std::string::npos)
      << run.err();
  EXPECT_NE(run.err().find("`ulimit -n` is 170"), std::string::npos) << run.err();
  EXPECT_FALSE(fs::exists(folder.out()));
}

TEST(harness, a_plan_that_is_a_fifo_is_refused_at_once) {
  scratch_folder folder;
  auto fifo = folder.path / "plan";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  harness_run run({"run", "--plan", fifo.string(), "--out", folder.out().string()},
                  folder.path);
  EXPECT_EQ(run.wait(5s), 2) << run.err();
  EXPECT_EQ(line_count(run.err()), 1u) << run.err();
  EXPECT_NE(run.err().find("is not a regular file"), std::string::npos) << run.err();
  EXPECT_FALSE(fs::exists(folder.out()));
}

TEST(harness, list_with_an_extra_argument_is_one_line_exit_2) {
  scratch_folder logs;
  harness_run run({"list", "extra"}, logs.path);
  EXPECT_EQ(run.wait(10s), 2);
  EXPECT_EQ(line_count(run.err()), 1u) << run.err();
  EXPECT_NE(run.err().find("'extra'"), std::string::npos) << run.err();
}

// What a settled run folder holds: plain result files, no .results link and no
// hidden .set-* folders (results_writer.hpp).
void expect_settled(const fs::path& folder) {
  for (auto name : {"results.json", "results.csv", "summary.md"})
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(folder / name))) << name;
  for (const auto& entry : fs::directory_iterator(folder)) {
    auto name = entry.path().filename().string();
    EXPECT_FALSE(name == ".results" || name.rfind(".set-", 0) == 0) << name;
  }
}

// `hammertime ARGS...` run from `folder` (where results/ goes without --out): what
// harness_run gives /bin/sh.
std::vector<std::string> from_folder(const fs::path& folder,
                                     const std::vector<std::string>& args) {
  std::string command = "cd '" + folder.string() + "' && exec " + HAMMERTIME_BIN;
  for (const auto& arg : args) command += " '" + arg + "'";
  return {"-c", command};
}

// hammertime copied into a scratch bin/ beside a stand-in hammertime-server script.
fs::path hammertime_with_server(const fs::path& folder, const std::string& script) {
  auto binary = hammertime_with_peers(folder, {});
  auto server = folder / "bin" / "hammertime-server";
  std::ofstream(server) << "#!/bin/sh\n" << script << "\n";
  fs::permissions(server, fs::perms::owner_all);
  return binary;
}

TEST(harness,
     a_second_run_on_a_held_out_folder_is_refused_and_the_first_keeps_its_cells) {
  scratch_folder folder;
  std::vector<std::string> command{"run",
                                   "--workload",
                                   "sleep",
                                   "--models",
                                   "coroutines,sequential",
                                   "--items",
                                   "20",
                                   "--delay",
                                   "50ms",
                                   "--repetitions",
                                   "1",
                                   "--out",
                                   folder.out().string()};
  harness_run first(command, folder.path);
  ASSERT_TRUE(wait_for_cells(folder.out(), 0, 10s)) << first.err();
  command.push_back("--overwrite");  // not even that lets it in
  fs::create_directories(folder.path / "second");
  harness_run second(command, folder.path / "second");
  EXPECT_EQ(second.wait(10s), 2) << second.err();
  EXPECT_EQ(line_count(second.err()), 1u) << second.err();
  EXPECT_NE(
      second.err().find(folder.out().string() + " is in use: another hammertime run"),
      std::string::npos)
      << second.err();
  ASSERT_EQ(first.wait(), 0) << first.err();
  auto cells = iterations(parse_results(folder.out()));
  ASSERT_EQ(cells.size(), 2u);
  for (const auto& cell : cells) EXPECT_EQ(cell.at("valid"), true) << cell;
  expect_settled(folder.out());
}

TEST(harness, runs_without_out_started_together_get_a_folder_each) {
  scratch_folder folder;
  std::vector<std::unique_ptr<harness_run>> runs;
  for (int n = 0; n < 3; ++n) {
    auto logs = folder.path / ("logs" + std::to_string(n));
    fs::create_directories(logs);
    runs.push_back(std::make_unique<harness_run>(
        from_folder(folder.path,
                    {"run", "--workload", "sleep", "--models", "coroutines", "--items",
                     "5", "--delay", "1ms", "--repetitions", "1"}),
        logs, RLIM_INFINITY, RLIM_INFINITY, "/bin/sh"));
  }
  for (auto& run : runs) EXPECT_EQ(run->wait(), 0) << run->err();
  std::set<std::string> made;
  for (const auto& entry : fs::directory_iterator(folder.path / "results" / "runs")) {
    made.insert(entry.path().filename().string());
    EXPECT_EQ(iterations(parse_results(entry.path())).size(), 1u) << entry.path();
  }
  EXPECT_EQ(made.size(), 3u);
  EXPECT_TRUE(fs::is_symlink(folder.path / "results" / "latest"));
}

TEST(harness, a_results_latest_that_is_not_a_link_is_refused_before_anything_is_made) {
  scratch_folder folder;
  fs::create_directories(folder.path / "results" / "latest");
  harness_run run(
      from_folder(folder.path, {"run", "--workload", "sleep", "--models", "coroutines",
                                "--items", "5", "--delay", "1ms", "--repetitions", "1"}),
      folder.path, RLIM_INFINITY, RLIM_INFINITY, "/bin/sh");
  EXPECT_EQ(run.wait(10s), 2) << run.err();
  EXPECT_EQ(line_count(run.err()), 1u) << run.err();
  EXPECT_NE(run.err().find("results/latest is not a symlink"), std::string::npos)
      << run.err();
  EXPECT_FALSE(fs::exists(folder.path / "results" / "runs"));
}

TEST(harness, a_server_that_exits_before_it_is_ready_is_reported_with_how) {
  const std::vector<std::pair<std::string, std::string>> servers{
      {"echo 'cannot bind: nope' >&2; exit 3",
       "hammertime-server exited before it was ready (exit status 3): cannot bind: nope"},
      {"kill -SEGV $$", "hammertime-server exited before it was ready (SIGSEGV)"}};
  for (const auto& [script, said] : servers) {
    scratch_folder folder;
    auto binary = hammertime_with_server(folder.path, script);
    auto started = std::chrono::steady_clock::now();
    harness_run run(a_short_flags_run(folder), folder.path, RLIM_INFINITY, RLIM_INFINITY,
                    binary.string());
    EXPECT_EQ(run.wait(10s), 1) << run.err();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);  // not its 10 s to start
    EXPECT_EQ(line_count(run.err()), 1u) << run.err();
    EXPECT_NE(run.err().find(said), std::string::npos) << run.err();
    expect_settled(folder.out());
    EXPECT_TRUE(processes_left_behind().empty());
  }
}

class harness_stopped_by : public ::testing::TestWithParam<int> {};

// Each stop signal, in a cell: the same end as Ctrl-C, one line naming it, the folder
// settled with the finished cell, no child and no cgroup left.
TEST_P(harness_stopped_by, mid_run_settles_the_folder_and_leaves_nothing) {
  int signal = GetParam();
  scratch_folder folder;
  auto run = start_a_short_then_a_long_cell(folder);
  pid_t harness = run.pid();
  ASSERT_TRUE(wait_for_cells(folder.out(), 1, 30s)) << run.err();
  std::this_thread::sleep_for(500ms);  // into the second, 10 s cell
  run.signal(signal);
  EXPECT_EQ(run.wait(10s), 128 + signal) << run.err();
  EXPECT_EQ(last_line(run.err()),
            "hammertime run: stopped by " + harness::signal_abbreviation(signal) +
                "; 1 of 6 cells written to " + folder.out().string())
      << run.err();
  EXPECT_TRUE(processes_left_behind().empty());
  EXPECT_TRUE(cgroups_left_by(harness).empty());
  expect_settled(folder.out());
  EXPECT_EQ(iterations(parse_results(folder.out())).size(), 1u);
}

// ...and while the server starts (one that never gets ready).
TEST_P(harness_stopped_by,
       while_the_server_starts_settles_the_folder_and_leaves_nothing) {
  int signal = GetParam();
  scratch_folder folder;
  auto binary = hammertime_with_server(folder.path, "sleep 30");
  harness_run run(a_short_flags_run(folder), folder.path, RLIM_INFINITY, RLIM_INFINITY,
                  binary.string());
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (started_by(run.pid(), "hammertime-server") < 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_GT(started_by(run.pid(), "hammertime-server"), 0) << run.err();
  run.signal(signal);
  EXPECT_EQ(run.wait(10s), 128 + signal) << run.err();
  EXPECT_EQ(run.err(), "hammertime run: stopped by " +
                           harness::signal_abbreviation(signal) +
                           " while hammertime-server started; 0 of 1 cells written to " +
                           folder.out().string() + "\n");
  EXPECT_TRUE(processes_left_behind().empty());
  expect_settled(folder.out());
}

INSTANTIATE_TEST_SUITE_P(each_stop_signal, harness_stopped_by,
                         ::testing::Values(SIGINT, SIGTERM, SIGHUP, SIGQUIT),
                         [](const auto& info) {
                           return harness::signal_abbreviation(info.param);
                         });

}  // namespace
}  // namespace hammertime::testing
