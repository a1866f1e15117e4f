#include "memory_sampler.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "process_memory.hpp"

namespace hammertime::harness {

std::uint64_t kernel_memory_bytes() {
  return meminfo_bytes("KernelStack").value_or(0) +
         meminfo_bytes("PageTables").value_or(0);
}

memory_sampler::memory_sampler(pid_t root, std::uint64_t kernel_memory_baseline)
    : root_(root), kernel_baseline_(kernel_memory_baseline) {
  thread_ = std::thread([this] { sample_until_stopped(); });
}

memory_sampler::~memory_sampler() { stop(); }

memory_sampler::peaks memory_sampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return peaks_;
}

void memory_sampler::sample_until_stopped() {
  using namespace std::chrono;
  constexpr auto fastest = milliseconds(20), slowest = milliseconds(1000);
  constexpr auto scan_at_most_every = milliseconds(100);
  std::vector<pid_t> tree;
  auto next_scan = steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto started = steady_clock::now();
    if (started >= next_scan) {
      tree = memory_owners(root_);
      auto scan_cost = steady_clock::now() - started;
      next_scan = steady_clock::now() +
                  std::max<steady_clock::duration>(scan_at_most_every, 20 * scan_cost);
    }
    auto reading = steady_clock::now();
    std::uint64_t pss = 0;
    for (pid_t pid : tree) pss += pss_bytes(pid).value_or(0);
    auto kernel = kernel_memory_bytes();
    auto cost = steady_clock::now() - reading;
    lock.lock();
    peaks_.tree_pss_bytes = std::max(peaks_.tree_pss_bytes, pss);
    if (kernel > kernel_baseline_)
      peaks_.kernel_memory_increase_bytes =
          std::max(peaks_.kernel_memory_increase_bytes, kernel - kernel_baseline_);
    ++peaks_.samples;
    auto pause = std::clamp(duration_cast<milliseconds>(20 * cost), fastest, slowest);
    wake_.wait_for(lock, pause, [this] { return stopping_; });
  }
}

}  // namespace hammertime::harness
