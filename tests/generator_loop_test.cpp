// The generator_loop and generator_loop_busy models end to end: exact tallies against
// hammertime-server on both workloads, and every bad answer a raw socket can give
// (nothing listening, silence, garbage, truncation, endless headers, early close)
// counted failed, with no crash and no hang.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "model.hpp"
#include "model_runs.hpp"
#include "scripted_server.hpp"
#include "server_process.hpp"
#include "wire.hpp"

namespace hammertime::models {
namespace {

using namespace std::chrono_literals;
using testing::read_request;
using testing::scripted_server;
using testing::send_all;
using testing::wait_for_close;

class both_models : public ::testing::TestWithParam<const char*> {
 protected:
  // Runs the model and checks the run ended within `bound`.
  std::unique_ptr<tally> run(const job& work, std::chrono::milliseconds bound = 30s) {
    const model* chosen = find_model(GetParam());
    EXPECT_NE(chosen, nullptr);
    auto counts = std::make_unique<tally>(work.items);
    auto started = std::chrono::steady_clock::now();
    if (chosen != nullptr) chosen->run(work, *counts);
    EXPECT_LT(std::chrono::steady_clock::now() - started, bound);
    EXPECT_EQ(counts->finished(), work.items);
    return counts;
  }
};

INSTANTIATE_TEST_SUITE_P(generator_loop, both_models,
                         ::testing::Values("generator_loop", "generator_loop_busy"),
                         [](const auto& info) { return std::string(info.param); });

TEST_P(both_models, all_676_flags_at_once_give_exact_tallies_and_bytes) {
  hammertime::testing::server_process server;
  auto expected = expected_for(676);
  auto counts = run(flags_job(server.port(), 676, 676));
  EXPECT_EQ(counts->ok(), expected.ok);
  EXPECT_EQ(counts->not_found(), expected.not_found);
  EXPECT_EQ(counts->failed(), 0u);
  EXPECT_EQ(counts->bytes(), expected.bytes);
}

TEST_P(both_models, fewer_tasks_than_items_reuse_their_connections_for_exact_tallies) {
  hammertime::testing::server_process server;
  auto expected = expected_for(100);
  auto counts = run(flags_job(server.port(), 100, 7));
  EXPECT_EQ(counts->ok(), expected.ok);
  EXPECT_EQ(counts->not_found(), expected.not_found);
  EXPECT_EQ(counts->failed(), 0u);
  EXPECT_EQ(counts->bytes(), expected.bytes);
}

TEST_P(both_models, the_sleep_workload_counts_every_item_ok) {
  job work;
  work.kind = workload::sleep;
  work.items = 2000;
  work.concurrency = 500;
  work.delay = 20ms;
  auto counts = run(work);
  EXPECT_EQ(counts->ok(), 2000u);
  EXPECT_EQ(counts->not_found() + counts->failed(), 0u);
  ASSERT_EQ(counts->latencies_ms().size(), 2000u);
  for (float latency : counts->latencies_ms()) ASSERT_GE(latency, 20.0f);
}

TEST_P(both_models, with_no_server_listening_every_item_is_counted_failed) {
  auto counts = run(flags_job(closed_port(), 20, 5));
  EXPECT_EQ(counts->failed(), 20u);
}

TEST_P(both_models, a_host_that_does_not_resolve_fails_every_item) {
  auto work = flags_job(80, 4, 2);
  work.host = "no-such-host.invalid";
  auto counts = run(work);
  EXPECT_EQ(counts->failed(), 4u);
}

TEST_P(both_models, a_listener_that_never_answers_times_out_every_item) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(::listen(listener, 64), 0);  // never accepted, never answered
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  auto work = flags_job(ntohs(address.sin_port), 6, 3);
  work.timeout = 200ms;
  auto started = std::chrono::steady_clock::now();
  auto counts = run(work, 10s);
  EXPECT_GE(std::chrono::steady_clock::now() - started,
            2 * work.timeout);  // two per task
  EXPECT_EQ(counts->failed(), 6u);
  ::close(listener);
}

TEST_P(both_models, with_server_faults_mixed_in_every_item_is_still_counted_once) {
  hammertime::testing::server_process server({"--error-rate", "0.1", "--reset-rate",
                                              "0.1", "--truncate-rate", "0.1",
                                              "--stall-rate", "0.05", "--seed", "7"});
  auto work = flags_job(server.port(), 300, 60);
  work.timeout = 500ms;
  auto counts = run(work);
  EXPECT_GT(counts->failed(), 0u);
  EXPECT_GT(counts->ok() + counts->not_found(), 0u);
}

TEST_P(both_models, each_task_keeps_one_connection_alive_for_all_its_items) {
  scripted_server server(answer_hello_forever);
  auto counts = run(flags_job(server.port(), 12, 3));
  EXPECT_EQ(counts->ok(), 12u);
  EXPECT_EQ(counts->bytes(), 12u * 5);
  EXPECT_EQ(server.accepted(), 3);
}

TEST_P(both_models, a_connection_close_answer_makes_the_next_item_reconnect) {
  scripted_server server([](int connection) {
    if (read_request(connection))
      send_all(
          connection,
          "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  auto counts = run(flags_job(server.port(), 4, 1));
  EXPECT_EQ(counts->not_found(), 4u);
  EXPECT_EQ(server.accepted(), 4);
}

TEST_P(both_models, running_out_of_open_files_stops_the_run_naming_the_limit) {
  scripted_server server(answer_hello_forever);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  int probe = ::dup(0);  // the lowest free descriptor: about how many are open now
  ::close(probe);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe + 10);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  tally counts(50);
  try {
    find_model(GetParam())->run(flags_job(server.port(), 50, 50), counts);
    ADD_FAILURE() << "no machine_limit thrown";
  } catch (const machine_limit& limit) {
    EXPECT_NE(std::string(limit.what()).find("ulimit -n"), std::string::npos)
        << limit.what();
  }
  setrlimit(RLIMIT_NOFILE, &saved);
}

// Issue 6: each malformed or cut-short response is one failed item, and the run goes on.
struct bad_answer {
  const char* name;
  const char* bytes;
  bool then_stall;  // keep the connection open, silent, after the bytes
};

void PrintTo(const bad_answer& answer, std::ostream* out) { *out << answer.name; }

class bad_answers : public ::testing::TestWithParam<std::tuple<const char*, bad_answer>> {
};

INSTANTIATE_TEST_SUITE_P(
    generator_loop, bad_answers,
    ::testing::Combine(
        ::testing::Values("generator_loop", "generator_loop_busy"),
        ::testing::Values(
            bad_answer{"garbage_status_line", "HTPT/1.1 two hundred OK\r\n\r\n", false},
            bad_answer{"truncated_body",
                       "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789",
                       false},
            bad_answer{"headers_that_never_end",
                       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n", true},
            bad_answer{"early_close", "", false},
            bad_answer{"half_a_status_line_then_close", "HTTP/1.1 20", false},
            bad_answer{"body_never_comes", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                       true})),
    [](const auto& info) {
      return std::string(std::get<0>(info.param)) + "_" + std::get<1>(info.param).name;
    });

TEST_P(bad_answers, are_each_counted_failed_with_no_crash_and_no_hang) {
  auto [model_name, answer] = GetParam();
  scripted_server server([answer](int connection) {
    if (!read_request(connection)) return;
    send_all(connection, answer.bytes);
    if (answer.then_stall) wait_for_close(connection);
  });
  auto work = flags_job(server.port(), 6, 2);
  work.timeout = 300ms;
  tally counts(work.items);
  auto started = std::chrono::steady_clock::now();
  find_model(model_name)->run(work, counts);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(counts.failed(), 6u);
  EXPECT_EQ(counts.finished(), 6u);
  EXPECT_EQ(server.accepted(), 6);  // a failed connection is never reused
}

}  // namespace
}  // namespace hammertime::models
