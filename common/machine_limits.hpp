// The limits of the machine that stop a large run, in one place: what each setting is
// called, how to read it, and the one line that names it and says how to lift it.
// The harness checks a plan against them before any long work (plan_limits.cpp); a
// model checks the room it has left before it starts a pool, and names the setting
// when a call runs into one (models::machine_limit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hammertime::common {

// Thrown when the machine, not the code, stops a run: names the limit that was hit
// (open files, threads, processes, memory) and the setting that would lift it.
struct machine_limit : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class machine_setting {
  open_files,      // RLIMIT_NOFILE, `ulimit -n`
  file_max,        // fs.file-max
  local_ports,     // net.ipv4.ip_local_port_range
  threads_max,     // kernel.threads-max
  pid_max,         // kernel.pid_max
  user_processes,  // RLIMIT_NPROC, `ulimit -u` (root is not held to it)
  cgroup_pids,     // the cgroup's pids.max
  max_map_count,   // vm.max_map_count
  epoll_watches,   // fs.epoll.max_user_watches
};

inline constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();

struct machine_limits {
  std::uint64_t open_files = unlimited;  // soft
  std::uint64_t open_files_hard = unlimited;
  std::uint64_t local_ports = unlimited;  // size of the range
  std::uint64_t threads_max = unlimited;
  std::uint64_t pid_max = unlimited;
  std::uint64_t max_map_count = unlimited;
  std::uint64_t user_processes = unlimited;  // unlimited for root
};

// This machine's limits, read now. A limit that cannot be read is taken as unlimited.
machine_limits read_machine_limits();

// "`ulimit -n`", "kernel.pid_max": the setting as a user would look it up.
std::string_view setting_name(machine_setting setting);
// "raise it (ulimit -n 1064)", "raise it (sysctl -w kernel.pid_max=5000)"; without a
// value, the command with a placeholder.
std::string how_to_raise(machine_setting setting, std::uint64_t to = 0);

// "WHO needs NEEDED WHAT but SETTING is LIMIT: raise it (...)": a plan or a pool that
// would not fit.
std::string needs_more(std::string_view who, std::uint64_t needed, std::string_view what,
                       machine_setting setting, std::uint64_t limit);
// "WHO: WHAT_HAPPENED; SETTING is the limit: raise it (...)": a call that ran into it.
machine_limit ran_out(std::string_view who, std::string_view what_happened,
                      machine_setting setting);

// Room left in this process and on this machine, checked before a pool starts; each
// throws machine_limit (needs_more) when there is not enough.
// `count` more threads: threads-max, pid_max, RLIMIT_NPROC, the cgroup's pids.max, and
// vm.max_map_count (each thread stack is two maps: the stack and its guard page).
void require_threads(std::size_t count, std::string_view who);
// `count` more processes: the same limits, less the map count (each has its own).
void require_processes(std::size_t count, std::string_view who);
// `count` more file descriptors in this process: RLIMIT_NOFILE.
void require_open_files(std::size_t count, std::string_view who);

}  // namespace hammertime::common
