#include "hammer_work.hpp"

#include <time.h>

#include <algorithm>
#include <array>

namespace hammertime::models {
namespace {

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = state += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

// Rounds per millisecond of this thread's CPU, measured over about 20 ms.
double rounds_per_millisecond() {
  constexpr std::uint64_t batch = 1000;
  constexpr std::chrono::milliseconds measure_for{20};
  std::uint64_t rounds = 0, sum = 0;
  auto started = thread_cpu_time();
  auto spent = std::chrono::nanoseconds{0};
  do {
    sum += body_checksum({outcome::ok, rounds, 0}, batch);
    rounds += batch;
    spent = thread_cpu_time() - started;
  } while (spent < measure_for || sum == 0);  // sum is never 0: keeps the work
  return static_cast<double>(rounds) * 1e6 / static_cast<double>(spent.count());
}

}  // namespace

std::uint64_t body_checksum(const fetch_result& body, std::uint64_t rounds) {
  std::uint64_t state = body.bytes * 4 + static_cast<std::uint64_t>(body.outcome);
  std::array<std::uint64_t, 16> words;
  for (auto& word : words) word = splitmix(state);
  std::uint64_t hash = 0xcbf29ce484222325u;
  for (std::uint64_t round = 0; round < rounds; ++round)
    for (auto& word : words) {  // each step needs the last: nothing to skip or reorder
      hash = ((hash ^ word) * 0x100000001b3u) ^ (hash >> 29);
      word = hash;
    }
  return hash | 1;
}

std::uint64_t calibrated_rounds(std::chrono::microseconds work) {
  if (work.count() <= 0) return 0;
  static const double rate = rounds_per_millisecond();
  return std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(rate * static_cast<double>(work.count()) / 1000.0));
}

fetch_result work_on_body(const job& work, fetch_result got) {
  if (work.kind == workload::hammer && got.outcome != outcome::failed)
    got.checksum = body_checksum(got, work.work_rounds);
  return got;
}

}  // namespace hammertime::models
