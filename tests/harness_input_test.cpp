// The harness against hostile input: result files that cannot be hijacked or left
// inconsistent, every option (run's and child's) held to one set of rules, and user
// text quoted without its control characters.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/atomic_file.hpp"
#include "harness/cell.hpp"
#include "harness/cli.hpp"
#include "harness/peers.hpp"
#include "harness/results_writer.hpp"
#include "harness/run_folder.hpp"
#include "scratch_folder.hpp"

namespace hammertime::harness {
namespace {

using testing::read_text;
using testing::scratch_folder;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string refusal(std::vector<std::string_view> args) {
  try {
    parse_run_options(args);
  } catch (const usage_error& error) {
    return error.what();
  }
  return "accepted";
}

// A finished sleep cell, repetition `n`.
finished_cell a_cell(std::size_t n) {
  auto options = parse_run_options(std::vector<std::string_view>{
      "--workload", "sleep", "--models", "coroutines", "--items", "10", "--delay", "10ms",
      "--repetitions", "1"});
  finished_cell done{plan_cells(options).front(), {}};
  done.where.repetition = n;
  done.result.wall_seconds = 0.01;
  done.result.seconds_outside = 0.02;
  done.result.ok = 10;
  return done;
}

std::size_t iterations_in(const fs::path& results_json) {
  boost::system::error_code error;
  auto parsed = boost::json::parse(read_text(results_json), error);
  if (error) return static_cast<std::size_t>(-1);
  std::size_t count = 0;
  for (const auto& entry : parsed.at("benchmarks").as_array())
    count += entry.at("run_type") == "iteration";
  return count;
}

std::size_t rows_in(const fs::path& results_csv) {
  auto text = read_text(results_csv);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1;
}

TEST(harness_result_files,
     a_symlink_planted_at_a_temporary_name_is_never_written_through) {
  scratch_folder folder;
  auto victim = folder.path / "victim";
  std::ofstream(victim) << "precious";
  // Every name the writer used to use for its temporaries (.NAME.tmp.PID).
  for (auto name : {"results.json", "results.csv", "summary.md", "a.txt"})
    fs::create_symlink(victim, folder.path / ("." + std::string(name) + ".tmp." +
                                              std::to_string(getpid())));
  write_file_atomically(folder.path / "a.txt", "new");
  write_results(folder.path, {}, std::vector<finished_cell>{a_cell(0)});
  EXPECT_EQ(read_text(victim), "precious");
  EXPECT_EQ(read_text(folder.path / "a.txt"), "new");
  EXPECT_EQ(iterations_in(folder.path / "results.json"), 1u);
}

TEST(harness_run_folder, runs_started_in_the_same_second_get_a_folder_each) {
  scratch_folder runs;
  std::vector<fs::path> made(8);
  std::vector<std::thread> runners;
  for (auto& folder : made)
    runners.emplace_back(
        [&] { folder = make_fresh_folder(runs.path, "20250101-000000"); });
  for (auto& runner : runners) runner.join();
  std::set<fs::path> distinct(made.begin(), made.end());
  EXPECT_EQ(distinct.size(), made.size());
  EXPECT_TRUE(distinct.count(runs.path / "20250101-000000"));
  EXPECT_TRUE(distinct.count(runs.path / "20250101-000000-8"));
}

TEST(harness_run_folder, a_folder_is_held_by_one_run_at_a_time) {
  scratch_folder folder;
  int first = lock_folder(folder.path);
  ASSERT_GE(first, 0);
  EXPECT_EQ(lock_folder(folder.path), -1);
  EXPECT_EQ(errno, EWOULDBLOCK);
  pid_t other = fork();  // another process: flock is per open file, not per process
  if (other == 0) _exit(lock_folder(folder.path) == -1 ? 0 : 1);
  int status = 0;
  waitpid(other, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(first);
  int second = lock_folder(folder.path);
  EXPECT_GE(second, 0);
  close(second);
}

TEST(harness_run_folder, results_latest_must_be_a_link_if_it_is_there) {
  scratch_folder folder;
  auto latest = folder.path / "latest";
  EXPECT_NO_THROW(check_latest_link(latest));
  fs::create_directory_symlink("runs/x", latest);
  EXPECT_NO_THROW(check_latest_link(latest));
  fs::remove(latest);
  fs::create_directory(latest);
  EXPECT_THROW(check_latest_link(latest), usage_error);
}

TEST(harness_result_files, a_new_file_is_readable_by_all_like_before) {
  scratch_folder folder;
  write_file_atomically(folder.path / "a.txt", "new");
  auto permissions = fs::status(folder.path / "a.txt").permissions();
  EXPECT_EQ(permissions, fs::perms::owner_read | fs::perms::owner_write |
                             fs::perms::group_read | fs::perms::others_read);
}

TEST(harness_result_files,
     a_writer_killed_at_any_moment_leaves_json_and_csv_with_the_same_cells) {
  scratch_folder folder;
  std::mt19937 draw(42);
  for (int attempt = 0; attempt < 40; ++attempt) {
    pid_t writer = fork();
    if (writer == 0) {
      std::vector<finished_cell> cells;
      for (std::size_t n = 0;; ++n) {
        cells.push_back(a_cell(n));
        write_results(folder.path, {}, cells);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(5000 + draw() % 20000));
    kill(writer, SIGKILL);
    waitpid(writer, nullptr, 0);
    if (!fs::exists(folder.path / "results.csv")) continue;
    auto json = iterations_in(folder.path / "results.json");
    auto csv = rows_in(folder.path / "results.csv");
    ASSERT_EQ(json, csv) << "attempt " << attempt;
    auto summary = read_text(folder.path / "summary.md");
    EXPECT_NE(summary.find("ok"), std::string::npos);
  }
}

TEST(harness_result_files, a_settled_folder_holds_plain_files_and_no_hidden_sets) {
  scratch_folder folder;
  std::vector<finished_cell> cells{a_cell(0)};
  write_results(folder.path, {}, cells);
  cells.push_back(a_cell(1));
  write_results(folder.path, {}, cells);
  settle_results(folder.path);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder.path)) {
    names.push_back(entry.path().filename().string());
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(entry.path()))) << names.back();
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"results.csv", "results.json", "summary.md"}));
  EXPECT_EQ(iterations_in(folder.path / "results.json"), 2u);
  EXPECT_EQ(rows_in(folder.path / "results.csv"), 2u);
}

TEST(harness_option_rules, probabilities_are_finite_numbers_0_to_1) {
  for (auto value : {"nan", "-nan", "inf", "NAN", "1.5", "-0.1"})
    EXPECT_NE(refusal({"--error-rate", value}).find("--error-rate"), std::string::npos)
        << value;
  EXPECT_EQ(refusal({"--error-rate", "0.5"}), "accepted");
}

TEST(harness_option_rules, server_threads_follow_the_servers_1_to_1024) {
  EXPECT_NE(refusal({"--server-threads", "2000"}).find("1..1024"), std::string::npos);
  EXPECT_NE(refusal({"--server-threads", "0"}).find("--server-threads"),
            std::string::npos);
  EXPECT_EQ(refusal({"--server-threads", "1024"}), "accepted");
}

TEST(harness_option_rules, durations_are_bounded_and_never_nan_inf_or_negative) {
  for (auto name : {"--delay", "--timeout", "--cell-limit"})
    for (auto value : {"nanms", "infms", "-5ms", "9000000000000000ms", "1e300s"})
      EXPECT_NE(refusal({name, value}).find(name), std::string::npos)
          << name << " " << value;
  EXPECT_NE(refusal({"--delay", "601s"}).find("at most 10m"), std::string::npos);
  EXPECT_EQ(refusal({"--delay", "10m"}), "accepted");
  EXPECT_NE(refusal({"--timeout", "3601s"}).find("at most 60m"), std::string::npos);
  EXPECT_EQ(refusal({"--timeout", "60m"}), "accepted");
  EXPECT_NE(refusal({"--cell-limit", "86401s"}).find("at most 1440m"), std::string::npos);
  EXPECT_EQ(refusal({"--cell-limit", "1440m"}), "accepted");
}

TEST(harness_option_rules, the_time_limit_rule_does_not_overflow) {
  auto options = parse_run_options(std::vector<std::string_view>{
      "--workload", "sleep", "--models", "sequential", "--items", "1000000000", "--delay",
      "10m", "--timeout", "60m"});
  auto limit = cell_time_limit(plan_cells(options).front(), options);
  EXPECT_GT(limit, std::chrono::hours(24));
  // Still a deadline steady_clock can hold.
  EXPECT_LT(limit, std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::duration::max()) /
                       2);
}

TEST(harness_option_rules, an_option_given_twice_is_refused) {
  EXPECT_EQ(refusal({"--delay", "10ms", "--delay", "20ms"}), "--delay given twice");
  EXPECT_EQ(refusal({"--items=5", "--items", "5"}), "--items given twice");
}

TEST(harness_option_rules, quoted_input_has_its_control_characters_escaped) {
  auto message = refusal({"--models", "a\x1b[31mb\n"});
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
  EXPECT_NE(message.find("a\\x1b[31mb\\n"), std::string::npos) << message;
  EXPECT_EQ(escaped(std::string(500, 'x')).size(), 203u);  // 200 and "..."
}

TEST(harness_option_rules, overwrite_is_a_switch_and_not_a_plan_line_option) {
  auto options = parse_run_options(std::vector<std::string_view>{"--overwrite"});
  EXPECT_TRUE(options.overwrite);
  EXPECT_FALSE(parse_run_options(std::vector<std::string_view>{}).overwrite);
}

struct plan_path {
  fs::path path = fs::temp_directory_path() /
                  ("hammertime-input-plan-" + std::to_string(getpid()) + ".plan");
  ~plan_path() { fs::remove(path); }
};

TEST(harness_option_rules, a_plan_is_read_up_to_1_mib_and_10000_lines) {
  plan_path plan;
  { std::ofstream file(plan.path); }
  fs::resize_file(plan.path, 1ull << 30);  // sparse: read only as far as the bound
  auto started = std::chrono::steady_clock::now();
  EXPECT_NE(refusal({"--plan", plan.path.string()}).find("over 1 MiB"),
            std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  {
    std::ofstream file(plan.path);
    for (int i = 0; i < 10'001; ++i) file << "#\n";
  }
  EXPECT_NE(refusal({"--plan", plan.path.string()}).find("10000 lines"),
            std::string::npos);
}

TEST(harness_option_rules, a_plan_is_only_a_regular_file) {
  EXPECT_EQ(refusal({"--plan", "/dev/zero"}),
            "--plan '/dev/zero' is not a regular file (a FIFO, a device or a folder)");
  EXPECT_NE(refusal({"--plan", "/tmp"}).find("not a regular file"), std::string::npos);
  scratch_folder folder;
  auto fifo = folder.path / "plan";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto started = std::chrono::steady_clock::now();  // no writer: open() would wait
  EXPECT_NE(refusal({"--plan", fifo.string()}).find("not a regular file"),
            std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(harness_option_rules, an_unknown_option_is_named_unknown_wherever_it_stands) {
  const std::string unknown = "unknown option '--bogus' (see hammertime run --help)";
  EXPECT_EQ(refusal({"--bogus"}), unknown);
  EXPECT_EQ(refusal({"--bogus", "1"}), unknown);
  EXPECT_EQ(refusal({"--bogus", "--items", "5"}), unknown);
  EXPECT_EQ(refusal({"--bogus=1"}), unknown);
  EXPECT_EQ(refusal({"--items"}), "--items needs a value");
}

TEST(harness_option_rules, every_option_the_help_names_is_known) {
  std::string help(run_help());
  for (auto at = help.find("--"); at != std::string::npos; at = help.find("--", at + 2)) {
    auto end = help.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", at + 2);
    auto name = help.substr(at, end - at);
    if (name == "--help" || name == "--threads") continue;  // run_main's; the server's
    EXPECT_EQ(refusal({name}).find("unknown option"), std::string::npos) << name;
  }
}

TEST(harness_option_rules, a_bad_plan_line_is_quoted_escaped) {
  plan_path plan;
  std::ofstream(plan.path) << "--workload sleep --models \x1b[2Jx\n";
  auto message = refusal({"--plan", plan.path.string()});
  EXPECT_NE(message.find("line 1"), std::string::npos) << message;
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
}

// `hammertime child ARGS...`: exit status and stderr.
std::pair<int, std::string> child(std::vector<std::string> args) {
  std::string command = std::string(HAMMERTIME_BIN) + " child";
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " 2>&1 >/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  std::string said;
  char buffer[256];
  while (auto got = fread(buffer, 1, sizeof buffer, pipe)) said.append(buffer, got);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), said};
}

std::vector<std::string> good_child_args() {
  return {"--model",       "sequential", "--workload", "sleep", "--items",      "2",
          "--concurrency", "1",          "--delay-ms", "1",     "--timeout-ms", "100"};
}

TEST(harness_child_arguments, each_bad_one_is_one_line_exit_2_naming_it) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"--items", "-1"},    {"--items", "0"},         {"--delay-ms", "-5000"},
      {"--delay-ms", "1x"}, {"--port", "70000"},      {"--concurrency", "1.5"},
      {"--timeout-ms", ""}, {"--delay-ms", "600001"}, {"--bogus", "1"},
      {"--model", "nope"},  {"--workload", "nope"},   {"--work-us", "5"},
      {"--ticker-ms", "0"}};
  for (const auto& [name, value] : bad) {
    auto args = good_child_args();
    auto at = std::find(args.begin(), args.end(), name);
    if (at != args.end())
      at[1] = value;
    else
      args.insert(args.end(), {name, value});
    auto [code, said] = child(args);
    EXPECT_EQ(code, 2) << name << " " << value << ": " << said;
    EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << said;
    EXPECT_NE(said.find(name), std::string::npos) << said;
  }
  auto args = good_child_args();
  args.push_back("--port");
  auto [code, said] = child(args);
  EXPECT_EQ(code, 2);
  EXPECT_NE(said.find("--port needs a value"), std::string::npos) << said;
  EXPECT_EQ(child(good_child_args()).first, 0);
}

TEST(harness_child_arguments, help_prints_the_protocol_and_exits_0) {
  auto [code, said] = child({"--help"});
  (void)said;
  EXPECT_EQ(code, 0);
  std::string command = std::string(HAMMERTIME_BIN) + " child --help";
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096] = {};
  fread(buffer, 1, sizeof buffer - 1, pipe);
  pclose(pipe);
  EXPECT_NE(std::string(buffer).find("usage: hammertime child --model"),
            std::string::npos)
      << buffer;
}

// A hammertime whose peers/ folder is gone: the node peer's runtime is there, its
// script is not, and `list` says so instead of asking for Debian's nodejs.
TEST(harness_input, a_missing_peer_script_is_named_not_its_runtime) {
  if (access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/node here";
  scratch_folder scratch;
  auto copy = scratch.path / "hammertime";
  std::filesystem::copy_file(HAMMERTIME_BIN, copy);
  std::string command = copy.string() + " list 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string said;
  char buffer[4096];
  while (auto got = fread(buffer, 1, sizeof buffer, pipe)) said.append(buffer, got);
  pclose(pipe);
  auto node = said.substr(said.find("\n  node "));
  node = node.substr(0, node.find('\n', 1));
  EXPECT_NE(node.find("peers/node.js is missing"), std::string::npos) << node;
  EXPECT_EQ(node.find("nodejs"), std::string::npos) << node;
}

TEST(harness_input, all_is_the_cpp_models_and_peers_selects_the_peers_by_name_too) {
  auto all = parse_run_options(std::vector<std::string_view>{"--models", "all"}).models;
  EXPECT_EQ(all.size(), models::all_models().size());
  for (const auto* m : all) EXPECT_EQ(peer_of(m), nullptr) << m->name;
  auto peers =
      parse_run_options(std::vector<std::string_view>{"--models", "peers"}).models;
  ASSERT_EQ(peers.size(), all_peers().size());
  for (std::size_t i = 0; i < peers.size(); ++i)
    EXPECT_EQ(peers[i], &all_peers()[i].model);
  auto mixed =
      parse_run_options(std::vector<std::string_view>{"--models", "go,sequential,peers"})
          .models;
  ASSERT_EQ(mixed.size(), 1 + all_peers().size());
  EXPECT_EQ(mixed[0], &find_peer("go")->model);
  EXPECT_EQ(mixed[1], models::find_model("sequential"));
  EXPECT_EQ(refusal({"--models", "python"}),
            "unknown model 'python' (see hammertime list)");
}

}  // namespace
}  // namespace hammertime::harness
