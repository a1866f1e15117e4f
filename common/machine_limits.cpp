#include "machine_limits.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <optional>

namespace hammertime::common {
namespace {

std::optional<std::uint64_t> read_number(const std::string& path) {
  std::ifstream file(path);
  std::uint64_t value = 0;
  if (file >> value) return value;
  return std::nullopt;  // missing, or "max"
}

std::uint64_t as_limit(rlim_t value) {
  return value == RLIM_INFINITY ? unlimited : static_cast<std::uint64_t>(value);
}

// Root (the effective user, as the kernel checks it) is not held to RLIMIT_NPROC.
bool is_root() { return geteuid() == 0; }

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
        if (line.rfind("Uid:", 0) == 0)
          mine = line.substr(5, uid.size() + 1) == uid + "\t";
        if (line.rfind("Threads:", 0) == 0 && mine)
          threads += std::stoull(line.substr(8));
      }
    }
    closedir(proc);
  }
  return threads;
}

void require(std::string_view who, std::uint64_t count, std::string_view what,
             std::uint64_t limit, std::uint64_t used, machine_setting setting) {
  if (used + count <= limit) return;
  throw machine_limit(needs_more(who, used + count,
                                 std::string(what) + " (" + std::to_string(used) +
                                     " in use, " + std::to_string(count) + " more)",
                                 setting, limit));
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
    auto limit = read_number(folder + "pids.max");
    auto used = read_number(folder + "pids.current");
    if (limit && used)
      require(who, count, "tasks", *limit, *used, machine_setting::cgroup_pids);
  }
}

}  // namespace

machine_limits read_machine_limits() {
  machine_limits limits;
  rlimit files{}, processes{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    limits.open_files = as_limit(files.rlim_cur);
    limits.open_files_hard = as_limit(files.rlim_max);
  }
  if (!is_root() && getrlimit(RLIMIT_NPROC, &processes) == 0)
    limits.user_processes = as_limit(processes.rlim_cur);
  std::ifstream ports("/proc/sys/net/ipv4/ip_local_port_range");
  std::uint64_t low = 0, high = 0;
  if (ports >> low >> high && high >= low) limits.local_ports = high - low + 1;
  limits.threads_max = read_number("/proc/sys/kernel/threads-max").value_or(unlimited);
  limits.pid_max = read_number("/proc/sys/kernel/pid_max").value_or(unlimited);
  limits.max_map_count = read_number("/proc/sys/vm/max_map_count").value_or(unlimited);
  return limits;
}

namespace {

// Each setting as a user looks it up, and the command that raises it, with {} where the
// value goes; in machine_setting's order.
struct setting_text {
  std::string_view name, command;
};
constexpr setting_text setting_texts[] = {
    {"`ulimit -n`", "ulimit -n {}"},
    {"fs.file-max", "sysctl -w fs.file-max={}"},
    {"net.ipv4.ip_local_port_range",
     "sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\""},
    {"kernel.threads-max", "sysctl -w kernel.threads-max={}"},
    {"kernel.pid_max", "sysctl -w kernel.pid_max={}"},
    {"`ulimit -u`", "ulimit -u {}"},
    {"the cgroup's pids.max", "echo {} > pids.max"},
    {"vm.max_map_count", "sysctl -w vm.max_map_count={}"},
    {"fs.epoll.max_user_watches", "sysctl -w fs.epoll.max_user_watches={}"},
};
static_assert(std::size(setting_texts) ==
              static_cast<std::size_t>(machine_setting::epoll_watches) + 1);

}  // namespace

std::string_view setting_name(machine_setting setting) {
  return setting_texts[static_cast<std::size_t>(setting)].name;
}

std::string how_to_raise(machine_setting setting, std::uint64_t to) {
  std::string command(setting_texts[static_cast<std::size_t>(setting)].command);
  if (auto value = command.find("{}"); value != std::string::npos)
    command.replace(value, 2, to == 0 ? std::string("N") : std::to_string(to));
  if (setting == machine_setting::open_files) {
    auto hard = read_machine_limits().open_files_hard;
    command += "; the hard limit is " +
               (hard == unlimited ? std::string("unlimited") : std::to_string(hard));
  }
  return (setting == machine_setting::local_ports ? "widen it (" : "raise it (") +
         command + ")";
}

std::string needs_more(std::string_view who, std::uint64_t needed, std::string_view what,
                       machine_setting setting, std::uint64_t limit) {
  return std::string(who) + " needs " + std::to_string(needed) + " " + std::string(what) +
         " but " + std::string(setting_name(setting)) + " is " + std::to_string(limit) +
         ": " + how_to_raise(setting, needed);
}

machine_limit ran_out(std::string_view who, std::string_view what_happened,
                      machine_setting setting) {
  return machine_limit(std::string(who) + ": " + std::string(what_happened) + "; " +
                       std::string(setting_name(setting)) + " is the limit: " +
                       how_to_raise(setting) + ", or lower --concurrency");
}

void require_processes(std::size_t count, std::string_view who) {
  auto threads = system_threads();
  auto limits = read_machine_limits();
  require(who, count, "tasks", limits.threads_max, threads, machine_setting::threads_max);
  require(who, count, "process ids", limits.pid_max, threads, machine_setting::pid_max);
  if (limits.user_processes != unlimited)
    require(who, count, "tasks of this user", limits.user_processes, user_threads(),
            machine_setting::user_processes);
  require_cgroup_pids(count, who);
}

void require_threads(std::size_t count, std::string_view who) {
  require_processes(count, who);
  require(who, 2 * count, "memory maps (a thread stack and its guard page each)",
          read_machine_limits().max_map_count, count_lines("/proc/self/maps"),
          machine_setting::max_map_count);
}

void require_open_files(std::size_t count, std::string_view who) {
  require(who, count, "open files", read_machine_limits().open_files,
          count_entries("/proc/self/fd"), machine_setting::open_files);
}

}  // namespace hammertime::common
