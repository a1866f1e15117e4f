// A raw-socket server for one test, speaking whatever bytes the test scripts: on
// 127.0.0.1, a free port, one thread per connection running `script(connection)`.
// When the script returns the connection is shut down (the client sees the close).
// The destructor shuts every connection down and joins: nothing outlives the test.
//
//   scripted_server server([](int connection) {
//     if (read_request(connection)) send_all(connection, "HTTP/1.1 200 OK\r\n...");
//   });
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hammertime::testing {

// Reads one request up to its blank line, its request line and header; "" if the
// client closed first.
inline std::string read_request_head(int connection) {
  std::string request;
  char chunk[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    ssize_t got = ::recv(connection, chunk, sizeof chunk, 0);
    if (got <= 0) return "";
    request.append(chunk, static_cast<std::size_t>(got));
  }
  return request;
}

// Reads one request up to its blank line; false if the client closed first.
inline bool read_request(int connection) {
  return !read_request_head(connection).empty();
}

inline void send_all(int connection, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(connection, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

// Blocks until the client closes (or the server is destroyed): a server that stalls.
inline void wait_for_close(int connection) {
  char chunk[4096];
  while (::recv(connection, chunk, sizeof chunk, 0) > 0) {
  }
}

class scripted_server {
 public:
  explicit scripted_server(std::function<void(int)> script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 ||
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 128) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("scripted_server: cannot listen");
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_connections(); });
  }

  ~scripted_server() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int connection : connections_) ::shutdown(connection, SHUT_RDWR);
    }
    for (auto& handler : handlers_) handler.join();
    for (int connection : connections_) ::close(connection);
    ::close(listener_);
  }
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;

  unsigned short port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void accept_connections() {
    for (;;) {
      int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0 && (errno == EINTR || errno == ECONNABORTED)) continue;
      if (connection < 0) return;  // the destructor shut the listener down
      ++accepted_;
      std::lock_guard lock(mutex_);
      connections_.push_back(connection);
      handlers_.emplace_back([this, connection] {
        script_(connection);
        ::shutdown(connection, SHUT_RDWR);
      });
    }
  }

  std::function<void(int)> script_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<int> connections_;
  std::vector<std::thread> handlers_;
  std::thread acceptor_;
};

}  // namespace hammertime::testing
