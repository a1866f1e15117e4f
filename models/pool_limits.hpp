// Room the machine has for a pool, checked before the pool starts: a run that cannot
// get its C threads, processes or open files stops with models::machine_limit naming
// the limit and the setting that lifts it, instead of crashing half-way or silently
// running fewer workers than it was asked for.
#pragma once

#include <cstddef>
#include <string_view>

namespace hammertime::models {

// `count` more threads in this process: kernel.threads-max, kernel.pid_max,
// RLIMIT_NPROC (ulimit -u), the cgroup's pids.max, and vm.max_map_count (each thread
// stack is two maps: the stack and its guard page).
void require_threads(std::size_t count, std::string_view who);
// `count` more processes: the same limits, less the map count (each has its own).
void require_processes(std::size_t count, std::string_view who);
// `count` more file descriptors in this process: RLIMIT_NOFILE (ulimit -n).
void require_open_files(std::size_t count, std::string_view who);

}  // namespace hammertime::models
