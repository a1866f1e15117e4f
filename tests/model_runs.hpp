// What the model tests share: the jobs they run, the tally data/flags.tsv says a flags
// run must give, a port nothing listens on, each family's model names, and a
// keep-alive answerer for the scripted test server.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "models/model.hpp"
#include "models/wire/wire.hpp"
#include "scripted_server.hpp"

namespace hammertime::models {

struct expected_tally {
  std::size_t ok = 0, not_found = 0;
  std::uint64_t bytes = 0;
};

// data/flags.tsv's body bytes by code ("AD" -> 11415), and what a 404 brings
// (hammertime-server's "not found\n"), whose size is body_bytes for a code not there.
inline std::map<std::string, std::uint64_t> flag_bytes_by_code() {
  std::map<std::string, std::uint64_t> bytes_by_code;
  std::ifstream table(HAMMERTIME_FLAGS_TSV);
  for (std::string line; std::getline(table, line);) {
    std::istringstream fields(line);
    std::string code;
    std::uint64_t bytes = 0;
    if (line.size() > 2 && line[2] == '\t' && fields >> code >> bytes)
      bytes_by_code[code] = bytes;
  }
  EXPECT_EQ(bytes_by_code.size(), 194u);
  return bytes_by_code;
}
inline constexpr std::string_view not_found_body = "not found\n";

// What item `index` comes to against hammertime-server: ok with its flag's bytes, or
// not found with the 404's.
inline fetch_result expected_item(const std::map<std::string, std::uint64_t>& flags,
                                  std::size_t index) {
  auto found = flags.find(flag_code(index));
  if (found == flags.end()) return {outcome::not_found, not_found_body.size()};
  return {outcome::ok, found->second};
}

// Which of the first `items` codes data/flags.tsv lists, and the body bytes of all the
// answers (a 404 brings hammertime-server's "not found\n" too).
inline expected_tally expected_for(std::size_t items) {
  auto flags = flag_bytes_by_code();
  expected_tally expected;
  for (std::size_t i = 0; i < items; ++i) {
    auto item = expected_item(flags, i);
    ++(item.outcome == outcome::ok ? expected.ok : expected.not_found);
    expected.bytes += item.bytes;
  }
  return expected;
}

inline job flags_job(std::uint16_t port, std::size_t items, std::size_t concurrency) {
  using namespace std::chrono_literals;
  job work;
  work.kind = workload::flags;
  work.items = items;
  work.concurrency = concurrency;
  work.delay = 20ms;
  work.timeout = 5s;
  work.port = port;
  return work;
}

inline job sleep_job(std::size_t items, std::size_t concurrency,
                     std::chrono::milliseconds delay) {
  job work;
  work.kind = workload::sleep;
  work.items = items;
  work.concurrency = concurrency;
  work.delay = delay;
  return work;
}

// A loopback socket bound to a free port and held until it goes, so nobody else can
// take the port meanwhile. As it is, nothing listens there: every connect is refused.
// listen() on it makes a port whose handshakes the kernel completes but nobody accepts.
struct bound_port {
  bound_port() : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~bound_port() { ::close(fd); }
  bound_port(const bound_port&) = delete;
  bound_port& operator=(const bound_port&) = delete;

  int fd;
  std::uint16_t port = 0;
};

// The names of every registered model of one family, for a parameterised suite: a new
// model joins its family's tests by its registry line alone.
inline std::vector<std::string> model_names(model_family family) {
  std::vector<std::string> names;
  for (const model& m : all_models())
    if (m.family == family) names.emplace_back(m.name);
  return names;
}

// A test of a model this machine cannot run at all (model::cannot_run_here: a kernel
// that refuses io_uring) skips, saying why; no other reason skips one.
#define SKIP_IF_THIS_MACHINE_CANNOT_RUN(chosen)                                         \
  if (auto why = (chosen).cannot_run_here ? (chosen).cannot_run_here() : std::string(); \
      !why.empty())                                                                     \
  GTEST_SKIP() << "skipped: " << why

inline std::string name_of_param(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

// One answer for every request on each connection; the test server counts connections.
inline void answer_hello_forever(int connection) {
  while (testing::read_request(connection))
    testing::send_all(connection, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
}

}  // namespace hammertime::models
