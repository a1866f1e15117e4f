// Every model and every peer x every fault the server can inject, each cell run the way
// the harness runs it (`hammertime child`, or the peer's command: a fresh process): the
// tally always adds up to N, and the run ends within a bound that the per-request
// timeout sets. A peer whose runtime is missing skips, naming its Debian package (CI
// installs them all: make deps-peers).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "harness/peers.hpp"
#include "model_runs.hpp"
#include "models/model.hpp"
#include "server_process.hpp"
#include "shell_words.hpp"

namespace hammertime {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t items = 40;
constexpr std::size_t concurrency = 10;
constexpr auto timeout = 500ms;

struct fault {
  std::string name;
  std::vector<std::string> server_args;
};

const std::vector<fault> faults{
    {"errors", {"--error-rate", "0.25"}},
    {"resets", {"--reset-rate", "0.3"}},
    {"truncated_bodies", {"--truncate-rate", "0.3"}},
    {"stalls", {"--stall-rate", "0.3"}},
    // 20,000 B/s: the larger flags (AL is 32,982 bytes) take longer than the timeout.
    {"slow_bodies", {"--slow-body", "20000"}},
};

void PrintTo(const fault& injected, std::ostream* out) { *out << injected.name; }

struct child_run {
  boost::json::value line;
  std::chrono::duration<double> wall{};
  int status = -1;
};

child_run run_child(const std::string& model, unsigned short port, std::size_t c) {
  std::string start = std::string(HAMMERTIME_BIN) + " child";
  if (const auto* peer = harness::find_peer(model)) {
    start = "env " + testing::quoted_assignment(peer->environment) + " ";
    for (const auto& word : harness::peer_command(*peer)) start += word + " ";
  }
  // A child that hangs is killed after two minutes (the row's own bound is far less),
  // so a hang fails this cell with its status instead of CTest's timeout.
  std::string command = "timeout -k 5 120 " + start + " --model " + model +
                        " --workload flags --items " + std::to_string(items) +
                        " --concurrency " + std::to_string(c) +
                        " --delay-ms 0 --timeout-ms " + std::to_string(timeout.count()) +
                        " --host 127.0.0.1 --port " + std::to_string(port);
  child_run run;
  auto started = std::chrono::steady_clock::now();
  FILE* output = popen(command.c_str(), "r");
  std::string text;
  char buffer[4096];
  while (output && std::fgets(buffer, sizeof buffer, output)) text += buffer;
  run.status = output ? pclose(output) : -1;
  run.wall = std::chrono::steady_clock::now() - started;
  boost::system::error_code error;
  run.line = boost::json::parse(text, error);
  return run;
}

std::uint64_t number(const boost::json::value& line, const char* key) {
  return line.at(key).to_number<std::uint64_t>();
}

using cell = std::tuple<std::string, fault>;

class fault_matrix : public ::testing::TestWithParam<cell> {};

TEST_P(fault_matrix, every_item_is_counted_once_and_the_run_ends_in_time) {
  const auto& [model_name, injected] = GetParam();
  auto args = injected.server_args;
  args.insert(args.end(), {"--seed", "42"});
  testing::server_process server(args);
  const auto* peer = harness::find_peer(model_name);
  const auto* model = peer ? &peer->model : models::find_model(model_name);
  ASSERT_NE(model, nullptr);
  if (peer)
    if (auto missing = harness::missing_runtime(*peer); !missing.empty())
      GTEST_SKIP() << model_name << ": " << missing;
  SKIP_IF_THIS_MACHINE_CANNOT_RUN(*model);
  auto c = std::min(concurrency, model->max_concurrency);

  auto run = run_child(model_name, server.port(), c);

  ASSERT_EQ(WEXITSTATUS(run.status), 0)
      << (WEXITSTATUS(run.status) == 124 ? model_name + " hung under " + injected.name
                                         : boost::json::serialize(run.line));
  auto ok = number(run.line, "ok"), not_found = number(run.line, "not_found"),
       failed = number(run.line, "failed");
  EXPECT_EQ(ok + not_found + failed, items) << boost::json::serialize(run.line);
  EXPECT_GE(failed, 1u) << "the fault was never seen";
  if (injected.name == "errors") {
    // A quarter of 40 is 10; the bounds are about three standard deviations out.
    EXPECT_GE(failed, 3u);
    EXPECT_LE(failed, 20u);
  }
  // Each task's items one after another, each at most one timeout (a reconnect and a
  // slow start included in the slack).
  auto rounds = static_cast<double>((items + c - 1) / c);
  auto bound = rounds * std::chrono::duration<double>(timeout) + 5s;
  EXPECT_LT(run.wall, bound) << model_name << " under " << injected.name;
}

std::vector<cell> every_cell() {
  std::vector<cell> cells;
  for (const auto& model : models::all_models())
    for (const auto& injected : faults)
      cells.emplace_back(std::string(model.name), injected);
  for (const auto& peer : harness::all_peers())
    for (const auto& injected : faults)
      cells.emplace_back(std::string(peer.model.name), injected);
  return cells;
}

INSTANTIATE_TEST_SUITE_P(every_model_and_peer, fault_matrix,
                         ::testing::ValuesIn(every_cell()), [](const auto& info) {
                           return std::get<0>(info.param) + "_under_" +
                                  std::get<1>(info.param).name;
                         });

}  // namespace
}  // namespace hammertime
