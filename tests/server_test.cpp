// hammertime-server seen from a client: the flags split, the delay, keep-alive,
// /stats, the command line and shutdown.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "server_helpers.hpp"
#include "servers/session.hpp"

namespace hammertime::testing {
namespace {

using clock = std::chrono::steady_clock;

std::map<std::string, std::size_t> flags_from_tsv() {
  std::map<std::string, std::size_t> sizes;
  std::ifstream tsv(HAMMERTIME_FLAGS_TSV);
  std::string line;
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    std::string code;
    std::size_t bytes = 0;
    if (line.size() > 3 && line[2] == '\t' && fields >> code >> bytes)
      sizes[code] = bytes;
  }
  return sizes;
}

std::string lower(std::string code) {
  for (char& c : code) c = static_cast<char>(c - 'A' + 'a');
  return code;
}

double elapsed_ms(clock::time_point since) {
  return std::chrono::duration<double, std::milli>(clock::now() - since).count();
}

TEST(server, the_194_flags_answer_their_exact_size_and_the_other_482_codes_404) {
  auto sizes = flags_from_tsv();
  ASSERT_EQ(sizes.size(), 194u);
  server_process server;
  auto client = client_of(server);
  int found = 0, not_found = 0;
  for (char first = 'A'; first <= 'Z'; ++first) {
    for (char second = 'A'; second <= 'Z'; ++second) {
      std::string code{first, second}, cc = lower(code);
      auto response = client.Get("/flags/" + cc + "/" + cc + ".gif?delay_ms=0");
      ASSERT_TRUE(response) << code;
      if (auto flag = sizes.find(code); flag != sizes.end()) {
        ASSERT_EQ(response->status, 200) << code;
        EXPECT_EQ(response->body.size(), flag->second) << code;
        EXPECT_TRUE(response->body.starts_with("GIF89a")) << code;
        EXPECT_EQ(response->get_header_value("Content-Type"), "image/gif");
        ++found;
      } else {
        ASSERT_EQ(response->status, 404) << code;
        ++not_found;
      }
    }
  }
  EXPECT_EQ(found, 194);
  EXPECT_EQ(not_found, 482);
  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "requests", "200"), 194);
  EXPECT_EQ(at(stats, "requests", "404"), 482);
  EXPECT_EQ(at(stats, "lateness_us", "count"), 676);
}

TEST(server, other_paths_and_upper_case_codes_answer_404) {
  server_process server;
  auto client = client_of(server);
  for (auto path : {"/", "/flags", "/flags/br", "/flags/br/br.png", "/flags/br/bs.gif",
                    "/flags/BR/BR.gif", "/flags/br/br.gif/x", "/flags//br.gif"}) {
    auto response = client.Get(path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
  }
}

TEST(server, a_payload_is_the_same_from_one_server_to_the_next) {
  std::string first, second;
  {
    server_process server;
    first = client_of(server).Get("/flags/br/br.gif")->body;
  }
  server_process server;
  second = client_of(server).Get("/flags/br/br.gif")->body;
  EXPECT_EQ(first.size(), 11623u);
  EXPECT_EQ(first, second);
}

TEST(server, keep_alive_serves_many_requests_on_one_connection) {
  server_process server;
  auto client = client_of(server);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(client.Get("/flags/fr/fr.gif")->status, 200);
  auto stats = stats_of(server);  // on a connection of its own
  EXPECT_EQ(at(stats, "connections", "accepted"), 2);
  EXPECT_EQ(at(stats, "connections", "open"), 2);
}

TEST(server, the_client_sees_the_injected_delay) {
  server_process server({"--delay", "200ms"});
  auto client = client_of(server);
  for (int i = 0; i < 3; ++i) {
    auto started = clock::now();
    ASSERT_EQ(client.Get("/flags/jp/jp.gif")->status, 200);
    auto waited = elapsed_ms(started);
    EXPECT_GE(waited, 200);
    EXPECT_LT(waited, 400);
  }
}

TEST(server, delay_ms_in_the_query_overrides_the_server_delay) {
  server_process server({"--delay", "5s"});
  auto client = client_of(server);
  auto started = clock::now();
  ASSERT_EQ(client.Get("/flags/jp/jp.gif?delay_ms=0")->status, 200);
  EXPECT_LT(elapsed_ms(started), 1000);
  started = clock::now();
  ASSERT_EQ(client.Get("/flags/zz/zz.gif?delay_ms=300")->status, 404);
  auto waited = elapsed_ms(started);
  EXPECT_GE(waited, 300);
  EXPECT_LT(waited, 600);
  EXPECT_EQ(client.Get("/flags/jp/jp.gif?delay_ms=soon")->status, 400);
}

TEST(server, a_delay_range_stays_within_its_bounds) {
  server_process server({"--delay", "50ms..150ms"});
  auto client = client_of(server);
  for (int i = 0; i < 8; ++i) {
    auto started = clock::now();
    ASSERT_EQ(client.Get("/flags/it/it.gif")->status, 200);
    auto waited = elapsed_ms(started);
    EXPECT_GE(waited, 50);
    EXPECT_LT(waited, 350);
  }
}

TEST(server, delays_overlap_on_one_thread_instead_of_queueing) {
  server_process server({"--delay", "300ms", "--threads", "1"});
  std::vector<std::jthread> clients;
  std::atomic<int> answered{0};
  auto started = clock::now();
  for (int i = 0; i < 20; ++i)
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", server.port());
      if (auto response = client.Get("/flags/cn/cn.gif");
          response && response->status == 200)
        ++answered;
    });
  clients.clear();
  EXPECT_EQ(answered, 20);
  EXPECT_LT(elapsed_ms(started), 2000);  // one after another would take 6 s
  EXPECT_EQ(at(stats_of(server), "connections", "max"), 20);
}

TEST(server, several_threads_share_the_connections_and_count_exactly) {
  server_process server({"--threads", "3", "--delay", "5ms"});
  std::atomic<int> ok{0};
  {
    std::vector<std::jthread> clients;
    for (int i = 0; i < 12; ++i)
      clients.emplace_back([&] {
        auto client = client_of(server);
        for (int request = 0; request < 50; ++request)
          if (auto response = client.Get("/flags/se/se.gif");
              response && response->status == 200)
            ++ok;
      });
  }
  EXPECT_EQ(ok, 600);
  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "requests", "200"), 600);
  EXPECT_EQ(at(stats, "connections", "accepted"), 13);
}

TEST(server, stats_count_what_was_sent_and_reset_zeroes_them) {
  server_process server({"--threads", "2"});
  auto client = client_of(server);
  for (int i = 0; i < 7; ++i) client.Get("/flags/de/de.gif");
  for (int i = 0; i < 3; ++i) client.Get("/nothing/here");
  auto stats = reset_stats_of(server);
  EXPECT_EQ(at(stats, "requests", "200"), 7);
  EXPECT_EQ(at(stats, "requests", "404"), 3);
  EXPECT_EQ(stats.at("answered").to_number<int>(), 10);
  EXPECT_EQ(at(stats, "lateness_us", "count"), 10);
  for (auto kind : {"error", "reset", "truncate", "stall", "slow_body"})
    EXPECT_EQ(at(stats, "faults", kind), 0) << kind;
  EXPECT_TRUE(stats.at("lateness_us").as_object().contains("p99"));
  EXPECT_TRUE(stats.at("cpu_seconds").as_object().contains("user"));
  client.Get("/flags/de/de.gif");
  auto after = stats_of(server);
  EXPECT_EQ(at(after, "requests", "200"), 1);
  EXPECT_EQ(at(after, "requests", "404"), 0);
  EXPECT_EQ(at(after, "lateness_us", "count"), 1);
  EXPECT_EQ(after.at("stats_requests").to_number<int>(), 2);  // counted apart
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A request that says when the client sent it (steady clock, same machine) is counted
// in client_send_wait_us from then to the kernel's receipt; one without, or from another
// clock, is not. Every request counts in own_queue_us, here answered at once.
TEST(server, counts_the_clients_send_wait_apart_from_its_own_queue) {
  server_process server;
  auto client = client_of(server);
  auto sent = now_us();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.Get("/flags/de/de.gif?delay_ms=0&sent_us=" + std::to_string(sent));
  client.Get("/flags/de/de.gif?delay_ms=0");
  // a stamp from before the server started (or last reset its counters) is no wait of
  // this run: 1 s after the clock's start, or the oldest stamp there is
  client.Get("/flags/de/de.gif?delay_ms=0&sent_us=1000000");
  client.Get("/flags/de/de.gif?delay_ms=0&sent_us=-9223372036854775808");
  client.Get("/flags/de/de.gif?delay_ms=0&sent_us=" +
             std::to_string(now_us() + 60'000'000));
  client.Get("/flags/de/de.gif?delay_ms=0&sent_us=twelve");
  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "client_send_wait_us", "count"), 1);
  EXPECT_GE(at(stats, "client_send_wait_us", "p50"), 50'000);
  EXPECT_LT(at(stats, "client_send_wait_us", "p50"), 5'000'000);
  EXPECT_EQ(at(stats, "own_queue_us", "count"), 6);
  EXPECT_LT(at(stats, "own_queue_us", "max"), 500'000);  // taken up at once
  EXPECT_EQ(at(stats, "lateness_us", "count"), 6);
}

// Requests pipelined behind one that waits 1 s wait in the server: the first few read
// ahead, the last in its socket (the kernel's receive stamp says since when). That wait
// is the server's own queue, not the client's.
TEST(server, a_request_held_in_its_socket_counts_the_hold_as_the_servers_own_queue) {
  constexpr auto hold_us = 1'000'000;
  server_process server;
  int fd = connect_to(server);
  ASSERT_GE(fd, 0);
  std::string ahead = "GET /flags/br/br.gif?delay_ms=1000 HTTP/1.1\r\nHost: a\r\n\r\n";
  for (std::size_t i = 1; i < server::most_requests_held; ++i)
    ahead += "GET /flags/fr/fr.gif?delay_ms=0 HTTP/1.1\r\nHost: a\r\n\r\n";
  send(fd, ahead.data(), ahead.size(), MSG_NOSIGNAL);
  for (int tries = 0;
       tries < 100 &&
       stats_of(server).at("read").to_number<std::size_t>() < server::most_requests_held;
       ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto left = "GET /flags/zz/zz.gif?delay_ms=0&sent_us=" + std::to_string(now_us()) +
              " HTTP/1.1\r\nHost: a\r\n\r\n";
  send(fd, left.data(), left.size(), MSG_NOSIGNAL);
  auto answers = read_answers(fd, server::most_requests_held + 1);
  close(fd);
  ASSERT_EQ(answers.size(), server::most_requests_held + 1);
  EXPECT_EQ(answers.back().status, 404);

  auto stats = stats_of(server);
  EXPECT_EQ(at(stats, "own_queue_us", "count"), std::ssize(answers));
  EXPECT_GE(at(stats, "own_queue_us", "max"), hold_us * 9 / 10);
  EXPECT_LT(at(stats, "own_queue_us", "max"), hold_us * 5);
  EXPECT_EQ(at(stats, "client_send_wait_us", "count"), 1);
  EXPECT_LT(at(stats, "client_send_wait_us", "max"), hold_us / 2);
}

TEST(server, running_out_of_descriptors_neither_spins_nor_stops_it) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer runtime itself needs descriptors: false reports";
#endif
  server_process server;
  rlimit sixteen{16, 16};
  ASSERT_EQ(prlimit(server.pid(), RLIMIT_NOFILE, &sixteen, nullptr), 0);
  std::vector<int> sockets;
  for (int i = 0; i < 30; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    sockets.push_back(fd);
  }
  auto cpu_ticks = [&] {
    std::ifstream stat("/proc/" + std::to_string(server.pid()) + "/stat");
    std::string field;
    long ticks = 0;
    for (int i = 1; i <= 15 && stat >> field; ++i)
      if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
    return ticks;
  };
  auto before = cpu_ticks();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_LT(cpu_ticks() - before, sysconf(_SC_CLK_TCK) / 4);  // not a busy retry loop
  for (int fd : sockets) close(fd);
  auto response = client_of(server).Get("/flags/br/br.gif");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(server, bad_arguments_exit_2_with_one_line) {
  for (auto args :
       {"--delay abc", "--delay 100", "--delay 5ms..1ms", "--port 70000", "--threads 0",
        "--bind nowhere", "--error-rate 1.5", "--reset-rate -0.1", "--stall-rate x",
        "--error-rate 0.6 --truncate-rate 0.6", "--slow-body 0", "--seed -1",
        "--unknown 1", "--delay"}) {
    auto result = run_server_binary(args);
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_EQ(std::count(result.error_output.begin(), result.error_output.end(), '\n'), 1)
        << args << ": " << result.error_output;
  }
}

TEST(server, help_exits_0) { EXPECT_EQ(run_server_binary("--help").exit_code, 0); }

TEST(server, sigterm_stops_it_cleanly_even_with_a_request_in_its_delay) {
  server_process server({"--delay", "10s", "--threads", "3"});
  std::jthread waiting(
      [&] { httplib::Client("127.0.0.1", server.port()).Get("/flags/br/br.gif"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  int status = -1;
  auto started = clock::now();
  while (waitpid(server.pid(), &status, WNOHANG) == 0 && elapsed_ms(started) < 5000)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(elapsed_ms(started), 2000);
}

TEST(server, each_flag_has_its_country_as_metadata_and_a_code_with_no_flag_404s) {
  auto sizes = flags_from_tsv();
  server_process server;
  auto client = client_of(server);
  int found = 0;
  for (char first = 'A'; first <= 'Z'; ++first)
    for (char second = 'A'; second <= 'Z'; ++second) {
      std::string code{first, second};
      auto response = client.Get("/flags/" + lower(code) + "/metadata.json?delay_ms=0");
      ASSERT_TRUE(response) << code;
      if (!sizes.count(code)) {
        ASSERT_EQ(response->status, 404) << code;
        continue;
      }
      ASSERT_EQ(response->status, 200) << code;
      EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
      auto metadata = boost::json::parse(response->body).as_object();
      EXPECT_EQ(metadata.at("code").as_string(), code);
      EXPECT_FALSE(metadata.at("country").as_string().empty()) << code;
      ++found;
    }
  EXPECT_EQ(found, 194);
  auto andorra = client.Get("/flags/ad/metadata.json?delay_ms=0");
  ASSERT_TRUE(andorra);
  EXPECT_EQ(boost::json::parse(andorra->body).at("country").as_string(), "Andorra");
  EXPECT_EQ(client.Get("/flags/AD/metadata.json?delay_ms=0")->status, 404);
  EXPECT_EQ(client.Get("/flags/ad/metadata.jsonx?delay_ms=0")->status, 404);
}

TEST(server, metadata_waits_the_same_delay_as_a_flag) {
  server_process server;
  auto client = client_of(server);
  auto started = clock::now();
  auto response = client.Get("/flags/ad/metadata.json?delay_ms=300");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_GE(elapsed_ms(started), 300);
}

}  // namespace
}  // namespace hammertime::testing
