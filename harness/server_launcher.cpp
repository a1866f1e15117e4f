#include "server_launcher.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>

#include "common/escaped.hpp"
#include "process_group.hpp"
#include "stop_signal.hpp"

namespace hammertime::harness {

std::string endpoint::url() const {
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<endpoint> parse_server_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  endpoint where;
  auto host = url.substr(0, colon);
  if (host.front() == '[') {  // an IPv6 address, in brackets as URLs write it
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 address without brackets: where would its port be?
  }
  where.host = std::string(host);
  auto port_text = url.substr(colon + 1);
  auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), where.port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() ||
      where.port == 0 || where.host.find('/') != std::string::npos)
    return std::nullopt;
  return where;
}

std::string server_binary_path() { return executable_folder() + "/hammertime-server"; }
std::string proxy_binary_path() { return executable_folder() + "/hammertime-proxy"; }

namespace {

// Waits (at most `within`) for a child that closed its output to exit, and says how
// it did; nullopt while it runs on.
std::optional<std::string> exit_within(pid_t child, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  auto exit = exit_description(child);
  while (!exit && std::chrono::steady_clock::now() < deadline) {
    usleep(10'000);
    exit = exit_description(child);
  }
  return exit;
}

// Why a helper did not get ready: a stop signal, its exit, or the time it took; what it
// said after.
std::string not_ready_reason(const std::string& name, std::chrono::milliseconds within,
                             const std::optional<std::string>& exit,
                             const std::string& said) {
  auto shown = common::escaped(said, 500);
  std::string reason =
      stop_signal() != 0 ? "stopped by " + signal_abbreviation(stop_signal()) +
                               " while " + name + " started"
      : exit
          ? name + " exited before it was ready (" + *exit + ")"
          : name + " did not get ready within " + std::to_string(within.count()) + " ms";
  return reason + (said.empty() || stop_signal() != 0 ? std::string() : ": " + shown);
}

}  // namespace

helper_process::helper_process(const std::vector<std::string>& args,
                               std::string_view ready_prefix,
                               std::chrono::milliseconds ready_within,
                               const spawn_setup& setup) {
  auto started = spawn_in_own_group(args.front(), args, true, setup);
  pid_ = started.pid;
  output_fd_ = started.output_fd;

  auto deadline = std::chrono::steady_clock::now() + ready_within;
  std::string line;
  bool is_ready = false;
  std::optional<std::string> exit;  // how it ended, when it did before it was ready
  while (!is_ready) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stop_signal() != 0) break;
    pollfd watch{output_fd_, POLLIN, 0};
    if (poll(&watch, 1, static_cast<int>(std::min<long long>(left.count(), 100))) <= 0) {
      if ((exit = exit_description(pid_))) break;  // its output held open by another
      continue;
    }
    char c;
    if (read(output_fd_, &c, 1) != 1) {  // it closed its output: it exits
      exit = exit_within(pid_, std::chrono::seconds(1));
      break;
    }
    if (c != '\n') {
      line += c;
      continue;
    }
    is_ready = line.rfind(ready_prefix, 0) == 0;
    said_.push_back(std::move(line));
    line.clear();
  }
  if (!is_ready) {
    stop();
    std::string said;
    if (!line.empty()) said_.push_back(std::move(line));
    for (const auto& one : said_) said += (said.empty() ? "" : " | ") + one;
    auto name = args.front().substr(args.front().rfind('/') + 1);
    throw std::runtime_error(not_ready_reason(name, ready_within, exit, said));
  }
  drain_ = std::thread([fd = output_fd_] {
    char buffer[4096];
    while (true) {
      auto got = read(fd, buffer, sizeof buffer);
      if (got == 0 || (got < 0 && errno != EINTR)) return;
    }
  });
}

namespace {

std::vector<std::string> server_args(const std::string& binary,
                                     std::chrono::milliseconds delay,
                                     const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{binary, "--port", "0", "--delay",
                                std::to_string(delay.count()) + "ms"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}

// The endpoint in "PREFIXhttp://HOST:PORT..." or "PREFIXHOST:PORT, ...", up to `end`.
endpoint endpoint_after(const std::vector<std::string>& said, std::string_view prefix,
                        std::string_view end) {
  for (const auto& line : said) {
    if (line.rfind(prefix, 0) != 0) continue;
    auto rest = std::string_view(line).substr(prefix.size());
    rest = rest.substr(0, rest.find(end));
    auto url =
        rest.rfind("http://", 0) == 0 ? std::string(rest) : "http://" + std::string(rest);
    if (auto parsed = parse_server_url(url)) return *parsed;
  }
  throw std::runtime_error("no address after '" + std::string(prefix) +
                           "' in what it said");
}

}  // namespace

server_process::server_process(const std::string& binary, std::chrono::milliseconds delay,
                               const std::vector<std::string>& extra_args,
                               std::chrono::milliseconds ready_within,
                               const spawn_setup& setup)
    : helper_process(server_args(binary, delay, extra_args), "listening on http://",
                     ready_within, setup),
      where_(endpoint_after(said(), "listening on ", "\n")) {}

proxy_process::proxy_process(const std::string& binary, const endpoint& upstream,
                             std::chrono::milliseconds latency,
                             std::chrono::milliseconds ready_within,
                             const spawn_setup& setup)
    : helper_process({binary, "--listen", "0", "--upstream",
                      upstream.host + ":" + std::to_string(upstream.port), "--latency",
                      std::to_string(latency.count()) + "ms", "--control-port", "0"},
                     "listening on ", ready_within, setup),
      where_(endpoint_after(said(), "listening on ", ",")),
      control_(endpoint_after(said(), "stats on ", "/stats")) {}

helper_process::~helper_process() { stop(); }

void helper_process::stop() noexcept {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    siginfo_t info{};
    // Wait for it to exit without reaping it, so its group id stays its own until
    // the rest of the group is killed.
    while (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) ==
               0 &&
           info.si_pid == 0 && std::chrono::steady_clock::now() < deadline) {
      usleep(10'000);
    }
    kill_group(pid_);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (drain_.joinable()) drain_.join();
  if (output_fd_ >= 0) close(output_fd_), output_fd_ = -1;
}

}  // namespace hammertime::harness
