#include "pool_limits.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>

#include "model.hpp"

namespace hammertime::models {
namespace {

std::optional<std::uint64_t> read_number(const std::string& path) {
  std::ifstream file(path);
  std::uint64_t value = 0;
  if (file >> value) return value;
  return std::nullopt;
}

std::uint64_t count_lines(const char* path) {
  std::ifstream file(path);
  std::uint64_t lines = 0;
  for (std::string line; std::getline(file, line);) ++lines;
  return lines;
}

std::uint64_t count_entries(const char* folder) {
  std::uint64_t entries = 0;
  if (DIR* dir = opendir(folder)) {
    while (dirent* entry = readdir(dir)) entries += entry->d_name[0] != '.';
    closedir(dir);
  }
  return entries;
}

// Every thread of the system: the total in /proc/loadavg ("0.66 0.53 0.26 1/90 7610").
std::uint64_t system_threads() {
  std::ifstream file("/proc/loadavg");
  std::string field;
  for (int i = 0; i < 4; ++i) file >> field;
  auto slash = field.find('/');
  return slash == std::string::npos ? 0 : std::stoull(field.substr(slash + 1));
}

// The threads that RLIMIT_NPROC counts: those of every process of this real user.
std::uint64_t user_threads() {
  std::uint64_t threads = 0;
  auto uid = std::to_string(getuid());
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
      bool mine = false;
      for (std::string line; std::getline(status, line);) {
        if (line.rfind("Uid:", 0) == 0) mine = line.substr(5, uid.size() + 1) == uid + "\t";
        if (line.rfind("Threads:", 0) == 0 && mine) threads += std::stoull(line.substr(8));
      }
    }
    closedir(proc);
  }
  return threads;
}

void require(std::string_view who, std::size_t count, std::string_view what,
             std::uint64_t limit, std::uint64_t used, std::string_view setting) {
  if (used + count <= limit) return;
  auto room = limit > used ? limit - used : 0;
  throw machine_limit(std::string(who) + ": needs " + std::to_string(count) + " more " +
                      std::string(what) + ", the machine has room for " +
                      std::to_string(room) + " (limit " + std::to_string(limit) +
                      "); raise " + std::string(setting));
}

// The pids controller of this process's cgroup (v1 or v2), where one is set.
void require_cgroup_pids(std::size_t count, std::string_view who) {
  std::ifstream cgroups("/proc/self/cgroup");
  for (std::string line; std::getline(cgroups, line);) {
    auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    auto controllers = line.substr(first + 1, second - first - 1);
    if (!controllers.empty() && controllers != "pids") continue;
    auto folder = std::string("/sys/fs/cgroup") + (controllers.empty() ? "" : "/pids") +
                  line.substr(second + 1) + "/";
    auto limit = read_number(folder + "pids.max");  // nullopt for "max"
    auto used = read_number(folder + "pids.current");
    if (limit && used) require(who, count, "tasks", *limit, *used, "the cgroup's pids.max");
  }
}

}  // namespace

void require_processes(std::size_t count, std::string_view who) {
  auto threads = system_threads();
  if (auto max = read_number("/proc/sys/kernel/threads-max"))
    require(who, count, "tasks", *max, threads, "kernel.threads-max (sysctl)");
  if (auto max = read_number("/proc/sys/kernel/pid_max"))
    require(who, count, "process ids", *max, threads, "kernel.pid_max (sysctl)");
  rlimit processes{};
  if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &processes) == 0 &&
      processes.rlim_cur != RLIM_INFINITY)
    require(who, count, "tasks of this user", processes.rlim_cur, user_threads(),
            "RLIMIT_NPROC (ulimit -u)");
  require_cgroup_pids(count, who);
}

void require_threads(std::size_t count, std::string_view who) {
  require_processes(count, who);
  if (auto max = read_number("/proc/sys/vm/max_map_count"))
    require(who, 2 * count, "memory maps (a thread stack and its guard page each)", *max,
            count_lines("/proc/self/maps"), "vm.max_map_count (sysctl)");
}

void require_open_files(std::size_t count, std::string_view who) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
    require(who, count, "open files", files.rlim_cur, count_entries("/proc/self/fd"),
            "RLIMIT_NOFILE (ulimit -n)");
}

}  // namespace hammertime::models
