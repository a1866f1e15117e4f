// hammertime-server's fault injection: each fault at rate 1 does what it
// says and is counted; a fractional rate is repeatable with its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "server_helpers.hpp"

namespace hammertime::testing {
namespace {

using clock = std::chrono::steady_clock;

TEST(server_faults, error_rate_1_answers_503_and_keeps_the_connection) {
  server_process server({"--error-rate", "1"});
  auto client = client_of(server);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Get("/flags/br/br.gif")->status, 503);
  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "faults", "error"), 5);
  EXPECT_EQ(at(stats, "requests", "503"), 5);
  EXPECT_EQ(at(stats, "requests", "200"), 0);
  EXPECT_EQ(at(stats, "connections", "accepted"), 2);
}

TEST(server_faults, truncate_rate_1_sends_less_than_content_length_then_closes) {
  server_process server({"--truncate-rate", "1"});
  auto exchange = raw_get(server, "/flags/br/br.gif");
  EXPECT_EQ(exchange.end_errno, 0);  // a clean close, not a reset
  EXPECT_EQ(exchange.content_length(), 11623u);
  EXPECT_EQ(exchange.body_bytes(), 11623u / 2);
  EXPECT_FALSE(client_of(server).Get("/flags/br/br.gif"));
  EXPECT_EQ(at(stats_of(server), "faults", "truncate"), 2);
}

TEST(server_faults, reset_rate_1_resets_the_connection_mid_response) {
  server_process server({"--reset-rate", "1"});
  auto exchange = raw_get(server, "/flags/br/br.gif");
  EXPECT_EQ(exchange.end_errno, ECONNRESET);
  EXPECT_LT(exchange.body_bytes(), 11623u);
  EXPECT_FALSE(client_of(server).Get("/flags/br/br.gif"));
  EXPECT_EQ(at(stats_of(server), "faults", "reset"), 2);
}

TEST(server_faults, stall_rate_1_never_answers_and_holds_the_connection) {
  server_process server({"--stall-rate", "1"});
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(std::chrono::milliseconds(300));
  auto started = clock::now();
  auto response = client.Get("/flags/br/br.gif");
  EXPECT_FALSE(response);
  EXPECT_EQ(response.error(), httplib::Error::Read);
  EXPECT_GE(clock::now() - started, std::chrono::milliseconds(300));
  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "faults", "stall"), 1);
  EXPECT_EQ(stats.at("answered").to_number<int>(), 0);
}

TEST(server_faults, a_stalled_connection_is_released_when_the_client_leaves) {
  server_process server({"--stall-rate", "1"});
  {
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(std::chrono::milliseconds(100));
    client.Get("/flags/br/br.gif");
  }
  std::int64_t open = -1;
  for (int i = 0; i < 100 && open != 1; ++i) {  // 1: the /stats connection itself
    open = at(stats_of(server), "connections", "open");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(open, 1);
}

TEST(server_faults, slow_body_trickles_at_the_given_rate) {
  server_process server({"--slow-body", "20000"});
  auto client = client_of(server);
  auto started = clock::now();
  auto response = client.Get("/flags/br/br.gif");  // 11623 bytes: about 0.58 s
  auto waited = std::chrono::duration<double>(clock::now() - started).count();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body.size(), 11623u);
  EXPECT_GE(waited, 0.5);
  EXPECT_LT(waited, 1.5);
  EXPECT_EQ(at(stats_of(server), "faults", "slow_body"), 1);
}

std::vector<int> statuses(const server_process& server, int requests) {
  auto client = client_of(server);
  std::vector<int> seen;
  for (int i = 0; i < requests; ++i)
    seen.push_back(client.Get("/flags/br/br.gif")->status);
  return seen;
}

TEST(server_faults, a_fractional_rate_is_roughly_kept_and_repeats_with_its_seed) {
  server_process first({"--error-rate", "0.25", "--seed", "7"});
  auto seen = statuses(first, 400);
  auto errors = std::count(seen.begin(), seen.end(), 503);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 200) + errors, 400);
  EXPECT_GT(errors, 60);
  EXPECT_LT(errors, 140);
  EXPECT_EQ(at(stats_of(first), "faults", "error"), errors);

  server_process again({"--error-rate", "0.25", "--seed", "7"});
  EXPECT_EQ(statuses(again, 400), seen);
  server_process other({"--error-rate", "0.25", "--seed", "8"});
  EXPECT_NE(statuses(other, 400), seen);
}

TEST(server_faults, sigterm_stops_it_while_a_stalled_connection_is_held) {
  server_process server({"--stall-rate", "1"});
  std::jthread stalled([&] {
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(std::chrono::seconds(30));
    client.Get("/flags/br/br.gif");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto started = clock::now();
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  int status = -1;
  while (waitpid(server.pid(), &status, WNOHANG) == 0 &&
         clock::now() - started < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace hammertime::testing
