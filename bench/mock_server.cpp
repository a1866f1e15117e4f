#include "mock_server.hpp"

#include <signal.h>

#include <atomic>
#include <memory>
#include <stdexcept>

#include "harness/server_launcher.hpp"

namespace hammertime::bench {
namespace {

std::atomic<pid_t> server_group{0};

// The server runs in its own process group, out of reach of the terminal's Ctrl-C.
void stop_server_then_die(int signal) {
  if (pid_t group = server_group.load(); group > 0) kill(-group, SIGTERM);
  ::signal(signal, SIG_DFL);
  raise(signal);
}

struct started_server {
  std::unique_ptr<harness::server_process> process;
  models::job work;
  std::string error;

  started_server() {
    try {
      process = std::make_unique<harness::server_process>(harness::server_binary_path(),
                                                          std::chrono::milliseconds(0),
                                                          std::vector<std::string>{});
    } catch (const std::exception& failure) {
      error = std::string("mock server: ") + failure.what();
      return;
    }
    server_group = process->pid();
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal, stop_server_then_die);
    work.kind = models::workload::flags;
    work.delay = std::chrono::milliseconds(0);
    work.host = process->where().host;
    work.port = process->where().port;
  }
  ~started_server() { server_group = 0; }
};

}  // namespace

const models::job& zero_delay_job() {
  static started_server server;
  if (!server.process) throw std::runtime_error(server.error);
  return server.work;
}

}  // namespace hammertime::bench
