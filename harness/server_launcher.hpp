// The mock server a flags run talks to: hammertime-server started beside this binary,
// in its own process group, with the run's delay and fault flags; or one already
// running, named by --server URL. And the hammertime-proxy that --link-delay puts in
// front of it, started the same way.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "process_group.hpp"

namespace hammertime::harness {

struct endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string url() const;  // "http://127.0.0.1:8001"
};

// "http://HOST:PORT" (a trailing "/" allowed); nullopt for anything else.
std::optional<endpoint> parse_server_url(std::string_view url);

// <folder of this executable>/hammertime-server, /hammertime-proxy
std::string server_binary_path();
std::string proxy_binary_path();

// A program the harness runs beside the cells, in its own process group, until stop().
class helper_process {
 public:
  // Starts args[0] and waits (at most ready_within) for the line that starts with
  // ready_prefix. Throws std::runtime_error, one line, when it does not get ready:
  // it exited first ("exited before it was ready (exit status 3): what it said"), it
  // took too long, or a stop signal arrived meanwhile ("stopped by SIGINT while ...").
  // setup: where it may run (--pin) and its scheduling (SCHED_FIFO unless
  // --server-normal-priority), else as this one.
  helper_process(const std::vector<std::string>& args, std::string_view ready_prefix,
                 std::chrono::milliseconds ready_within, const spawn_setup& setup = {});
  ~helper_process();
  helper_process(const helper_process&) = delete;
  helper_process& operator=(const helper_process&) = delete;

  pid_t pid() const { return pid_; }
  // What it printed up to its ready line, that line last.
  const std::vector<std::string>& said() const { return said_; }
  // SIGTERM to its group, SIGKILL after a grace period, then reaped.
  void stop() noexcept;

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  std::vector<std::string> said_;
  std::thread drain_;  // reads (and drops) what it prints after the ready line
};

class server_process : public helper_process {
 public:
  // Ready when it says "listening on http://127.0.0.1:PORT".
  server_process(const std::string& binary, std::chrono::milliseconds delay,
                 const std::vector<std::string>& extra_args,
                 std::chrono::milliseconds ready_within = std::chrono::seconds(10),
                 const spawn_setup& setup = {});

  const endpoint& where() const { return where_; }

 private:
  endpoint where_;
};

// hammertime-proxy on a free loopback port in front of `upstream`, holding each
// direction's bytes `latency`, its stats at `control()`'s GET /stats.
class proxy_process : public helper_process {
 public:
  proxy_process(const std::string& binary, const endpoint& upstream,
                std::chrono::milliseconds latency,
                std::chrono::milliseconds ready_within = std::chrono::seconds(10),
                const spawn_setup& setup = {});

  const endpoint& where() const { return where_; }
  const endpoint& control() const { return control_; }

 private:
  endpoint where_, control_;
};

}  // namespace hammertime::harness
