#include "plan_limits.hpp"

#include <algorithm>
#include <vector>

namespace hammertime::harness {
namespace {

using common::machine_setting;
using common::needs_more;

// Descriptors a child uses besides its connections (stdio, epoll, pipes, libraries).
constexpr std::uint64_t spare_files = 64;
// Process ids and memory maps the rest of the machine and the process itself need.
constexpr std::uint64_t spare_pids = 1000;
constexpr std::uint64_t spare_maps = 1024;

}  // namespace

std::optional<std::string> first_limit_problem(std::span<const cell> cells,
                                               const common::machine_limits& limits) {
  for (const cell& one : cells) {
    // The model's own count (models::needs_of): the bridge's B threads, not its C.
    const auto needs = models::needs_of(*one.model, one.work());
    const std::string who = one.name();
    // Its descriptors in the child; each connection is one in the server too.
    const std::uint64_t files =
        std::max(needs.open_files, needs.connections) + spare_files;
    if (files > limits.open_files)
      return needs_more(who, files, "open files", machine_setting::open_files,
                        limits.open_files);
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
