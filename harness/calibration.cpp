#include "calibration.hpp"

#include <sys/mman.h>
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
#include "models/wire/blocking_client.hpp"

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

std::optional<request_floor> connect_request_floor(const std::string& host,
                                                   std::uint16_t port) {
  constexpr int most_requests = 2000;
  constexpr auto budget = std::chrono::seconds(1);
  models::job work;
  work.host = host;
  work.port = port;
  work.delay = std::chrono::milliseconds(0);
  work.timeout = budget;
  int sent = 0, answered = 0;
  auto started = steady::now();
  auto cpu_started = thread_cpu_us();
  while (sent < most_requests && steady::now() - started < budget) {
    models::blocking_client client(work);  // a new connection, closed at the end
    auto index = static_cast<std::size_t>(sent++) % models::flag_code_count;
    if (client.fetch(index).outcome != models::outcome::failed) ++answered;
  }
  std::chrono::duration<double, std::micro> took = steady::now() - started;
  if (answered == 0) return std::nullopt;
  return request_floor{.wall_us = took.count() / sent,
                       .cpu_us = (thread_cpu_us() - cpu_started) / sent};
}

machine_floors floors_of(const boost::json::object& context) {
  const auto* calibration = context.if_contains("calibration");
  if (calibration == nullptr || !calibration->is_object()) return {};
  const auto& measured = calibration->as_object();
  return {.connect_request_us = number_in(measured, "connect_request_us"),
          .connect_request_cpu_us = number_in(measured, "connect_request_cpu_us"),
          .timer_spawn_us = number_in(measured, "timer_spawn_us")};
}

}  // namespace hammertime::harness
