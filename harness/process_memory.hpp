// Memory figures of a process, read from /proc. Shared by the child (its own
// baseline) and the harness (the whole tree's peak, sampled from outside).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace hammertime::harness {

// Proportional set size (smaps_rollup "Pss"), in bytes; nullopt once the process is gone.
std::optional<std::uint64_t> pss_bytes(pid_t pid);
// A line of /proc/PID/status ("VmRSS", "VmHWM"), in bytes.
std::optional<std::uint64_t> status_bytes(pid_t pid, const char* field);
// The pid and every descendant of it that is alive now.
std::vector<pid_t> process_tree(pid_t root);
// The tree less each process that shares its parent's address space without being one
// of its threads (a vfork child; LeakSanitizer's tracer as a sanitized child exits): the
// PSS of one address space, counted once.
std::vector<pid_t> memory_owners(pid_t root);
// Sum of the PSS of the whole tree under root, each address space once.
std::uint64_t tree_pss_bytes(pid_t root);
// A line of /proc/meminfo ("KernelStack", "PageTables"), in bytes: system-wide.
std::optional<std::uint64_t> meminfo_bytes(const char* field);

}  // namespace hammertime::harness
