#include "plan_limits.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace hammertime::harness {
namespace {

using common::machine_setting;
using common::needs_more;

// Descriptors a process uses besides its connections (stdio, epoll, pipes, libraries,
// the server's and proxy's listening and stats sockets).
constexpr std::uint64_t spare_files = 64;
// Process ids and memory maps the rest of the machine and the process itself need.
constexpr std::uint64_t spare_pids = 1000;
constexpr std::uint64_t spare_maps = 1024;

// The descriptors one process of a cell holds at once, and why.
struct process_files {
  std::string_view process;
  std::uint64_t files = 0;
  std::string_view each;  // what one connection costs it
};

// The cell's child, the proxy (a link delay: two a connection, the cell's side and
// the server's) and the server the harness started (one a connection). Each is a
// process of its own, started by the harness: each inherits its `ulimit -n` and must
// fit in it by itself.
std::vector<process_files> files_per_process(const cell& one,
                                             const models::machine_needs& needs,
                                             bool harness_starts_server) {
  std::vector<process_files> processes{
      {"the cell's child", std::max(needs.open_files, needs.connections) + spare_files,
       "the model's own count"}};
  if (needs.connections == 0) return processes;
  if (one.link_delay.count() > 0)
    processes.push_back(
        {"hammertime-proxy", 2 * needs.connections + spare_files, "2 a connection"});
  if (harness_starts_server)
    processes.push_back(
        {"hammertime-server", needs.connections + spare_files, "1 a connection"});
  return processes;
}

// The process of the cell that needs the most descriptors, as one line, when that is
// more than `ulimit -n`.
std::optional<std::string> open_files_problem(const cell& one,
                                              const models::machine_needs& needs,
                                              const common::machine_limits& limits,
                                              bool harness_starts_server) {
  auto processes = files_per_process(one, needs, harness_starts_server);
  auto most = std::max_element(
      processes.begin(), processes.end(),
      [](const process_files& a, const process_files& b) { return a.files < b.files; });
  if (most->files <= limits.open_files) return std::nullopt;
  return needs_more(one.name(), most->files,
                    "open files in " + std::string(most->process) + " (" +
                        std::string(most->each) + ", " + std::to_string(spare_files) +
                        " spare)",
                    machine_setting::open_files, limits.open_files);
}

}  // namespace

std::optional<std::string> first_limit_problem(std::span<const cell> cells,
                                               const common::machine_limits& limits,
                                               bool harness_starts_server) {
  for (const cell& one : cells) {
    // The model's own count (models::needs_of): the bridge's B threads, not its C.
    const auto needs = models::needs_of(*one.model, one.work());
    const std::string who = one.name();
    if (auto problem = open_files_problem(one, needs, limits, harness_starts_server))
      return problem;
    if (needs.connections > limits.local_ports)
      return needs_more(who, needs.connections, "local ports",
                        machine_setting::local_ports, limits.local_ports);
    const std::uint64_t tasks = needs.threads + needs.processes;
    if (tasks == 0) continue;
    const std::string spared = std::string(needs.threads ? "threads" : "processes") +
                               " (" + std::to_string(tasks) + " for the cell, " +
                               std::to_string(spare_pids) +
                               " spare for the rest of the machine)";
    const std::uint64_t tasks_needed = tasks + spare_pids;
    if (tasks_needed > limits.threads_max)
      return needs_more(who, tasks_needed, spared, machine_setting::threads_max,
                        limits.threads_max);
    if (tasks_needed > limits.pid_max)
      return needs_more(who, tasks_needed, spared, machine_setting::pid_max,
                        limits.pid_max);
    if (tasks_needed > limits.user_processes)
      return needs_more(who, tasks_needed, spared, machine_setting::user_processes,
                        limits.user_processes);
    // A thread's stack and its guard page are two maps in the one process.
    const std::uint64_t maps = 2 * needs.threads + spare_maps;
    if (needs.threads > 0 && maps > limits.max_map_count)
      return needs_more(who, maps, "memory maps (a stack and a guard page a thread)",
                        machine_setting::max_map_count, limits.max_map_count);
  }
  return std::nullopt;
}

std::optional<std::string> first_model_that_cannot_run(std::span<const cell> cells) {
  std::vector<const models::model*> asked;
  for (const cell& one : cells) {
    if (!one.model->cannot_run_here ||
        std::find(asked.begin(), asked.end(), one.model) != asked.end())
      continue;
    asked.push_back(one.model);
    if (auto why = one.model->cannot_run_here(); !why.empty())
      return std::string(one.model->name) + " cannot run on this machine: " + why;
  }
  return std::nullopt;
}

}  // namespace hammertime::harness
