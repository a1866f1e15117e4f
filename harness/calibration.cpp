#include "calibration.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <queue>
#include <thread>
#include <vector>

#include "common/exit_codes.hpp"
#include "models/wire/wire.hpp"

namespace hammertime::harness {
namespace {

using steady = std::chrono::steady_clock;

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// Fresh anonymous memory, every page touched once: ns per page.
double page_fault_ns() {
  constexpr std::size_t bytes = 64u << 20;
  void* block =
      mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return 0;
  auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  auto started = steady::now();
  for (std::size_t at = 0; at < bytes; at += page)
    static_cast<volatile char*>(block)[at] = 1;
  std::chrono::duration<double, std::nano> took = steady::now() - started;
  munmap(block, bytes);
  return took.count() / static_cast<double>(bytes / page);
}

// A parent holding 8 MiB of touched memory (the size of a cell's child) forks a child
// that exits at once.
double fork_exit_ms() {
  std::vector<char> held(8u << 20, 1);
  std::vector<double> times;
  for (int round = 0; round < 20; ++round) {
    auto started = steady::now();
    pid_t child = fork();
    if (child == 0) _exit(common::exit_code::success);
    if (child < 0) return 0;
    waitpid(child, nullptr, 0);
    times.push_back(
        std::chrono::duration<double, std::milli>(steady::now() - started).count());
  }
  volatile char kept = held[held.size() / 2];  // the memory stays, touched, meanwhile
  (void)kept;
  return median_of(times);
}

double thread_create_us() {
  std::vector<double> times;
  for (int round = 0; round < 200; ++round) {
    auto started = steady::now();
    std::thread([] {}).join();
    times.push_back(
        std::chrono::duration<double, std::micro>(steady::now() - started).count());
  }
  return median_of(times);
}

// What a loop does for each sleeping task, and nothing else: a deadline from the clock,
// in an entry of its own, onto the heap of timers.
double timer_spawn_us() {
  constexpr int timers = 100'000;
  struct timer_entry {
    steady::time_point deadline;
  };
  using entry = std::unique_ptr<timer_entry>;
  auto later = [](const entry& a, const entry& b) { return a->deadline > b->deadline; };
  std::priority_queue<entry, std::vector<entry>, decltype(later)> heap(later);
  auto started = steady::now();
  // timer_entry{...} braced: clang 14 (the fuzz build) has no aggregate init from (...).
  for (int timer = 0; timer < timers; ++timer)
    heap.push(std::make_unique<timer_entry>(
        timer_entry{steady::now() + std::chrono::seconds(1)}));
  std::chrono::duration<double, std::micro> took = steady::now() - started;
  return took.count() / timers;
}

double idle_wake_us() {
  constexpr auto asked = std::chrono::milliseconds(1);
  std::vector<double> late;
  for (int round = 0; round < 30; ++round) {
    auto started = steady::now();
    std::this_thread::sleep_for(asked);
    late.push_back(
        std::chrono::duration<double, std::micro>(steady::now() - started - asked)
            .count());
  }
  return median_of(late);
}

// This thread's user + system time, in µs.
double thread_cpu_us() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

std::optional<double> number_in(const boost::json::object& calibration, const char* key) {
  const auto* value = calibration.if_contains(key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->to_number<double>();
}

}  // namespace

boost::json::object calibrate_machine() {
  return {{"fork_exit_ms", fork_exit_ms()},
          {"page_fault_ns", page_fault_ns()},
          {"thread_create_us", thread_create_us()},
          {"timer_spawn_us", timer_spawn_us()},
          {"idle_wake_us", idle_wake_us()}};
}

namespace {

// One connection of the request floor, on plain blocking sockets: no client library,
// no concurrency model. Each half's CPU is this thread's, its kernel work included.
struct raw_request {
  bool answered = false;
  double opening_cpu_us = 0;  // socket + connect + send
  double answer_cpu_us = 0;   // read the whole answer + close
};

// The answer's length once its header is in: header + Content-Length, or 0 while the
// header is incomplete (our server always sends Content-Length).
std::size_t answer_length(const std::string& got) {
  auto header_end = got.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  constexpr std::string_view field = "Content-Length: ";
  auto at = got.find(field);
  if (at == std::string::npos || at > header_end) return header_end + 4;
  return header_end + 4 + std::strtoull(got.c_str() + at + field.size(), nullptr, 10);
}

raw_request request_once(const addrinfo& server, const std::string& request) {
  raw_request done;
  auto started = thread_cpu_us();
  int descriptor = socket(server.ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (descriptor < 0) return done;
  timeval patience{.tv_sec = 1, .tv_usec = 0};  // a server that never answers
  setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  int on = 1;
  setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  bool sent = connect(descriptor, server.ai_addr, server.ai_addrlen) == 0 &&
              send(descriptor, request.data(), request.size(), MSG_NOSIGNAL) ==
                  static_cast<ssize_t>(request.size());
  auto opened = thread_cpu_us();
  std::string got;
  char chunk[16384];
  while (sent) {
    auto length = answer_length(got);
    if (length > 0 && got.size() >= length) {
      done.answered = true;
      break;
    }
    auto read = recv(descriptor, chunk, sizeof chunk, 0);
    if (read <= 0) break;
    got.append(chunk, static_cast<std::size_t>(read));
  }
  close(descriptor);
  done.opening_cpu_us = opened - started;
  done.answer_cpu_us = thread_cpu_us() - opened;
  return done;
}

}  // namespace

std::optional<request_floor> connect_request_floor(const std::string& host,
                                                   std::uint16_t port) {
  constexpr int most_requests = 2000;
  constexpr auto budget = std::chrono::seconds(1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
    return std::nullopt;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> server(found, &freeaddrinfo);
  int sent = 0, answered = 0;
  double opening_cpu_us = 0, answer_cpu_us = 0;
  auto started = steady::now();
  while (sent < most_requests && steady::now() - started < budget) {
    auto index = static_cast<std::size_t>(sent++) % models::flag_code_count;
    auto request = "GET " + models::flag_target(index, std::chrono::milliseconds(0)) +
                   " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    auto once = request_once(*server, request);
    answered += once.answered ? 1 : 0;
    opening_cpu_us += once.opening_cpu_us;
    answer_cpu_us += once.answer_cpu_us;
  }
  std::chrono::duration<double, std::micro> took = steady::now() - started;
  if (answered == 0) return std::nullopt;
  return request_floor{.wall_us = took.count() / sent,
                       .opening_cpu_us = opening_cpu_us / sent,
                       .answer_cpu_us = answer_cpu_us / sent};
}

machine_floors floors_of(const boost::json::object& context) {
  const auto* calibration = context.if_contains("calibration");
  if (calibration == nullptr || !calibration->is_object()) return {};
  const auto& measured = calibration->as_object();
  return {.connect_request_us = number_in(measured, "connect_request_us"),
          .connect_request_cpu_us = number_in(measured, "connect_request_cpu_us"),
          .connect_send_cpu_us = number_in(measured, "connect_send_cpu_us"),
          .answer_read_cpu_us = number_in(measured, "answer_read_cpu_us"),
          .timer_spawn_us = number_in(measured, "timer_spawn_us")};
}

}  // namespace hammertime::harness
