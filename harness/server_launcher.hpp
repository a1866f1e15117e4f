// The mock server a flags run talks to: hammertime-server started beside this binary,
// in its own process group, with the run's delay and fault flags; or one already
// running, named by --server URL.
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

namespace hammertime::harness {

struct endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string url() const;  // "http://127.0.0.1:8001"
};

// "http://HOST:PORT" (a trailing "/" allowed); nullopt for anything else.
std::optional<endpoint> parse_server_url(std::string_view url);

// <folder of this executable>/hammertime-server
std::string server_binary_path();

class server_process {
 public:
  // Starts the server and waits (at most ready_within) for its ready line
  // "listening on http://127.0.0.1:PORT". Throws std::runtime_error with what the
  // server said when it does not get ready, or when a stop signal arrives meanwhile.
  // cpus: where it may run (--pin), else anywhere.
  server_process(const std::string& binary, std::chrono::milliseconds delay,
                 const std::vector<std::string>& extra_args,
                 std::chrono::milliseconds ready_within = std::chrono::seconds(10),
                 std::optional<cpu_set_t> cpus = std::nullopt);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  const endpoint& where() const { return where_; }
  pid_t pid() const { return pid_; }
  // SIGTERM to its group, SIGKILL after a grace period, then reaped.
  void stop() noexcept;

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  endpoint where_;
  std::thread drain_;  // reads (and drops) what it prints after the ready line
};

}  // namespace hammertime::harness
