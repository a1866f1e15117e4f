// The limits of the machine that stop a large run, checked before any long work:
// open files, local ports, threads, process ids, memory maps. A problem is one line
// naming the limit and the setting that lifts it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cell.hpp"

namespace hammertime::harness {

struct machine_limits {
  std::uint64_t open_files = 0;  // RLIMIT_NOFILE, soft (`ulimit -n`)
  std::uint64_t open_files_hard = 0;
  std::uint64_t local_ports = 0;     // size of net.ipv4.ip_local_port_range
  std::uint64_t threads_max = 0;     // kernel.threads-max
  std::uint64_t pid_max = 0;         // kernel.pid_max
  std::uint64_t max_map_count = 0;   // vm.max_map_count
  std::uint64_t user_processes = 0;  // RLIMIT_NPROC (`ulimit -u`); 0 = not enforced
};

// This machine's limits, read now. A limit that cannot be read is taken as unlimited.
machine_limits read_machine_limits();

// The first cell whose needs exceed a limit, as one line; nullopt when all fit.
std::optional<std::string> first_limit_problem(std::span<const cell> cells,
                                               const machine_limits& limits);

}  // namespace hammertime::harness
