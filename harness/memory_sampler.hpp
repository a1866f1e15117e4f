// Samples, from outside, the memory of a child's whole process tree while it runs:
// the sum of the PSS of every process in it (so worker processes are charged), and
// the system-wide kernel memory (KernelStack + PageTables) that its threads and maps
// cost. The sampling must not take the CPU the model is measured on: the tree is found
// by a scan of all of /proc (a syscall or more per process) at most every 100 ms,
// and its PSS read every 20 ms, or slower when a large tree (1000 worker processes)
// makes one reading long, so the sampler stays at a few % of one core.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace hammertime::harness {

// KernelStack + PageTables from /proc/meminfo, in bytes: system-wide.
std::uint64_t kernel_memory_bytes();

class memory_sampler {
 public:
  struct peaks {
    std::uint64_t tree_pss_bytes = 0;
    std::uint64_t kernel_memory_increase_bytes = 0;  // over the baseline given
    std::size_t samples = 0;
  };

  memory_sampler(pid_t root, std::uint64_t kernel_memory_baseline);
  ~memory_sampler();
  memory_sampler(const memory_sampler&) = delete;
  memory_sampler& operator=(const memory_sampler&) = delete;

  // Stops sampling (idempotent) and returns the peaks seen.
  peaks stop();

 private:
  void sample_until_stopped();

  pid_t root_;
  std::uint64_t kernel_baseline_;
  peaks peaks_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace hammertime::harness
