// A process the harness starts: always the leader of its own process group, so that
// kill(-pgid) reaches it and everything it forked; and it dies with the harness
// (PR_SET_PDEATHSIG) should the harness itself be killed with SIGKILL.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hammertime::harness {

struct spawned_process {
  pid_t pid = -1;      // also its process group id
  int output_fd = -1;  // its stdout, read end
  int errors_fd = -1;  // its stderr, read end (-1 when merged into output_fd)
};

// What a child does to itself between fork and exec, so that it holds from its first
// instruction: join a cgroup (its cgroup.procs file), run only on some CPUs (--pin),
// see extra environment variables ("NAME=value"), and run under SCHED_FIFO at
// fifo_priority (1..99; 0: the scheduling it inherits). The threads it starts inherit
// that policy. Where the policy is not permitted it runs on as it was, which
// scheduling_of(pid) then tells.
struct spawn_setup {
  std::string join_cgroup_procs;
  std::optional<cpu_set_t> cpus;
  std::vector<std::string> environment;
  int fifo_priority = 0;
};

// "SCHED_FIFO 10" or "normal (SCHED_OTHER)": how process pid is scheduled now.
std::string scheduling_of(pid_t pid);

// Whether an environment entry ("NAME=value") sets a proxy (http_proxy, HTTPS_PROXY,
// all_proxy, no_proxy, ...): the harness's children never inherit one, so no row's
// requests to the loopback server take a detour that another row's do not.
bool is_proxy_variable(std::string_view entry);

// fork + exec `program` with `args` (args[0] is the name it sees), in this process's
// environment less its proxy variables, plus setup.environment. Throws
// std::system_error when the pipes or the fork fail, std::runtime_error when the exec
// fails (the child reports its errno on a close-on-exec pipe before exiting).
spawned_process spawn_in_own_group(const std::string& program,
                                   const std::vector<std::string>& args,
                                   bool merge_errors_into_output,
                                   const spawn_setup& setup = {});

// SIGKILL to the whole group; harmless when it is already gone.
void kill_group(pid_t group) noexcept;

// How a child of this process ended ("SIGKILL", "exit status 3") once it has; nullopt
// while it runs. Does not reap it: its group id stays its own until the caller reaps.
std::optional<std::string> exit_description(pid_t child);

// The directory of the running executable (from /proc/self/exe).
std::string executable_folder();

}  // namespace hammertime::harness
