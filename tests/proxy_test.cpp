// hammertime-proxy from outside: the built binary in front of a small upstream run by
// the test (an echo, or one that greets and closes). Behaviour, with loose time bounds:
// each direction waits the latency, bytes arrive whole and in order, a close arrives
// after the bytes before it, and bad input is one line with the documented status.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace hammertime::testing {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

int listening_socket(unsigned short& port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      listen(fd, 1024) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error("cannot listen");
  port = ntohs(address.sin_port);
  return fd;
}

int connect_to(unsigned short port, int receive_buffer = 0) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (receive_buffer > 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect");
  return fd;
}

// Reads until `size` bytes or EOF, failing after 10 s of silence so nothing hangs.
std::string read_up_to(int fd, std::size_t size) {
  std::string got;
  char buffer[65536];
  while (got.size() < size) {
    pollfd watch{fd, POLLIN, 0};
    if (poll(&watch, 1, 10'000) <= 0) break;
    auto n = read(fd, buffer, std::min(sizeof buffer, size - got.size()));
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = write(fd, bytes.data(), bytes.size());
    if (n <= 0) throw std::runtime_error("write failed");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// An upstream on a free loopback port, a thread per connection: `echo` writes back what
// it reads and closes after EOF; `greet_and_close` writes "bye" and closes at once.
class upstream {
 public:
  enum mode { echo, greet_and_close };
  explicit upstream(mode how) : how_(how), listener_(listening_socket(port_)) {
    acceptor_ = std::thread([this] {
      while (true) {
        int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        std::lock_guard lock(mutex_);
        connections_.emplace_back([this, fd] { serve(fd); });
      }
    });
  }
  ~upstream() {
    shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    close(listener_);
    for (auto& connection : connections_) connection.join();
  }
  unsigned short port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void serve(int fd) {
    if (how_ == greet_and_close) {
      write_all(fd, "bye");
    } else {
      char buffer[65536];
      ssize_t n;
      try {
        while ((n = read(fd, buffer, sizeof buffer)) > 0)
          write_all(fd, std::string_view(buffer, static_cast<std::size_t>(n)));
      } catch (const std::runtime_error&) {  // the proxy ended the link
      }
    }
    close(fd);
  }

  mode how_;
  unsigned short port_ = 0;
  int listener_;
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

// hammertime-proxy ARGS... with its stdout and stderr on these descriptors; it dies
// with the test process should that die first.
pid_t start_proxy(std::vector<std::string> args, int output, int errors) {
  args.insert(args.begin(), HAMMERTIME_PROXY_BIN);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(output, STDOUT_FILENO);
    dup2(errors, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// hammertime-proxy ARGS..., ready once it says "listening on"; SIGTERM and reaped
// when the object goes away (and SIGKILLed should the test process die first).
class proxy_process {
 public:
  explicit proxy_process(const std::vector<std::string>& args) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = start_proxy(args, out[1], STDERR_FILENO);
    close(out[1]);
    output_ = out[0];
    while (true) {
      std::string line;
      char c;
      while (read(output_, &c, 1) == 1 && c != '\n') line += c;
      said_ += line + "\n";
      if (line.rfind("stats on http://127.0.0.1:", 0) == 0)
        control_port_ = static_cast<unsigned short>(std::stoi(line.substr(26)));
      if (line.rfind("listening on 127.0.0.1:", 0) == 0) {
        port_ = static_cast<unsigned short>(std::stoi(line.substr(23)));
        return;
      }
      if (line.empty()) throw std::runtime_error("hammertime-proxy said: " + said_);
    }
  }
  ~proxy_process() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(output_);
  }
  unsigned short port() const { return port_; }
  unsigned short control_port() const { return control_port_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int output_ = -1;
  unsigned short port_ = 0, control_port_ = 0;
  std::string said_;
};

std::vector<std::string> in_front_of(const upstream& server, std::string latency) {
  return {"--listen", "0", "--upstream", server.address(), "--latency", latency};
}

TEST(proxy, a_round_trip_waits_the_latency_in_each_direction) {
  upstream server(upstream::echo);
  proxy_process proxy(in_front_of(server, "100ms"));
  int fd = connect_to(proxy.port());
  auto started = steady::now();
  write_all(fd, "ping");
  EXPECT_EQ(read_up_to(fd, 4), "ping");
  auto took = steady::now() - started;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 200ms + 500ms);  // loose: a busy machine
  // The next round trip on the same connection waits both ways again.
  started = steady::now();
  write_all(fd, "pong");
  EXPECT_EQ(read_up_to(fd, 4), "pong");
  EXPECT_GE(steady::now() - started, 200ms);
  close(fd);
}

TEST(proxy, bytes_arrive_whole_and_in_order_both_ways) {
  upstream server(upstream::echo);
  proxy_process proxy(in_front_of(server, "20ms"));
  // More than the 1 MiB a direction holds before it stops reading.
  std::string sent(6 << 20, '\0');
  std::mt19937 random(7);
  for (auto& byte : sent) byte = static_cast<char>(random());
  int fd = connect_to(proxy.port());
  std::thread writer([&] {
    for (std::size_t at = 0; at < sent.size(); at += 100'000)
      write_all(fd, std::string_view(sent).substr(at, 100'000));
  });
  auto echoed = read_up_to(fd, sent.size());
  writer.join();
  EXPECT_EQ(echoed.size(), sent.size());
  EXPECT_TRUE(echoed == sent);
  close(fd);
}

TEST(proxy, a_close_arrives_after_the_bytes_before_it) {
  {
    upstream server(upstream::greet_and_close);
    proxy_process proxy(in_front_of(server, "100ms"));
    auto started = steady::now();
    int fd = connect_to(proxy.port());
    EXPECT_EQ(read_up_to(fd, 100), "bye");  // everything, then EOF
    EXPECT_GE(steady::now() - started, 100ms);
    close(fd);
  }
  // The client's end travels to the echo, whose close travels back after the echo.
  upstream server(upstream::echo);
  proxy_process proxy(in_front_of(server, "100ms"));
  int fd = connect_to(proxy.port());
  auto started = steady::now();
  write_all(fd, "hello");
  shutdown(fd, SHUT_WR);
  EXPECT_EQ(read_up_to(fd, 100), "hello");
  EXPECT_GE(steady::now() - started, 200ms);
  EXPECT_LT(steady::now() - started, 5s);
  close(fd);
}

TEST(proxy, many_connections_at_once_each_wait_once) {
  upstream server(upstream::echo);
  proxy_process proxy(in_front_of(server, "200ms"));
  constexpr int connections = 300;
  std::vector<int> fds;
  for (int i = 0; i < connections; ++i) fds.push_back(connect_to(proxy.port()));
  auto started = steady::now();
  for (int i = 0; i < connections; ++i) write_all(fds[i], std::to_string(i % 10));
  int right = 0;
  for (int i = 0; i < connections; ++i) {
    right += read_up_to(fds[i], 1) == std::to_string(i % 10);
    close(fds[i]);
  }
  EXPECT_EQ(right, connections);
  auto took = steady::now() - started;
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 400ms + 3s);  // together, not one after another (300 x 0.4 s)
}

TEST(proxy, its_stats_count_lateness_and_reset) {
  upstream server(upstream::echo);
  auto args = in_front_of(server, "10ms");
  args.insert(args.end(), {"--control-port", "0"});
  proxy_process proxy(args);
  ASSERT_GT(proxy.control_port(), 0);
  int fd = connect_to(proxy.port());
  write_all(fd, "abc");
  EXPECT_EQ(read_up_to(fd, 3), "abc");
  close(fd);
  httplib::Client control("127.0.0.1", proxy.control_port());
  // The proxy counts a chunk once its write completes, which may be after the client
  // read it: wait (a second at most) until the count has caught up.
  for (int tries = 0; tries < 100; ++tries) {
    auto now = control.Get("/stats");
    if (now && boost::json::parse(now->body).at_pointer("/bytes/to_client") == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto before = control.Post("/stats/reset");
  ASSERT_TRUE(before);
  auto json = boost::json::parse(before->body);
  EXPECT_EQ(json.at_pointer("/latency_us"), 10'000);
  EXPECT_EQ(json.at_pointer("/connections/accepted"), 1);
  EXPECT_EQ(json.at_pointer("/bytes/to_upstream"), 3);
  EXPECT_EQ(json.at_pointer("/bytes/to_client"), 3);
  EXPECT_GE(json.at_pointer("/lateness_us/count").to_number<std::uint64_t>(), 2u);
  auto after = control.Get("/stats");
  ASSERT_TRUE(after);
  EXPECT_EQ(boost::json::parse(after->body).at_pointer("/lateness_us/count"), 0);
  EXPECT_EQ(control.Get("/nope")->status, 404);
}

// The proxy's counters, from its control port.
boost::json::value stats_of(const proxy_process& proxy) {
  httplib::Client control("127.0.0.1", proxy.control_port());
  auto response = control.Get("/stats");
  if (!response) throw std::runtime_error("no /stats");
  return boost::json::parse(response->body);
}

// Clients that send and never read: the echo's answers pile up in the proxy until its
// caps stop it reading; then each link ends once its writes make no progress for the
// idle timeout.
TEST(proxy,
     clients_that_never_read_are_capped_in_all_and_dropped_after_the_idle_timeout) {
  upstream server(upstream::echo);
  auto args = in_front_of(server, "1ms");
  args.insert(args.end(), {"--control-port", "0", "--hold-per-link", "262144",
                           "--hold-total", "524288", "--idle-timeout", "1s"});
  proxy_process proxy(args);
  std::string lots(1 << 20, 'x');
  std::vector<int> fds;
  std::vector<std::thread> writers;
  for (int i = 0; i < 5; ++i) {
    int fd = connect_to(proxy.port(), 4096);  // a window too small to hide the flood
    fds.push_back(fd);
    writers.emplace_back([fd, &lots] {
      for (int sent = 0; sent < 64; ++sent)  // until the link is dropped
        if (send(fd, lots.data(), lots.size(), MSG_NOSIGNAL) < 0) return;
    });
  }
  std::int64_t open = -1;
  for (int tries = 0; tries < 100 && open != 0; ++tries) {
    std::this_thread::sleep_for(100ms);
    open = stats_of(proxy).at_pointer("/connections/open").to_number<std::int64_t>();
  }
  for (auto& writer : writers) writer.join();
  for (int fd : fds) close(fd);
  auto stats = stats_of(proxy);
  EXPECT_EQ(open, 0) << stats;
  // at least one ended by the timeout (the others may end when their echo's writes fail)
  EXPECT_GE(stats.at_pointer("/connections/stalled").to_number<std::uint64_t>(), 1u)
      << stats;
  // one read of 64 KiB may land on the limit before reading pauses
  EXPECT_LE(stats.at_pointer("/held_bytes/max").to_number<std::uint64_t>(),
            524288u + 65536u)
      << stats;
  EXPECT_EQ(stats.at_pointer("/held_bytes/now"), 0) << stats;
}

// A proxy stopped for a second while bytes arrive shows the stall as lateness: a
// chunk's delay runs from when the kernel received it, not from when the proxy read it.
TEST(proxy, a_stalled_proxy_shows_its_stall_as_lateness) {
  upstream server(upstream::echo);
  auto args = in_front_of(server, "10ms");
  args.insert(args.end(), {"--control-port", "0"});
  proxy_process proxy(args);
  int fd = connect_to(proxy.port());
  write_all(fd, "warm");
  EXPECT_EQ(read_up_to(fd, 4), "warm");
  kill(proxy.pid(), SIGSTOP);
  write_all(fd, "late");
  std::this_thread::sleep_for(1s);
  kill(proxy.pid(), SIGCONT);
  EXPECT_EQ(read_up_to(fd, 4), "late");
  close(fd);
  auto most = stats_of(proxy).at_pointer("/lateness_us/max").to_number<std::uint64_t>();
  EXPECT_GE(most, 800'000u);
}

// An upstream that refuses the connection reaches the client as a reset, as it would
// with no proxy between them, not as an orderly end.
TEST(proxy, an_upstream_that_refuses_is_a_reset_for_the_client) {
  unsigned short closed_port = 0;
  close(listening_socket(closed_port));  // a port nothing listens on
  proxy_process proxy({"--listen", "0", "--upstream",
                       "127.0.0.1:" + std::to_string(closed_port), "--latency", "1ms"});
  int fd = connect_to(proxy.port());
  char byte;
  errno = 0;
  EXPECT_EQ(recv(fd, &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
  close(fd);
}

// IPv4's loopback written as IPv6 is still only this machine: no warning.
TEST(proxy,
     listening_on_the_v4_mapped_loopback_is_not_called_reachable_from_the_network) {
  int out[2], err[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
  pid_t pid = start_proxy(
      {"--listen", "0", "--bind", "::ffff:127.0.0.1", "--upstream", "127.0.0.1:8001"},
      out[1], err[1]);
  close(out[1]), close(err[1]);
  std::string said;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') said += c;
  EXPECT_EQ(said.rfind("listening on [::ffff:127.0.0.1]:", 0), 0u) << said;
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::string warned;
  while (read(err[0], &c, 1) == 1) warned += c;
  EXPECT_EQ(warned.find("reachable"), std::string::npos) << warned;
  close(out[0]), close(err[0]);
}

// hammertime-proxy ARGS...: its exit status and what it said on stderr.
std::pair<int, std::string> run_to_the_end(const std::vector<std::string>& args) {
  int errors[2];
  if (pipe2(errors, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int nothing = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t pid = start_proxy(args, nothing, errors[1]);
  close(nothing);
  close(errors[1]);
  auto said = read_up_to(errors[0], 1 << 16);
  close(errors[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), said};
}

TEST(proxy, bad_input_is_one_line_and_exit_2) {
  std::vector<std::vector<std::string>> bad{
      {},
      {"--upstream", "127.0.0.1"},
      {"--upstream", "127.0.0.1:0"},
      {"--upstream", ":8001"},
      {"--upstream", "127.0.0.1:8001", "--latency", "25"},
      {"--upstream", "127.0.0.1:8001", "--latency", "-1ms"},
      {"--upstream", "127.0.0.1:8001", "--latency", "11m"},
      {"--upstream", "127.0.0.1:8001", "--listen", "65536"},
      {"--upstream", "127.0.0.1:8001", "--bind", "localhost"},
      {"--upstream", "127.0.0.1:8001", "--control-port", "x"},
      {"--upstream", "127.0.0.1:8001", "--listen"},
      {"--upstream", "127.0.0.1:8001", "--listen", "0", "--listen", "0"},
      {"--upstream", "127.0.0.1:8001", "--nope", "1"},
      {"--upstream", "127.0.0.1:8001", "--idle-timeout", "0ms"},
      {"--upstream", "127.0.0.1:8001", "--hold-total", "100"},
      {"--upstream", "127.0.0.1:8001", "--hold-per-link", "x"},
  };
  for (const auto& args : bad) {
    auto [status, said] = run_to_the_end(args);
    std::string shown;
    for (const auto& arg : args) shown += arg + " ";
    EXPECT_EQ(status, 2) << shown;
    EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << shown << ": " << said;
    EXPECT_EQ(said.rfind("hammertime-proxy: ", 0), 0u) << said;
  }
  auto [status, said] = run_to_the_end({"--help"});
  EXPECT_EQ(status, 0);
}

TEST(proxy, a_busy_port_is_one_line_and_exit_1) {
  unsigned short port = 0;
  int taken = listening_socket(port);
  auto [status, said] =
      run_to_the_end({"--listen", std::to_string(port), "--upstream", "127.0.0.1:8001"});
  close(taken);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(said, "hammertime-proxy: port " + std::to_string(port) +
                      " on 127.0.0.1 is in use\n");
}

}  // namespace
}  // namespace hammertime::testing
