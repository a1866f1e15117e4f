#include "process_group.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "common/exit_codes.hpp"
#include "stop_signal.hpp"

namespace hammertime::harness {
namespace {

struct pipe_pair {
  int read_end = -1, write_end = -1;
  pipe_pair() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe");
    read_end = fds[0];
    write_end = fds[1];
  }
};

// Writes "0" (this process) into a cgroup's cgroup.procs; false when it cannot.
bool join_cgroup(const char* procs_file) {
  int fd = open(procs_file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool joined = write(fd, "0\n", 2) == 2;
  close(fd);
  return joined;
}

// Between fork and exec only async-signal-safe calls. A setup step that fails ends the
// child as an exec that failed would, with its errno.
[[noreturn]] void become(const char* program, char* const* argv, char* const* envp,
                         const spawn_setup& setup, pid_t parent, int output, int errors,
                         int exec_status) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(common::exit_code::cannot_execute);  // the harness died before prctl took hold
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);  // an ignored signal stays ignored across exec
  for (int stop : stop_signals) signal(stop, SIG_DFL);
  dup2(output, STDOUT_FILENO);
  dup2(errors, STDERR_FILENO);
  bool ready =
      (setup.join_cgroup_procs.empty() || join_cgroup(setup.join_cgroup_procs.c_str())) &&
      (!setup.cpus || sched_setaffinity(0, sizeof *setup.cpus, &*setup.cpus) == 0);
  if (ready && setup.fifo_priority > 0) {
    sched_param fifo{};
    fifo.sched_priority = setup.fifo_priority;
    sched_setscheduler(0, SCHED_FIFO, &fifo);  // not permitted: runs on as it was
  }
  if (ready) execve(program, argv, envp);
  int error = errno;
  (void)!write(exec_status, &error, sizeof error);
  _exit(common::exit_code::cannot_execute);
}

}  // namespace

bool is_proxy_variable(std::string_view entry) {
  auto name = entry.substr(0, entry.find('='));
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.ends_with("_proxy");
}

spawned_process spawn_in_own_group(const std::string& program,
                                   const std::vector<std::string>& args,
                                   bool merge_errors_into_output,
                                   const spawn_setup& setup) {
  std::vector<std::string> copies(args);
  std::vector<char*> argv;
  for (auto& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> variables(setup.environment);
  std::vector<char*> envp;
  for (char** variable = environ; *variable; ++variable)
    if (!is_proxy_variable(*variable)) envp.push_back(*variable);
  for (auto& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);

  pipe_pair output, errors, exec_status;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    for (int fd : {output.read_end, output.write_end, errors.read_end, errors.write_end,
                   exec_status.read_end, exec_status.write_end})
      close(fd);
    throw std::system_error(error, std::generic_category(), "fork");
  }
  if (pid == 0)
    become(program.c_str(), argv.data(), envp.data(), setup, parent, output.write_end,
           merge_errors_into_output ? output.write_end : errors.write_end,
           exec_status.write_end);

  setpgid(pid, pid);  // also here, so the group exists before anyone signals it
  close(output.write_end);
  close(errors.write_end);
  close(exec_status.write_end);
  int exec_error = 0;
  ssize_t got;
  do got = read(exec_status.read_end, &exec_error, sizeof exec_error);
  while (got < 0 && errno == EINTR);
  close(exec_status.read_end);
  if (got > 0) {
    waitpid(pid, nullptr, 0);
    close(output.read_end);
    close(errors.read_end);
    throw std::runtime_error("cannot run " + program + ": " + std::strerror(exec_error));
  }
  spawned_process started{pid, output.read_end, errors.read_end};
  if (merge_errors_into_output) {
    close(errors.read_end);
    started.errors_fd = -1;
  }
  return started;
}

void kill_group(pid_t group) noexcept {
  if (group > 0) kill(-group, SIGKILL);
}

std::optional<std::string> exit_description(pid_t child) {
  siginfo_t info{};
  if (child <= 0 ||
      waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid != child)
    return std::nullopt;
  if (info.si_code == CLD_EXITED) return "exit status " + std::to_string(info.si_status);
  return signal_abbreviation(info.si_status);
}

std::string executable_folder() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string(".") : self.parent_path().string();
}

std::string scheduling_of(pid_t pid) {
  int policy = sched_getscheduler(pid);
  sched_param param{};
  if (policy == SCHED_FIFO && sched_getparam(pid, &param) == 0)
    return "SCHED_FIFO " + std::to_string(param.sched_priority);
  if (policy == SCHED_OTHER) return "normal (SCHED_OTHER)";
  return policy < 0 ? "unknown: " + std::string(std::strerror(errno))
                    : "policy " + std::to_string(policy);
}

}  // namespace hammertime::harness
