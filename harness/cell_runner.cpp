#include "cell_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "cli.hpp"
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
  if (const auto* peer = peer_of(one.model)) {
    auto command = peer_command(*peer);
    command.insert(
        command.end(),
        {"--model", std::string(one.model->name), "--workload",
         std::string(models::to_string(one.workload)), "--items",
         std::to_string(one.items), "--concurrency", std::to_string(one.concurrency),
         "--delay-ms", std::to_string(one.delay.count()), "--timeout-ms",
         std::to_string(one.timeout.count()), "--host", environment.server.host, "--port",
         std::to_string(environment.server.port)});
    return command;
  }
  return {executable_folder() + "/hammertime",
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
          environment.server.host,
          "--port",
          std::to_string(environment.server.port)};
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

double as_number(const boost::json::object& line, const char* key) {
  const auto* value = line.if_contains(key);
  if (value == nullptr) return 0;
  if (value->is_double()) return value->as_double();
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  if (value->is_uint64()) return static_cast<double>(value->as_uint64());
  return 0;
}

// The child's JSON line into the result; false when there is no such line.
bool take_report(const std::string& output, cell_result& result,
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
    return static_cast<std::uint64_t>(as_number(line, key));
  };
  result.wall_seconds = as_number(line, "wall_seconds");
  result.ok = count("ok");
  result.not_found = count("not_found");
  result.failed = count("failed");
  result.bytes = count("bytes");
  result.p50_ms = as_number(line, "p50_ms");
  result.p99_ms = as_number(line, "p99_ms");
  result.max_ms = as_number(line, "max_ms");
  result.baseline_pss_bytes = count("baseline_pss_bytes");
  result.vm_hwm_bytes = count("vm_hwm_bytes");
  return true;
}

std::optional<double> server_cpu(const cell_environment& environment,
                                 const std::optional<server_stats>& stats) {
  if (environment.server_pid > 0) return process_cpu_seconds(environment.server_pid);
  return stats ? stats->cpu_seconds : std::nullopt;
}

}  // namespace

cell_result run_cell(const cell& one, const cell_environment& environment,
                     const tick_callback& on_tick) {
  cell_result result;
  const bool network = one.workload == models::workload::flags;
  std::optional<server_stats> stats_before;
  if (network && environment.server_has_stats)
    stats_before = fetch_server_stats(environment.server, true, stats_within);
  auto server_cpu_before = network ? server_cpu(environment, stats_before) : std::nullopt;

  auto kernel_baseline = kernel_memory_bytes();
  auto started = steady_clock::now();
  auto args = child_args(one, environment);
  auto child =
      spawn_in_own_group(peer_of(one.model) ? args[0] : "/proc/self/exe", args, false);
  memory_sampler sampler(child.pid, kernel_baseline);
  for (int fd : {child.output_fd, child.errors_fd}) fcntl(fd, F_SETFL, O_NONBLOCK);

  enum class ending { exited, time_limit, stopped, server_exited } how = ending::exited;
  std::optional<std::string> server_exit;
  std::string output, errors;
  bool output_open = true, errors_open = true;
  auto deadline = started + environment.time_limit;
  auto next_tick = started;
  while (true) {
    pollfd watch[2] = {{output_open ? child.output_fd : -1, POLLIN, 0},
                       {errors_open ? child.errors_fd : -1, POLLIN, 0}};
    poll(watch, 2, 50);
    if (output_open) output_open = read_available(child.output_fd, output);
    if (errors_open) errors_open = read_available(child.errors_fd, errors);
    siginfo_t info{};
    // Exited, but not reaped yet: its zombie keeps the group id ours until the rest of
    // its group (worker processes) is killed below.
    if (waitid(P_PID, static_cast<id_t>(child.pid), &info, WEXITED | WNOHANG | WNOWAIT) ==
            0 &&
        info.si_pid == child.pid)
      break;
    if (stop_signal() != 0) {
      how = ending::stopped;
      break;
    }
    // The harness's own server died: what the child counts from now on is not a
    // measurement of the model.
    if (network && (server_exit = exit_description(environment.server_pid))) {
      how = ending::server_exited;
      break;
    }
    auto now = steady_clock::now();
    if (now >= deadline) {
      how = ending::time_limit;
      break;
    }
    if (on_tick && now >= next_tick) {
      on_tick(now - started);
      next_tick = now + std::chrono::milliseconds(200);
    }
  }
  kill_group(child.pid);
  int status = 0;
  rusage usage{};
  while (wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  result.seconds_outside =
      std::chrono::duration<double>(steady_clock::now() - started).count();
  auto peaks = sampler.stop();

  // What is left in the pipes; bounded, in case a process outside the group holds them.
  auto drain_until = steady_clock::now() + std::chrono::seconds(1);
  while ((output_open || errors_open) && steady_clock::now() < drain_until) {
    pollfd watch[2] = {{output_open ? child.output_fd : -1, POLLIN, 0},
                       {errors_open ? child.errors_fd : -1, POLLIN, 0}};
    poll(watch, 2, 50);
    if (output_open) output_open = read_available(child.output_fd, output);
    if (errors_open) errors_open = read_available(child.errors_fd, errors);
  }
  close(child.output_fd);
  close(child.errors_fd);

  result.cpu_user_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6;
  result.cpu_system_s = usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  result.max_rss_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
  result.kernel_memory_bytes = peaks.kernel_memory_increase_bytes;
  result.memory_samples = peaks.samples;

  std::string reported_error;
  bool reported = take_report(output, result, reported_error);
  // The child's own sample just before its first item is a sample of the tree too.
  result.peak_pss_bytes = std::max(peaks.tree_pss_bytes, result.baseline_pss_bytes);

  if (how == ending::stopped) {
    result.interrupted = true;
  } else if (how == ending::server_exited) {
    result.error = "server exited: " + *server_exit;
  } else if (how == ending::time_limit) {
    result.error = "time limit exceeded (" +
                   std::to_string(environment.time_limit.count()) + " ms): killed";
  } else if (WIFSIGNALED(status)) {
    auto said = last_said(errors);
    result.error = "crashed: " + signal_name(WTERMSIG(status)) +
                   (said.empty() ? "" : " (last stderr: " + said + ")");
  } else if (WEXITSTATUS(status) != 0 || !reported || !reported_error.empty()) {
    auto code = WEXITSTATUS(status);
    auto said =
        reported_error.empty() ? last_said(errors) : escaped(reported_error, 1000);
    result.error = code == 3   ? said
                   : code == 0 ? "no result line from the child"
                               : "child exited with status " + std::to_string(code) +
                                     (said.empty() ? "" : ": " + said);
  }

  if (network) {
    std::optional<server_stats> stats_after;
    if (environment.server_has_stats)
      stats_after = fetch_server_stats(environment.server, false, stats_within);
    if (stats_after) result.server_lateness_p99_ms = stats_after->lateness_p99_ms;
    auto server_cpu_after = server_cpu(environment, stats_after);
    if (server_cpu_before && server_cpu_after)
      result.server_cpu_s = *server_cpu_after - *server_cpu_before;
  }
  return result;
}

}  // namespace hammertime::harness
