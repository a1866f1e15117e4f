// A memory cgroup for one cell's child, made under the harness's own cgroup and removed
// after the cell: the kernel then charges every page and kernel object of the child's
// whole tree to it, and keeps the peak, so the peak is exact instead of sampled.
//
// cgroup v1 (this machine): memory.max_usage_in_bytes (user + kernel memory, which v1
// charges to both counters) and memory.kmem.max_usage_in_bytes (the kernel's part).
// cgroup v2: memory.peak (kernel 5.19 and later); v2 keeps no peak of the kernel's part.
// Neither keeps a peak without the page cache: the peak is read less the file cache
// charged when the tree has exited (memory.stat), which is at least what it was at the
// peak unless the kernel reclaimed it, and the baseline less the cache at its reading.
// Exact to the kernel's charge batch: up to 64 pages per CPU charged ahead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hammertime::harness {

class memory_cgroup {
 public:
  // A fresh cgroup, or nullopt with the reason in `why_not` when the harness may not
  // make one here (not root, no memory controller, no peak file in this kernel).
  static std::optional<memory_cgroup> make(std::string& why_not);

  memory_cgroup(memory_cgroup&& other) noexcept;
  memory_cgroup& operator=(memory_cgroup&&) = delete;
  ~memory_cgroup();  // removes the folder (its processes must have exited)

  // The file a process writes "0" into to join it (process_group's spawn_setup).
  std::string procs_file() const { return folder_ + "/cgroup.procs"; }
  // Memory charged to it now: what the child reads before its first item (the
  // environment variable below names the folder).
  std::string folder() const { return folder_; }
  static constexpr const char* folder_variable = "HAMMERTIME_MEMORY_CGROUP";

  struct peaks {
    std::uint64_t peak_bytes = 0;  // less the file cache charged when it is read
    std::optional<std::uint64_t> kernel_peak_bytes;  // v1 only
  };
  // Read once the child's tree has exited; nullopt when the files could not be read.
  std::optional<peaks> read_peaks() const;
  // How far the kernel's count may run ahead of the pages in use: each CPU charges 64
  // pages at a time (MEMCG_CHARGE_BATCH). A rise below it is not resolved.
  static std::uint64_t charge_batch();
  // "cgroup v1 memory.max_usage_in_bytes", for results' memory_method.
  std::string method() const;

 private:
  memory_cgroup(std::string folder, bool v2) : folder_(std::move(folder)), v2_(v2) {}
  std::string folder_;
  bool v2_ = false;
};

// The page cache charged to the cgroup in `folder` (v2 memory.stat `file`, v1
// `total_cache`): files the tree read or wrote, which are not its memory.
std::optional<std::uint64_t> cgroup_file_cache_bytes(const std::string& folder);
// Bytes charged now to the cgroup in `folder` (v1 memory.usage_in_bytes, v2
// memory.current) less its file cache: anonymous and kernel memory; nullopt when
// neither can be read. Every peer's protocol reads its baseline the same way.
std::optional<std::uint64_t> cgroup_usage_bytes(const std::string& folder);
// "killed by the OOM killer (memory cgroup oom_kill 1)" once the OOM killer has killed a
// process of the cgroup in `folder` (`oom_kill` of v2 memory.events, v1
// memory.oom_control); nullopt when it has not, or neither file says.
std::optional<std::string> oom_kill_description(const std::string& folder);

}  // namespace hammertime::harness
