#include "memory_cgroup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace hammertime::harness {
namespace {

namespace fs = std::filesystem;

std::optional<std::uint64_t> read_number(const fs::path& file) {
  std::ifstream in(file);
  std::uint64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

// The number after `key` in a file of "key value" lines (memory.stat, memory.events).
std::optional<std::uint64_t> value_of(const fs::path& file, const std::string& key) {
  std::ifstream lines(file);
  std::string name;
  std::uint64_t value = 0;
  while (lines >> name >> value)
    if (name == key) return value;
  return std::nullopt;
}

bool write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

// Where the harness's own cgroup is: v1's memory hierarchy when it is mounted, else the
// v2 unified one. Empty when neither is found.
struct own_cgroup {
  fs::path folder;
  bool v2 = false;
};

std::optional<fs::path> mount_point(const std::string& type, const std::string& option) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, where, fs_type, options, rest;
  while (mounts >> device >> where >> fs_type >> options && std::getline(mounts, rest)) {
    if (fs_type != type) continue;
    if (option.empty()) return where;
    std::stringstream list(options);
    for (std::string one; std::getline(list, one, ',');)
      if (one == option) return where;
  }
  return std::nullopt;
}

std::optional<own_cgroup> find_own_cgroup() {
  std::ifstream lines("/proc/self/cgroup");
  std::string v1_path, v2_path;
  for (std::string line; std::getline(lines, line);) {
    auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    auto controllers = line.substr(first + 1, second - first - 1);
    auto path = line.substr(second + 1);
    std::stringstream list(controllers);
    for (std::string one; std::getline(list, one, ',');)
      if (one == "memory") v1_path = path;
    if (line.rfind("0::", 0) == 0) v2_path = path;
  }
  if (!v1_path.empty())
    if (auto root = mount_point("cgroup", "memory"))
      return own_cgroup{*root / fs::path(v1_path).relative_path(), false};
  if (!v2_path.empty())
    if (auto root = mount_point("cgroup2", ""))
      return own_cgroup{*root / fs::path(v2_path).relative_path(), true};
  return std::nullopt;
}

// Folders an earlier harness left when it was killed: hammertime-<pid>-<n> whose pid is
// gone. Their processes died with it (PR_SET_PDEATHSIG), so they are empty.
void remove_leftovers(const fs::path& parent) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(parent, error)) {
    auto name = entry.path().filename().string();
    if (name.rfind("hammertime-", 0) != 0) continue;
    auto pid = std::atol(name.c_str() + 11);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      rmdir(entry.path().c_str());
  }
}

}  // namespace

std::optional<memory_cgroup> memory_cgroup::make(std::string& why_not) {
  if (geteuid() != 0) {
    why_not = "not root: the harness may not make a memory cgroup";
    return std::nullopt;
  }
  auto own = find_own_cgroup();
  if (!own) {
    why_not = "no memory cgroup controller is mounted";
    return std::nullopt;
  }
  // v2 puts controllers in a child only when its parent hands them down, and a
  // cgroup that holds processes (the harness) may not hand them down.
  if (own->v2 && !write_text(own->folder / "cgroup.subtree_control", "+memory")) {
    why_not = "cgroup v2: the harness's cgroup cannot hand the memory controller down";
    return std::nullopt;
  }
  remove_leftovers(own->folder);
  static std::atomic<unsigned> made{0};
  auto folder = own->folder / ("hammertime-" + std::to_string(getpid()) + "-" +
                               std::to_string(made.fetch_add(1)));
  if (mkdir(folder.c_str(), 0755) != 0) {
    why_not = "cannot make " + folder.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  memory_cgroup made_one(folder.string(), own->v2);
  auto peak_file = own->v2 ? "memory.peak" : "memory.max_usage_in_bytes";
  if (!read_number(folder / peak_file)) {
    why_not = std::string("this kernel's memory cgroup has no ") + peak_file;
    return std::nullopt;  // made_one removes the folder
  }
  return made_one;
}

memory_cgroup::memory_cgroup(memory_cgroup&& other) noexcept
    : folder_(std::move(other.folder_)), v2_(other.v2_) {
  other.folder_.clear();
}

memory_cgroup::~memory_cgroup() {
  if (folder_.empty()) return;
  // Killed processes of the tree may take a moment to leave it.
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (rmdir(folder_.c_str()) == 0 || errno != EBUSY) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<memory_cgroup::peaks> memory_cgroup::read_peaks() const {
  fs::path folder = folder_;
  auto peak = read_number(folder / (v2_ ? "memory.peak" : "memory.max_usage_in_bytes"));
  if (!peak) return std::nullopt;
  // The page cache the tree read (the interpreter, libraries, .pyc files) stays charged
  // to the cgroup after the tree exits: its size now is taken off the peak.
  auto cache = cgroup_file_cache_bytes(folder_).value_or(0);
  peaks read{*peak - std::min(*peak, cache), std::nullopt};
  if (!v2_)
    read.kernel_peak_bytes = read_number(folder / "memory.kmem.max_usage_in_bytes");
  return read;
}

std::uint64_t memory_cgroup::charge_batch() {
  auto cpus = static_cast<std::uint64_t>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  return 64 * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) * cpus;
}

std::string memory_cgroup::method() const {
  return v2_ ? "cgroup v2 memory.peak less file cache (memory.stat file)"
             : "cgroup v1 memory.max_usage_in_bytes less file cache (memory.stat "
               "total_cache)";
}

std::optional<std::uint64_t> cgroup_file_cache_bytes(const std::string& folder) {
  std::ifstream stat(fs::path(folder) / "memory.stat");
  std::string key;
  std::uint64_t value = 0;
  std::optional<std::uint64_t> v1_cache;
  while (stat >> key >> value) {
    if (key == "file") return value;         // v2
    if (key == "total_cache") return value;  // v1, the cgroup and its children
    if (key == "cache") v1_cache = value;
  }
  return v1_cache;
}

std::optional<std::uint64_t> cgroup_usage_bytes(const std::string& folder) {
  auto usage = read_number(fs::path(folder) / "memory.usage_in_bytes");
  if (!usage) usage = read_number(fs::path(folder) / "memory.current");
  if (!usage) return std::nullopt;
  auto cache = cgroup_file_cache_bytes(folder).value_or(0);
  return *usage - std::min(*usage, cache);
}

std::optional<std::string> oom_kill_description(const std::string& folder) {
  auto kills = value_of(fs::path(folder) / "memory.events", "oom_kill");
  if (!kills) kills = value_of(fs::path(folder) / "memory.oom_control", "oom_kill");
  if (!kills || *kills == 0) return std::nullopt;
  return "killed by the OOM killer (memory cgroup oom_kill " + std::to_string(*kills) +
         ")";
}

}  // namespace hammertime::harness
