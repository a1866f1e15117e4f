// A hammertime-server started for one test: its own process group on a free port,
// killed (the whole group) when the object goes away; open_files > 0 starts it under
// that RLIMIT_NOFILE, as `ulimit -n` would.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace hammertime::testing {

class server_process {
 public:
  explicit server_process(std::vector<std::string> extra_args = {},
                          rlim_t open_files = 0) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      // A test that aborts (a crash, a sanitizer's halt) runs no destructor: the server
      // must not outlive it.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      rlimit files{open_files, open_files};
      if (open_files > 0 && setrlimit(RLIMIT_NOFILE, &files) != 0) _exit(127);
      std::vector<std::string> args{HAMMERTIME_SERVER_BIN, "--port", "0"};
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);
    close(out[1]);
    // The ready line: "listening on http://127.0.0.1:PORT".
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    output_ = out[0];
    auto colon = line.rfind(':');
    if (line.rfind("listening on http://", 0) != 0 || colon == std::string::npos) {
      stop();
      throw std::runtime_error("hammertime-server did not start: '" + line + "'");
    }
    port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
  }
  ~server_process() { stop(); }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void stop() {
    if (pid_ > 0) {
      kill(-pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (output_ >= 0) close(output_), output_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int output_ = -1;
  unsigned short port_ = 0;
};

}  // namespace hammertime::testing
