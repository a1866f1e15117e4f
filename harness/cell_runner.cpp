#include "cell_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "cli.hpp"
#include "common/exit_codes.hpp"
#include "memory_cgroup.hpp"
#include "memory_sampler.hpp"
#include "peers.hpp"
#include "process_group.hpp"
#include "server_stats.hpp"
#include "stop_signal.hpp"

namespace hammertime::harness {
namespace {

using std::chrono::steady_clock;
constexpr std::chrono::milliseconds stats_within{1000};

// `hammertime child ...`, or a peer's own command with the same protocol flags.
std::vector<std::string> child_args(const cell& one,
                                    const cell_environment& environment) {
  const auto& to = environment.proxy.value_or(environment.server);
  if (const auto* peer = peer_of(one.model)) {
    auto command = peer_command(*peer);
    command.insert(command.end(), {"--model", std::string(one.model->name), "--workload",
                                   std::string(models::to_string(one.workload)),
                                   "--items", std::to_string(one.items), "--concurrency",
                                   std::to_string(one.concurrency), "--delay-ms",
                                   std::to_string(one.delay.count()), "--timeout-ms",
                                   std::to_string(one.timeout.count()), "--host", to.host,
                                   "--port", std::to_string(to.port)});
    return command;
  }
  auto args = std::vector<std::string>{executable_folder() + "/hammertime",
                                       "child",
                                       "--model",
                                       std::string(one.model->name),
                                       "--workload",
                                       std::string(models::to_string(one.workload)),
                                       "--items",
                                       std::to_string(one.items),
                                       "--concurrency",
                                       std::to_string(one.concurrency),
                                       "--delay-ms",
                                       std::to_string(one.delay.count()),
                                       "--timeout-ms",
                                       std::to_string(one.timeout.count()),
                                       "--stack-size",
                                       std::to_string(one.stack_size),
                                       "--bridge-threads",
                                       std::to_string(one.bridge_threads),
                                       "--host",
                                       to.host,
                                       "--port",
                                       std::to_string(to.port)};
  if (one.workload == models::workload::hammer)
    args.insert(args.end(), {"--work-us", std::to_string(one.work_us.count())});
  if (one.ticker.count() > 0)
    args.insert(args.end(), {"--ticker-ms", std::to_string(one.ticker.count())});
  return args;
}

// Reads what is there without blocking; false once the writer side is closed.
bool read_available(int fd, std::string& into) {
  char buffer[4096];
  while (true) {
    auto got = read(fd, buffer, sizeof buffer);
    if (got > 0) {
      into.append(buffer, static_cast<std::size_t>(got));
      if (into.size() > (1u << 20)) into.erase(0, into.size() - (1u << 16));
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;
  }
}

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

// The line that says why, escaped and capped, for a row's reason: the last exception
// the C++ runtime reported ("what(): ..."; several threads that fail at once add
// "terminate called recursively" after it), else the last line with something on it.
std::string last_said(const std::string& errors) {
  auto end = errors.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  if (auto what = errors.rfind("what():"); what != std::string::npos)
    end = std::min(end, errors.find('\n', what) - 1);
  auto start = errors.rfind('\n', end);
  start = errors.find_first_not_of(" \t", start == std::string::npos ? 0 : start + 1);
  return escaped(std::string_view(errors).substr(start, end + 1 - start));
}

std::string signal_name(int signal) {
  const char* short_name = sigabbrev_np(signal);
  return (short_name ? "SIG" + std::string(short_name)
                     : "signal " + std::to_string(signal)) +
         " (" + strsignal(signal) + ")";
}

// Why a sampled peak is not to be trusted, or "" when it is: too few samples to have
// seen a short peak, or a rise of the child's own peak RSS (VmHWM, exact) well above
// the rise of the sampled PSS (PSS is at most RSS, and most of the rise is private).
std::string sampled_memory_doubt(const cell_result& result) {
  constexpr std::size_t enough_samples = 10;
  if (result.memory_samples < enough_samples)
    return "only " + std::to_string(result.memory_samples) + " memory samples";
  auto rise = [](std::uint64_t peak, std::uint64_t base) {
    return peak > base ? static_cast<double>(peak - base) : 0.0;
  };
  double rss_rise = rise(result.vm_hwm_bytes, result.baseline_rss_bytes);
  double pss_rise = rise(result.peak_memory_bytes.value_or(0), result.baseline_pss_bytes);
  if (rss_rise > 1.25 * pss_rise + (1 << 20))
    return "the sampled peak missed the child's own peak RSS rise (" +
           std::to_string(static_cast<std::uint64_t>(rss_rise) >> 10) + " KiB vs " +
           std::to_string(static_cast<std::uint64_t>(pss_rise) >> 10) + " KiB)";
  return "";
}

std::optional<double> server_cpu(const cell_environment& environment,
                                 const std::optional<server_stats>& stats) {
  if (environment.server_pid > 0) return process_cpu_seconds(environment.server_pid);
  return stats ? stats->cpu_seconds : std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> cell_result::baseline_memory_bytes() const {
  if (memory_method.rfind("cgroup", 0) == 0) return baseline_cgroup_bytes;
  return baseline_pss_bytes;
}

namespace {

// A field the child's line must have, as a number; throws missing_field when it has not.
struct missing_field : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double required_number(const boost::json::object& line, const char* key) {
  const auto* value = line.if_contains(key);
  if (value != nullptr && value->is_double()) return value->as_double();
  if (value != nullptr && value->is_int64())
    return static_cast<double>(value->as_int64());
  if (value != nullptr && value->is_uint64())
    return static_cast<double>(value->as_uint64());
  throw missing_field(std::string("the child's result line has no number '") + key + "'");
}

// The timeline's rows that are three whole numbers; any other row is left out.
std::vector<std::array<std::int64_t, 3>> item_times_of(const boost::json::array& rows) {
  std::vector<std::array<std::int64_t, 3>> times;
  times.reserve(rows.size());
  for (const auto& row : rows) {
    if (!row.is_array() || row.as_array().size() != 3) continue;
    std::array<std::int64_t, 3> item{};
    bool whole = true;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& value = row.as_array()[i];
      if (value.is_int64())
        item[i] = value.as_int64();
      else if (value.is_uint64())
        item[i] = static_cast<std::int64_t>(value.as_uint64());
      else if (value.is_double())
        item[i] = static_cast<std::int64_t>(value.as_double());
      else
        whole = false;
    }
    if (whole) times.push_back(item);
  }
  return times;
}

}  // namespace

bool read_child_report(const std::string& output, cell_result& result,
                       std::string& error_text) {
  boost::system::error_code error;
  auto parsed = boost::json::parse(last_line(output), error);
  if (error || !parsed.is_object()) return false;
  const auto& line = parsed.as_object();
  if (const auto* message = line.if_contains("error"); message && message->is_string()) {
    error_text = std::string(message->as_string());
    return true;
  }
  auto count = [&](const char* key) {
    return static_cast<std::uint64_t>(required_number(line, key));
  };
  try {
    result.wall_seconds = required_number(line, "wall_seconds");
    result.cpu_user_s = required_number(line, "cpu_user_seconds");
    result.cpu_system_s = required_number(line, "cpu_system_seconds");
    result.ok = count("ok");
    result.not_found = count("not_found");
    result.failed = count("failed");
    result.bytes = count("bytes");
    result.p50_ms = required_number(line, "p50_ms");
    result.p99_ms = required_number(line, "p99_ms");
    result.max_ms = required_number(line, "max_ms");
    result.baseline_pss_bytes = count("baseline_pss_bytes");
    result.baseline_rss_bytes = count("baseline_rss_bytes");
    result.vm_hwm_bytes = count("vm_hwm_bytes");
    if (line.contains("baseline_cgroup_bytes"))
      result.baseline_cgroup_bytes = count("baseline_cgroup_bytes");
    if (line.contains("runtime_threads"))
      result.runtime_threads = count("runtime_threads");
    if (line.contains("tasks_held")) result.tasks_held = count("tasks_held");
    if (line.contains("sockets_left_open"))
      result.sockets_left_open =
          static_cast<std::int64_t>(required_number(line, "sockets_left_open"));
    if (line.contains("loop_lag_p50_ms")) {  // a ticker ran: all three, then
      result.loop_lag_p50_ms = required_number(line, "loop_lag_p50_ms");
      result.loop_lag_p99_ms = required_number(line, "loop_lag_p99_ms");
      result.loop_lag_max_ms = required_number(line, "loop_lag_max_ms");
    }
    if (const auto* times = line.if_contains("item_times"); times && times->is_array())
      result.item_times = item_times_of(times->as_array());
  } catch (const missing_field& missing) {
    error_text = missing.what();
  }
  return true;
}

namespace {

// The cell's memory cgroup when the harness may make one; nullopt and the method
// that measures instead otherwise.
std::optional<memory_cgroup> cell_cgroup(const cell_environment& environment,
                                         std::string& method) {
  if (environment.sample_memory) {
    method = "sampled PSS";
    return std::nullopt;
  }
  std::string why_not;
  auto group = memory_cgroup::make(why_not);
  method = group ? group->method() : "sampled PSS (" + why_not + ")";
  return group;
}

// "server exited: SIGKILL" (or the proxy) once the harness's own server or proxy has.
std::optional<std::string> helper_exit(const cell_environment& environment) {
  if (auto exit = exit_description(environment.server_pid))
    return "server exited: " + *exit;
  if (auto exit = exit_description(environment.proxy_pid))
    return "proxy exited: " + *exit;
  return std::nullopt;
}

// Before the cell: the server's CPU so far; its lateness figures, and the proxy's,
// start afresh.
std::optional<double> reset_server_figures(const cell_environment& environment) {
  std::optional<server_stats> stats;
  if (environment.server_has_stats)
    stats = fetch_server_stats(environment.server, true, stats_within);
  auto cpu_before = server_cpu(environment, stats);
  if (environment.proxy_control)
    fetch_proxy_lateness_p99_ms(*environment.proxy_control, true, stats_within);
  return cpu_before;
}

// After the cell: what the server and the proxy saw of it.
void snapshot_server(const cell_environment& environment,
                     std::optional<double> server_cpu_before, cell_result& result) {
  std::optional<server_stats> stats_after;
  if (environment.server_has_stats)
    stats_after = fetch_server_stats(environment.server, false, stats_within);
  if (stats_after) {
    result.server_lateness_ms = stats_after->lateness;
    result.server_own_queue_ms = stats_after->own_queue;
    result.client_send_wait_ms = stats_after->client_send_wait;
    result.server_answered = stats_after->answered;
    result.server_faults = stats_after->faults;
  }
  if (environment.proxy_control)
    result.proxy_lateness_p99_ms =
        fetch_proxy_lateness_p99_ms(*environment.proxy_control, false, stats_within);
  auto server_cpu_after = server_cpu(environment, stats_after);
  if (server_cpu_before && server_cpu_after)
    result.server_cpu_s = *server_cpu_after - *server_cpu_before;
}

// The child starts in the cell's cgroup, where there is one, on --pin's CPUs, and with
// the environment its peer asks for.
spawn_setup child_setup(const cell& one, const cell_environment& environment,
                        const std::optional<memory_cgroup>& group) {
  spawn_setup setup;
  setup.cpus = environment.child_cpus;
  if (group) {
    setup.join_cgroup_procs = group->procs_file();
    setup.environment.push_back(std::string(memory_cgroup::folder_variable) + "=" +
                                group->folder());
  }
  if (const auto* peer = peer_of(one.model); peer && !peer->environment.empty())
    setup.environment.emplace_back(peer->environment);
  return setup;
}

// The child's stdout and stderr as they come; each open until its writer closes it.
struct child_pipes {
  explicit child_pipes(const spawned_process& child)
      : output_fd(child.output_fd), errors_fd(child.errors_fd) {
    for (int fd : {output_fd, errors_fd}) fcntl(fd, F_SETFL, O_NONBLOCK);
  }

  bool open() const { return output_open || errors_open; }
  pollfd output_watch() const { return {output_open ? output_fd : -1, POLLIN, 0}; }
  pollfd errors_watch() const { return {errors_open ? errors_fd : -1, POLLIN, 0}; }
  void read_what_is_there() {
    if (output_open) output_open = read_available(output_fd, output);
    if (errors_open) errors_open = read_available(errors_fd, errors);
  }

  int output_fd, errors_fd;
  std::string output, errors;
  bool output_open = true, errors_open = true;
};

// Why the watch ended: the child exited, or the harness must end it.
struct ending {
  enum reason { exited, time_limit, stopped, server_exited } why = exited;
  std::string server_exit;  // server_exited: which helper, and how
};

// Exited, but not reaped yet: its zombie keeps the group id ours until the rest of its
// group (worker processes) is killed.
bool has_exited(pid_t child) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT) ==
             0 &&
         info.si_pid == child;
}

// A reason to end the child before it exits, or nullopt to let it run on.
std::optional<ending> reason_to_end(const cell_environment& environment, bool network,
                                    steady_clock::time_point deadline) {
  if (stop_signal() != 0) return ending{ending::stopped};
  // The harness's own server died: what the child counts from now on is not a
  // measurement of the model.
  if (network)
    if (auto server_exit = helper_exit(environment))
      return ending{ending::server_exited, *server_exit};
  if (steady_clock::now() >= deadline) return ending{ending::time_limit};
  return std::nullopt;
}

// Reads the child's pipes and ticks until the child exits or must be ended.
ending watch_child(pid_t child, child_pipes& pipes, const cell_environment& environment,
                   bool network, steady_clock::time_point started,
                   const tick_callback& on_tick) {
  auto deadline = started + environment.time_limit;
  auto next_tick = started;
  // Readable the moment the child exits, so that the time outside is its exit's and not
  // the poll's 50 ms (a child closes its pipes before it is a zombie); -1 on a kernel
  // older than 5.3, where the poll's timeout bounds the error.
  int exited = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  ending end;
  while (true) {
    pollfd watch[3] = {pipes.output_watch(), pipes.errors_watch(), {exited, POLLIN, 0}};
    poll(watch, 3, 50);
    pipes.read_what_is_there();
    if (has_exited(child)) break;
    if (auto reason = reason_to_end(environment, network, deadline)) {
      end = *reason;
      break;
    }
    auto now = steady_clock::now();
    if (on_tick && now >= next_tick) {
      on_tick(now - started);
      next_tick = now + std::chrono::milliseconds(200);
    }
  }
  if (exited >= 0) close(exited);
  return end;
}

// The child's wait status and its CPU, once the rest of its group is killed.
struct reaped_child {
  int status = 0;
  rusage usage{};
};

reaped_child reap_child(pid_t child) {
  kill_group(child);
  reaped_child reaped;
  while (wait4(child, &reaped.status, 0, &reaped.usage) < 0 && errno == EINTR) {
  }
  return reaped;
}

// What is left in the pipes; bounded, in case a process outside the group holds them.
void drain_pipes(child_pipes& pipes) {
  auto drain_until = steady_clock::now() + std::chrono::seconds(1);
  while (pipes.open() && steady_clock::now() < drain_until) {
    pollfd watch[2] = {pipes.output_watch(), pipes.errors_watch()};
    poll(watch, 2, 50);
    pipes.read_what_is_there();
  }
  close(pipes.output_fd);
  close(pipes.errors_fd);
}

void add_process_usage(const rusage& usage, cell_result& result) {
  result.process_cpu_user_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
  result.process_cpu_system_s = usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  result.max_rss_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

void measure_sampled_memory(memory_sampler& sampler, cell_result& result) {
  auto peaks = sampler.stop();
  result.memory_samples = peaks.samples;
  if (peaks.samples > 0) result.peak_memory_bytes = peaks.tree_pss_bytes;
  result.kernel_memory_bytes = peaks.kernel_memory_increase_bytes;
  result.kernel_memory_system_wide = true;
  result.memory_doubt = sampled_memory_doubt(result);
}

void measure_cgroup_memory(const memory_cgroup& group, cell_result& result) {
  auto peaks = group.read_peaks();
  if (!peaks) {
    result.memory_doubt = "the cell's memory cgroup could not be read";
    return;
  }
  result.peak_memory_bytes = peaks->peak_bytes;
  result.kernel_memory_bytes = peaks->kernel_peak_bytes;
  if (!result.baseline_cgroup_bytes)
    result.memory_doubt = "the child did not read its cgroup before the work";
  else if (peaks->peak_bytes <
           *result.baseline_cgroup_bytes + memory_cgroup::charge_batch())
    result.memory_doubt = "the rise is within the kernel's charge batch (" +
                          std::to_string(memory_cgroup::charge_batch() >> 10) +
                          " KiB): bytes/task is a bound";
}

// The child's report line, as read_child_report found it.
struct child_report {
  bool given = false;
  std::string error;
};

// Why a child that exited by itself gave no result: its status (the OOM killer's
// SIGKILL named as such), its report's error or its last stderr line; empty when it
// reported its tally.
std::string exit_error(int status, const child_report& report, const std::string& errors,
                       const std::optional<std::string>& oom_kill) {
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && oom_kill) return *oom_kill;
  if (WIFSIGNALED(status)) {
    auto said = last_said(errors);
    return "crashed: " + signal_name(WTERMSIG(status)) +
           (said.empty() ? "" : " (last stderr: " + said + ")");
  }
  auto code = WEXITSTATUS(status);
  if (code == common::exit_code::success && report.given && report.error.empty())
    return "";
  auto said = report.error.empty() ? last_said(errors) : escaped(report.error, 1000);
  if (code == common::exit_code::machine_limit) return said;
  if (code == common::exit_code::success) return "no result line from the child";
  return "child exited with status " + std::to_string(code) +
         (said.empty() ? "" : ": " + said);
}

void describe_ending(const ending& end, int status, const child_report& report,
                     const std::string& errors, const cell_environment& environment,
                     const std::optional<std::string>& oom_kill, cell_result& result) {
  switch (end.why) {
    case ending::stopped:
      result.interrupted = true;
      return;
    case ending::server_exited:
      result.error = end.server_exit;
      return;
    case ending::time_limit:
      result.error = "time limit exceeded (" +
                     std::to_string(environment.time_limit.count()) + " ms): killed";
      return;
    case ending::exited:
      result.error = exit_error(status, report, errors, oom_kill);
      return;
  }
}

}  // namespace

cell_result run_cell(const cell& one, const cell_environment& environment,
                     const tick_callback& on_tick) {
  cell_result result;
  const bool network = models::uses_server(one.workload);
  auto server_cpu_before = network ? reset_server_figures(environment) : std::nullopt;

  auto group = cell_cgroup(environment, result.memory_method);
  auto setup = child_setup(one, environment, group);
  auto kernel_baseline = kernel_memory_bytes();
  auto started = steady_clock::now();
  auto args = child_args(one, environment);
  auto child = spawn_in_own_group(peer_of(one.model) ? args[0] : "/proc/self/exe", args,
                                  false, setup);
  std::optional<memory_sampler> sampler;
  if (!group) sampler.emplace(child.pid, kernel_baseline);
  child_pipes pipes(child);
  auto end = watch_child(child.pid, pipes, environment, network, started, on_tick);
  auto reaped = reap_child(child.pid);
  result.seconds_outside =
      std::chrono::duration<double>(steady_clock::now() - started).count();
  drain_pipes(pipes);
  add_process_usage(reaped.usage, result);

  child_report report;
  report.given = read_child_report(pipes.output, result, report.error);
  if (sampler)
    measure_sampled_memory(*sampler, result);
  else
    measure_cgroup_memory(*group, result);
  auto oom_kill = group ? oom_kill_description(group->folder()) : std::nullopt;
  describe_ending(end, reaped.status, report, pipes.errors, environment, oom_kill,
                  result);
  if (network) snapshot_server(environment, server_cpu_before, result);
  return result;
}

}  // namespace hammertime::harness
