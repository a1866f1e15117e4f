// The same measurement for every row, C++ model or peer, each run the way the harness
// runs it (`hammertime child`, or the peer's command, with the peer's environment):
// latency slots written before the baseline, connections closed before the clock
// stops, runtime_threads and tasks_held reported, and no proxy variable followed. A
// peer whose runtime is missing skips with the line that names its Debian package.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness/peers.hpp"
#include "harness/process_group.hpp"
#include "models/model.hpp"
#include "server_process.hpp"
#include "shell_words.hpp"

namespace hammertime {
namespace {

struct row {
  std::string name;
  const models::model* model = nullptr;
  const harness::peer* peer = nullptr;
};

void PrintTo(const row& one, std::ostream* out) { *out << one.name; }

boost::json::object run_row(const row& one, const std::string& workload,
                            std::size_t items, std::size_t c, unsigned short port,
                            const std::string& environment = "") {
  std::string command = environment + " " + std::string(HAMMERTIME_BIN) + " child";
  if (one.peer) {
    command = environment + " " + testing::quoted_assignment(one.peer->environment) + " ";
    for (const auto& word : harness::peer_command(*one.peer)) command += word + " ";
  }
  command += " --model " + one.name + " --workload " + workload + " --items " +
             std::to_string(items) + " --concurrency " + std::to_string(c) +
             " --delay-ms 0 --timeout-ms 5000 --host 127.0.0.1 --port " +
             std::to_string(port);
  FILE* output = popen(("env " + command).c_str(), "r");
  std::string text, last;
  char buffer[1 << 16];
  while (output && std::fgets(buffer, sizeof buffer, output)) text += buffer;
  if (output) pclose(output);
  auto end = text.find_last_not_of('\n');
  auto start = text.rfind('\n', end);
  last = text.substr(start == std::string::npos ? 0 : start + 1);
  boost::system::error_code error;
  auto line = boost::json::parse(last, error);
  return line.is_object() ? line.as_object() : boost::json::object{};
}

std::int64_t number(const boost::json::object& line, const char* key) {
  const auto* value = line.if_contains(key);
  return value ? value->to_number<std::int64_t>() : -1;
}

class row_measurement : public ::testing::TestWithParam<row> {
 protected:
  void SetUp() override {
    const auto& one = GetParam();
    if (one.peer)
      if (auto missing = harness::missing_runtime(*one.peer); !missing.empty())
        GTEST_SKIP() << one.name << ": " << missing;
    if (one.model->cannot_run_here)
      if (auto why = one.model->cannot_run_here(); !why.empty()) GTEST_SKIP() << why;
  }
};

// How many latency slots a row writes for this test, and the bytes a slot takes at
// least. The BEAM's start-up resident set varies by about 2 MB from one start to the
// next: a million of its 8-byte slots (atomics) stand clear of that, either way.
struct latency_slots {
  std::size_t items = 120000;
  std::size_t bytes_each = 4;
};

latency_slots slots_for_a_clear_baseline(const row& one) {
  bool beam = one.peer && (one.peer->runtime.starts_with("Erlang") ||
                           one.peer->runtime.starts_with("Elixir"));
  return beam ? latency_slots{1000000, 8} : latency_slots{};
}

TEST_P(row_measurement, writes_its_latency_slots_before_the_baseline) {
  // The baseline must hold the slots: it rises by half their bytes at least (the two
  // baselines differ by a few pages of their own).
  testing::server_process server;
  auto slots = slots_for_a_clear_baseline(GetParam());
  auto one = run_row(GetParam(), "sleep", 1, 1, server.port());
  auto many = run_row(GetParam(), "sleep", slots.items, 100, server.port());
  ASSERT_EQ(number(many, "ok"), static_cast<std::int64_t>(slots.items)) << many;
  EXPECT_GT(number(many, "baseline_rss_bytes") - number(one, "baseline_rss_bytes"),
            static_cast<std::int64_t>(slots.items * slots.bytes_each / 2))
      << one << "\n"
      << many;
}

TEST_P(row_measurement, closes_its_connections_before_its_clock_stops) {
  testing::server_process server;
  auto line = run_row(GetParam(), "flags", 100, 10, server.port());
  ASSERT_EQ(number(line, "ok") + number(line, "not_found"), 100) << line;
  if (!GetParam().peer) return;  // the C++ models close theirs in their tear-down
  // Java 17's HttpClient has no close() (Java 21 adds one): its connections close at
  // exit, after the clock.
  if (GetParam().peer->runtime == "Java") GTEST_SKIP() << "Java 17 cannot close them";
  EXPECT_EQ(number(line, "sockets_left_open"), 0) << line;
}

TEST_P(row_measurement, reports_its_runtime_threads_and_the_tasks_it_holds) {
  testing::server_process server;
  auto line = run_row(GetParam(), "sleep", 50, 10, server.port());
  ASSERT_EQ(number(line, "ok"), 50) << line;
  EXPECT_GE(number(line, "runtime_threads"), 1) << line;
  // C (capped at the row's most) at least, N at most; python_threads' pool counts the
  // threads it started (the next test).
  auto c = std::min<std::int64_t>(10, number(line, "concurrency"));
  if (GetParam().name != "python_threads")
    EXPECT_GE(number(line, "tasks_held"), c) << line;
  EXPECT_GE(number(line, "tasks_held"), 1) << line;
  EXPECT_LE(number(line, "tasks_held"), 50) << line;
  if (GetParam().name == "go_1core") EXPECT_EQ(number(line, "runtime_threads"), 1);
}

TEST(python_threads, counts_the_threads_its_pool_started_not_c) {
  // ThreadPoolExecutor starts a thread only when none is idle, and a thread's start()
  // waits for it to run: at delay 0 an earlier thread is idle long before the 200th
  // item, so the pool holds fewer than C = 200 threads, and its bytes/task must be
  // divided by those it holds.
  const auto& peers = harness::all_peers();
  auto peer = std::find_if(peers.begin(), peers.end(), [](const auto& one) {
    return one.model.name == "python_threads";
  });
  ASSERT_NE(peer, peers.end());
  if (auto missing = harness::missing_runtime(*peer); !missing.empty())
    GTEST_SKIP() << missing;
  testing::server_process server;
  auto line =
      run_row({"python_threads", &peer->model, &*peer}, "sleep", 200, 200, server.port());
  ASSERT_EQ(number(line, "ok"), 200) << line;
  EXPECT_GE(number(line, "tasks_held"), 1) << line;
  EXPECT_LT(number(line, "tasks_held"), 200) << line;
  EXPECT_EQ(number(line, "runtime_threads"), number(line, "tasks_held")) << line;
}

TEST_P(row_measurement, follows_no_proxy_variable_the_harness_had) {
  // The harness's children see no proxy variable (harness/process_group.hpp); a row
  // that followed this one would count every request failed.
  testing::server_process server;
  std::string proxy = "http://127.0.0.1:9";
  std::vector<std::string> given;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy"})
    given.push_back(std::string(name) + "=" + proxy);
  for (auto& variable : given) putenv(variable.data());
  // spawn_in_own_group is how the harness starts every child.
  std::vector<std::string> command;
  if (GetParam().peer)
    command = harness::peer_command(*GetParam().peer);
  else
    command = {HAMMERTIME_BIN, "child"};
  for (std::string word : {"--model", GetParam().name.c_str(), "--workload", "flags",
                           "--items", "20", "--concurrency", "5", "--delay-ms", "0",
                           "--timeout-ms", "2000", "--host", "127.0.0.1", "--port"})
    command.push_back(word);
  command.push_back(std::to_string(server.port()));
  harness::spawn_setup setup;
  if (GetParam().peer && !GetParam().peer->environment.empty())
    setup.environment.emplace_back(GetParam().peer->environment);
  auto child = harness::spawn_in_own_group(command[0], command, true, setup);
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = read(child.output_fd, buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(got));
  close(child.output_fd);
  waitpid(child.pid, nullptr, 0);
  for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy"}) unsetenv(name);
  auto line = boost::json::parse(text.substr(text.rfind('{'))).as_object();
  EXPECT_EQ(number(line, "failed"), 0) << line;
  EXPECT_EQ(number(line, "ok") + number(line, "not_found"), 20) << line;
}

std::vector<row> every_row() {
  std::vector<row> rows;
  for (const auto& model : models::all_models())
    rows.push_back({std::string(model.name), &model, nullptr});
  for (const auto& peer : harness::all_peers())
    rows.push_back({std::string(peer.model.name), &peer.model, &peer});
  return rows;
}

INSTANTIATE_TEST_SUITE_P(every_model_and_peer, row_measurement,
                         ::testing::ValuesIn(every_row()),
                         [](const auto& info) { return info.param.name; });

TEST(proxy_variables, are_every_name_that_ends_in_proxy_whatever_its_case) {
  for (const char* entry : {"http_proxy=x", "HTTPS_PROXY=x", "all_proxy=", "NO_PROXY=a,b",
                            "ftp_proxy=x", "No_Proxy=x"})
    EXPECT_TRUE(harness::is_proxy_variable(entry)) << entry;
  for (const char* entry : {"PATH=/usr/bin", "proxy=x", "HOME=/http_proxy", "PROXYISH=1"})
    EXPECT_FALSE(harness::is_proxy_variable(entry)) << entry;
}

}  // namespace
}  // namespace hammertime
