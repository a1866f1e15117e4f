// hammertime-server under abuse: delays it cannot honour, clients that leave
// mid-delay or pipeline without reading, connections that idle or never finish their
// header, a GET that would reset the counters, a busy port, all (where it matters) under
// `ulimit -n 64`; afterwards a fresh client is still answered on time.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <map>
#include <thread>

#include "server_helpers.hpp"
#include "servers/session.hpp"

namespace hammertime::testing {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr rlim_t small_ulimit = 64;  // room for about 50 connections
// The requests a connection holds read and not yet answered.
constexpr auto most_held = static_cast<std::int64_t>(server::most_requests_held);

double elapsed_ms(clock::time_point since) {
  return std::chrono::duration<double, std::milli>(clock::now() - since).count();
}

void send_text(int fd, std::string_view text) {
  send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

void send_get(int fd, const std::string& target, bool keep_alive = true) {
  send_text(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                    (keep_alive ? "" : "Connection: close\r\n") + "\r\n");
}

// What the server sends until it closes the connection (or the 5 s receive timeout).
std::string read_to_close(int fd) {
  std::string received;
  char chunk[4096];
  while (true) {
    auto got = recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return received;
    received.append(chunk, got);
  }
}

std::int64_t number_at(const boost::json::value& stats, const char* key) {
  return stats.at(key).to_number<std::int64_t>();
}

// Polls /stats until its "read" count stops moving for `still`; that count and the
// answers begun.
std::pair<std::int64_t, std::int64_t> read_and_answered_once_still(
    const server_process& server, std::chrono::milliseconds still) {
  auto stats = stats_of(server);
  for (int tries = 0; tries < 20; ++tries) {
    std::this_thread::sleep_for(still);
    auto later = stats_of(server);
    bool moved = number_at(later, "read") != number_at(stats, "read");
    stats = later;
    if (!moved) break;
  }
  return {number_at(stats, "read"), number_at(stats, "answered")};
}

// Polls /stats until connections.open is `expected` (the /stats connection included);
// the last figure seen, -1 when /stats did not answer.
std::int64_t wait_for_open_connections(const server_process& server,
                                       std::int64_t expected,
                                       std::chrono::milliseconds within) {
  auto deadline = clock::now() + within;
  std::int64_t open = -1;
  do {
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(1s);
    auto response = client.Get("/stats");
    open = response ? at(boost::json::parse(response->body), "connections", "open") : -1;
    if (open == expected) break;
    std::this_thread::sleep_for(20ms);
  } while (clock::now() < deadline);
  return open;
}

// A new client asks for a 100 ms delay: answered 200, no sooner, and within `within`.
void expect_a_fresh_client_answered(const server_process& server,
                                    std::chrono::milliseconds within) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(5s);
  auto started = clock::now();
  auto response = client.Get("/flags/br/br.gif?delay_ms=100");
  auto waited = elapsed_ms(started);
  ASSERT_TRUE(response) << "no answer after " << waited << " ms";
  EXPECT_EQ(response->status, 200);
  EXPECT_GE(waited, 100);
  EXPECT_LT(waited, within.count());
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SKIP_UNDER_SANITIZERS() \
  GTEST_SKIP() << "the sanitizer runtime itself needs descriptors: false reports"
#else
#define SKIP_UNDER_SANITIZERS() (void)0
#endif

TEST(server_abuse, a_delay_above_ten_minutes_is_refused_at_once_with_400) {
  server_process server;
  auto client = client_of(server);
  client.set_read_timeout(3s);
  const char* refused[] = {"600001",
                           "999999999999999999",
                           "9223372036854775807",
                           "99999999999999999999",
                           "-1",
                           "1.5",
                           "soon"};
  for (auto delay : refused) {
    auto started = clock::now();
    auto response = client.Get(std::string("/flags/br/br.gif?delay_ms=") + delay);
    ASSERT_TRUE(response) << delay;
    EXPECT_EQ(response->status, 400) << delay;
    EXPECT_NE(response->body.find("600000"), std::string::npos) << response->body;
    EXPECT_LT(elapsed_ms(started), 1000) << delay;
  }
  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "requests", "400"), std::ssize(refused));
  EXPECT_LT(at(stats, "lateness_us", "max"),
            1'000'000);  // no deadline wrapped into the past

  int fd = connect_to(server);  // the bound itself is still a delay
  send_get(fd, "/flags/br/br.gif?delay_ms=600000");
  pollfd answer{fd, POLLIN, 0};
  EXPECT_EQ(poll(&answer, 1, 300), 0);
  close(fd);
}

TEST(server_abuse,
     seventy_unbounded_delays_under_ulimit_64_get_400_and_leave_it_answering) {
  SKIP_UNDER_SANITIZERS();
  server_process server({}, small_ulimit);
  std::vector<int> statuses(70);
  {
    std::vector<std::jthread> clients;
    for (std::size_t i = 0; i < statuses.size(); ++i)
      clients.emplace_back([&, i] {
        int fd = connect_to(server);
        if (fd < 0) return;
        send_get(fd, "/flags/br/br.gif?delay_ms=999999999999999999", false);
        statuses[i] = status_of(read_to_close(fd));
        close(fd);
      });
  }
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 400), 70);
  expect_a_fresh_client_answered(server, 2s);
}

TEST(server_abuse, clients_that_leave_mid_delay_free_their_descriptors_at_once) {
  SKIP_UNDER_SANITIZERS();
  server_process server({}, small_ulimit);
  for (int round = 0; round < 3;
       ++round) {  // 120 connections in all: more than it can hold
    std::vector<int> sockets;
    for (int i = 0; i < 40; ++i) {
      int fd = connect_to(server);
      ASSERT_GE(fd, 0);
      send_get(fd, "/flags/br/br.gif?delay_ms=600000");
      sockets.push_back(fd);
    }
    ASSERT_EQ(wait_for_open_connections(server, 41, 3s), 41) << "round " << round;
    for (std::size_t i = 0; i < sockets.size(); ++i) {
      if (i % 2 == 1) {  // half of them leave with a reset instead of a FIN
        linger reset{1, 0};
        setsockopt(sockets[i], SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      }
      close(sockets[i]);
    }
    ASSERT_EQ(wait_for_open_connections(server, 1, 3s), 1) << "round " << round;
  }
  expect_a_fresh_client_answered(server, 2s);
}

TEST(server_abuse, requests_pipelined_behind_a_delay_are_kept_and_answered_in_order) {
  server_process server;
  int fd = connect_to(server);
  send_get(fd, "/flags/br/br.gif?delay_ms=300");
  std::this_thread::sleep_for(100ms);  // the second arrives while the first waits
  send_get(fd, "/flags/zz/zz.gif?delay_ms=0", false);
  auto received = read_to_close(fd);
  close(fd);
  EXPECT_EQ(status_of(received), 200);
  auto second = received.find("HTTP/1.1 ", 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(status_of(received.substr(second)), 404);
}

// A client pipelines 1,000 requests and reads nothing. The server reads a few ahead of
// its answers; the rest wait in the kernel's buffers and TCP's flow control holds the
// client back. Once it reads, every answer comes, in order and exact.
TEST(server_abuse, pipelined_requests_past_a_few_wait_unread_until_the_client_reads) {
  server_process server;
  const std::vector<std::string> paths = {
      // the largest flags, and one that is not
      "/flags/lk/lk.gif", "/flags/na/na.gif", "/flags/mh/mh.gif", "/flags/al/al.gif",
      "/flags/zz/zz.gif", "/flags/ki/ki.gif", "/flags/ir/ir.gif"};
  std::map<std::string, answer> expected;
  {
    auto client = client_of(server);
    for (const auto& path : paths) {
      auto response = client.Get(path + "?delay_ms=0");
      ASSERT_TRUE(response) << path;
      expected[path] = {response->status, response->body};
    }
  }
  reset_stats_of(server);

  constexpr std::size_t pipelined = 1000;
  constexpr auto hold = std::chrono::seconds(2);  // the first request's delay
  std::string requests;
  std::vector<std::string> asked;
  for (std::size_t i = 0; i < pipelined; ++i) {
    asked.push_back(paths[i % paths.size()]);
    auto delay = i == 0 ? std::chrono::milliseconds(hold).count() : 0;
    requests += "GET " + asked.back() + "?delay_ms=" + std::to_string(delay) +
                " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }
  int fd = connect_to(server);
  ASSERT_GE(fd, 0);
  std::jthread sender([&] { send_text(fd, requests); });  // blocks while held back

  // While the first waits its delay: the bound, and no more.
  auto [read, answered] = read_and_answered_once_still(server, 300ms);
  EXPECT_EQ(read, most_held) << "answered " << answered;
  EXPECT_EQ(answered, 0);
  // Past it, the answers fill the sockets' buffers and the server stops again, a few
  // requests ahead of them.
  std::this_thread::sleep_for(hold);
  std::tie(read, answered) = read_and_answered_once_still(server, 300ms);
  EXPECT_LT(read, std::ssize(asked));
  EXPECT_LE(read - answered, most_held);

  auto answers = read_answers(fd, pipelined);
  sender.join();
  close(fd);
  ASSERT_EQ(answers.size(), pipelined);
  for (std::size_t i = 0; i < pipelined; ++i)
    ASSERT_TRUE(answers[i] == expected[asked[i]]) << "answer " << i << " to " << asked[i];
  auto stats = stats_of(server);
  EXPECT_EQ(number_at(stats, "read"), std::ssize(asked));
  EXPECT_EQ(number_at(stats, "answered"), std::ssize(asked));
}

TEST(server_abuse, a_connection_left_idle_is_closed_after_the_idle_timeout) {
  server_process server({"--idle-timeout", "300ms"});
  int fd = connect_to(server);
  auto started = clock::now();
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);  // a close, not the 5 s receive timeout
  auto waited = elapsed_ms(started);
  EXPECT_GE(waited, 250);
  EXPECT_LT(waited, 3000);
  close(fd);

  started = clock::now();  // the same once a keep-alive connection has had its answer
  auto exchange = raw_get(server, "/flags/br/br.gif?delay_ms=0");
  waited = elapsed_ms(started);
  EXPECT_EQ(exchange.end_errno, 0);
  EXPECT_EQ(exchange.body_bytes(), 11623u);
  EXPECT_GE(waited, 250);
  EXPECT_LT(waited, 3000);
}

// A client that pipelines many requests and never reads: once the answers fill the
// socket's buffers the server's write waits, and the idle timeout drops it.
TEST(server_abuse,
     a_client_that_never_reads_its_answers_is_dropped_after_the_idle_timeout) {
  server_process server({"--idle-timeout", "500ms"});
  int fd = connect_to(server);
  int small = 4096;  // a small receive buffer fills after a few answers
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string requests;
  for (int i = 0; i < 1000; ++i)
    requests += "GET /flags/br/br.gif?delay_ms=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  send_text(fd, requests);
  auto started = clock::now();
  EXPECT_EQ(wait_for_open_connections(server, 1, 5s), 1);  // only /stats's own
  EXPECT_GE(elapsed_ms(started), 400);
  close(fd);
  expect_a_fresh_client_answered(server, 1s);
}

TEST(server_abuse, a_header_that_never_ends_is_cut_off_by_the_header_timeout) {
  server_process server({"--header-timeout", "300ms", "--idle-timeout", "10s"});
  int fd = connect_to(server);
  auto started = clock::now();
  send_text(fd, "GET /flags/br/br.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  bool closed = false;
  while (!closed && elapsed_ms(started) < 5000) {
    pollfd watch{fd, POLLIN, 0};
    char byte;
    if (poll(&watch, 1, 100) > 0)
      closed = recv(fd, &byte, 1, 0) <= 0;
    else
      send_text(fd, "X-Slow: 1\r\n");  // a header line every 100 ms, never the blank one
  }
  auto waited = elapsed_ms(started);
  EXPECT_TRUE(closed);
  EXPECT_GE(waited, 250);
  EXPECT_LT(waited, 3000);
  close(fd);
}

TEST(server_abuse, the_delay_is_not_idle_time_and_the_connection_stays_alive_through_it) {
  server_process server({"--idle-timeout", "300ms", "--header-timeout", "300ms"});
  auto client = client_of(server);
  for (int i = 0; i < 2; ++i) {
    auto started = clock::now();
    auto response = client.Get("/flags/br/br.gif?delay_ms=800");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_GE(elapsed_ms(started), 800);
  }
  EXPECT_EQ(at(stats_of(server), "connections", "accepted"), 2);  // its one, and /stats
}

TEST(server_abuse,
     idle_and_unfinished_connections_under_ulimit_64_give_way_to_a_new_client) {
  SKIP_UNDER_SANITIZERS();
  server_process server({"--idle-timeout", "300ms", "--header-timeout", "300ms"},
                        small_ulimit);
  std::vector<int> sockets;
  for (int i = 0; i < 80; ++i) {
    int fd = connect_to(server);
    ASSERT_GE(fd, 0);
    if (i % 2 == 1) send_text(fd, "GET /flags/br/br.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    sockets.push_back(fd);
  }
  expect_a_fresh_client_answered(server, 3s);
  for (int fd : sockets) close(fd);
}

TEST(server_abuse, a_get_cannot_reset_the_counters_only_post_stats_reset_can) {
  server_process server;
  auto client = client_of(server);
  for (int i = 0; i < 3; ++i) client.Get("/flags/br/br.gif");
  auto refused = client.Get("/stats?reset=1");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405);
  EXPECT_NE(refused->body.find("POST /stats/reset"), std::string::npos) << refused->body;
  EXPECT_EQ(client.Get("/stats/reset")->status, 405);
  EXPECT_EQ(at(stats_of(server), "requests", "200"), 3);

  auto reset = client.Post("/stats/reset");
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200);
  EXPECT_EQ(at(boost::json::parse(reset->body), "requests", "200"), 3);  // what it zeroed
  EXPECT_EQ(at(stats_of(server), "requests", "200"), 0);
}

TEST(server_abuse, listening_beyond_loopback_says_so_in_one_line) {
  auto everywhere = run_server_binary("--bind 0.0.0.0", "1");
  EXPECT_NE(everywhere.error_output.find("reachable from the network"), std::string::npos)
      << everywhere.error_output;
  EXPECT_EQ(
      std::count(everywhere.error_output.begin(), everywhere.error_output.end(), '\n'), 1)
      << everywhere.error_output;
  EXPECT_EQ(run_server_binary("--bind 127.0.0.1", "1").error_output, "");
}

TEST(server_abuse, a_port_in_use_is_one_plain_line_and_exit_1) {
  int taken = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ASSERT_EQ(bind(taken, reinterpret_cast<sockaddr*>(&address), size), 0);
  ASSERT_EQ(listen(taken, 1), 0);
  ASSERT_EQ(getsockname(taken, reinterpret_cast<sockaddr*>(&address), &size), 0);
  auto port = std::to_string(ntohs(address.sin_port));
  auto result = run_server_binary("--port " + port);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.error_output,
            "hammertime-server: port " + port + " on 127.0.0.1 is in use\n");
  close(taken);
}

// One rulebook with the harness's: each option once (its aliases count as one), an
// unknown option named as unknown, and what was given echoed on one line with no
// terminal escapes in it.
TEST(server_abuse, each_option_once_unknown_ones_named_and_every_echo_on_one_line) {
  EXPECT_EQ(run_server_binary("--port 0 --port 0").exit_code, 2);
  auto twice = run_server_binary("--delay 1ms --latency 2ms");
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.error_output.find("same option"), std::string::npos)
      << twice.error_output;
  auto unknown = run_server_binary("--bogus 1");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.error_output.find("unknown option '--bogus'"), std::string::npos)
      << unknown.error_output;
  for (const char* args : {"--bind \"$(printf '1.2.3.4\\nforged line')\"",
                           "--seed \"$(printf '\\033[31mred')\""}) {
    auto echoed = run_server_binary(args);
    EXPECT_EQ(echoed.exit_code, 2) << args;
    EXPECT_EQ(std::count(echoed.error_output.begin(), echoed.error_output.end(), '\n'), 1)
        << args << ": " << echoed.error_output;
    EXPECT_EQ(echoed.error_output.find('\033'), std::string::npos) << echoed.error_output;
  }
}

TEST(server_abuse, durations_past_ten_minutes_or_past_any_number_exit_2_with_one_line) {
  for (auto args :
       {"--delay 601s", "--delay 11m", "--delay 0ms..10.5m", "--delay nanms",
        "--delay infs", "--delay 1e300m", "--delay -0ms", "--idle-timeout 0ms",
        "--idle-timeout 11m", "--header-timeout soon", "--header-timeout"}) {
    auto result = run_server_binary(args, "2");
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_EQ(std::count(result.error_output.begin(), result.error_output.end(), '\n'), 1)
        << args << ": " << result.error_output;
  }
  EXPECT_EQ(
      run_server_binary("--delay 10m --idle-timeout 10m --header-timeout 1ms", "0.5")
          .error_output,
      "");
}

}  // namespace
}  // namespace hammertime::testing
