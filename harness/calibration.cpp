#include "calibration.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "common/exit_codes.hpp"

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

}  // namespace

boost::json::object calibrate_machine() {
  return {{"fork_exit_ms", fork_exit_ms()},
          {"page_fault_ns", page_fault_ns()},
          {"thread_create_us", thread_create_us()}};
}

}  // namespace hammertime::harness
