#include "machine_limits.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <limits>

namespace hammertime::harness {
namespace {

constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();
// Descriptors a child uses besides its connections (stdio, epoll, pipes, libraries).
constexpr std::uint64_t spare_files = 64;
// Process ids and memory maps the rest of the machine and the process itself need.
constexpr std::uint64_t spare_pids = 1000;
constexpr std::uint64_t spare_maps = 1024;

std::uint64_t read_number(const char* path, std::uint64_t fallback = unlimited) {
  std::ifstream file(path);
  std::uint64_t value = 0;
  return file >> value ? value : fallback;
}

std::uint64_t as_limit(rlim_t value) {
  return value == RLIM_INFINITY ? unlimited : static_cast<std::uint64_t>(value);
}

std::string sysctl_hint(const char* name, std::uint64_t value) {
  return "raise it (sysctl -w " + std::string(name) + "=" + std::to_string(value) + ")";
}

}  // namespace

machine_limits read_machine_limits() {
  machine_limits limits;
  rlimit files{}, processes{};
  getrlimit(RLIMIT_NOFILE, &files);
  getrlimit(RLIMIT_NPROC, &processes);
  limits.open_files = as_limit(files.rlim_cur);
  limits.open_files_hard = as_limit(files.rlim_max);
  // root is not held to RLIMIT_NPROC.
  limits.user_processes = geteuid() == 0 ? 0 : as_limit(processes.rlim_cur);
  std::ifstream ports("/proc/sys/net/ipv4/ip_local_port_range");
  std::uint64_t low = 0, high = 0;
  limits.local_ports = ports >> low >> high && high >= low ? high - low + 1 : unlimited;
  limits.threads_max = read_number("/proc/sys/kernel/threads-max");
  limits.pid_max = read_number("/proc/sys/kernel/pid_max");
  limits.max_map_count = read_number("/proc/sys/vm/max_map_count");
  return limits;
}

std::optional<std::string> first_limit_problem(std::span<const cell> cells,
                                               const machine_limits& limits) {
  for (const cell& one : cells) {
    const auto tasks = static_cast<std::uint64_t>(one.tasks_in_flight());
    const bool network = one.workload == models::workload::flags;
    const auto holds = one.model->each_task_holds;
    const bool threads = holds == models::task_holder::thread;
    const bool processes = holds == models::task_holder::process;
    const std::string who = one.name() + " needs ";

    // Each connection is a descriptor in the child and one in the server; each worker
    // process talks over a pair of pipes.
    std::uint64_t files =
        (network ? tasks : 0) + (processes ? 2 * tasks : 0) + spare_files;
    if (files > limits.open_files)
      return who + "about " + std::to_string(files) + " open files but `ulimit -n` is " +
             std::to_string(limits.open_files) + ": raise it (ulimit -n " +
             std::to_string(files) + "; the hard limit is " +
             (limits.open_files_hard == unlimited
                  ? std::string("unlimited")
                  : std::to_string(limits.open_files_hard)) +
             ")";
    if (network && tasks > limits.local_ports)
      return who + std::to_string(tasks) +
             " local ports but net.ipv4.ip_local_port_range holds " +
             std::to_string(limits.local_ports) +
             ": widen it (sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\")";
    if (!threads && !processes) continue;
    std::uint64_t tasks_needed = tasks + spare_pids;
    if (tasks_needed > limits.threads_max)
      return who + std::to_string(tasks) + (threads ? " threads" : " processes") +
             " but kernel.threads-max is " + std::to_string(limits.threads_max) + ": " +
             sysctl_hint("kernel.threads-max", tasks_needed);
    if (tasks_needed > limits.pid_max)
      return who + std::to_string(tasks) + " process ids but kernel.pid_max is " +
             std::to_string(limits.pid_max) + ": " +
             sysctl_hint("kernel.pid_max", tasks_needed);
    if (limits.user_processes != 0 && tasks_needed > limits.user_processes)
      return who + std::to_string(tasks) + (threads ? " threads" : " processes") +
             " but `ulimit -u` is " + std::to_string(limits.user_processes) +
             ": raise it (ulimit -u " + std::to_string(tasks_needed) + ")";
    // A thread's stack and its guard page are two maps in the one process.
    std::uint64_t maps = 2 * tasks + spare_maps;
    if (threads && maps > limits.max_map_count)
      return who + "about " + std::to_string(maps) +
             " memory maps for thread stacks but "
             "vm.max_map_count is " +
             std::to_string(limits.max_map_count) + ": " +
             sysctl_hint("vm.max_map_count", maps);
  }
  return std::nullopt;
}

}  // namespace hammertime::harness
