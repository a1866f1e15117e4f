#include "nonblocking_socket.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/machine_limits.hpp"

namespace hammertime::models {

io nonblocking_socket::connect(const socket_address& server) {
  if (connected_) return io::done;
  if (fd_ >= 0) return ask_connect(server);
  fd_ = open_client_socket(server, SOCK_NONBLOCK);
  if (fd_ < 0) return io::failed;
  // On loopback the handshake is over by the time connect() says EINPROGRESS: asking
  // once more at once sends the request now instead of after a trip through the loop.
  io state = ask_connect(server);
  return state == io::again ? ask_connect(server) : state;
}

// Called again while the first connect() is in progress, connect() says how it went:
// 0 (or EISCONN) connected, EALREADY still trying, any other error the failure.
io nonblocking_socket::ask_connect(const socket_address& server) {
  auto* address = reinterpret_cast<const sockaddr*>(&server.storage);
  if (::connect(fd_, address, server.length) == 0 || errno == EISCONN) {
    connected_ = true;
    return io::done;
  }
  if (errno == EINPROGRESS || errno == EALREADY || errno == EINTR) return io::again;
  if (errno == EADDRNOTAVAIL)
    throw common::ran_out("connect", "no local port left",
                          common::machine_setting::local_ports);
  return io::failed;
}

io nonblocking_socket::write(std::string_view& unsent) {
  while (!unsent.empty()) {
    ssize_t sent = ::send(fd_, unsent.data(), unsent.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      unsent.remove_prefix(static_cast<std::size_t>(sent));
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK ? io::again : io::failed;
    }
  }
  return io::done;
}

io nonblocking_socket::read(flag_response_parser& parser) {
  std::array<char, 32 * 1024> scratch;  // on the loop's stack, not in the task's frame
  return read(parser, scratch);
}

io nonblocking_socket::read(flag_response_parser& parser, std::span<char> scratch) {
  if (!unparsed_.empty())
    if (io state = feed(parser, {}); state != io::again) return state;
  for (;;) {
    ssize_t got = ::recv(fd_, scratch.data(), scratch.size(), 0);
    if (got > 0) {
      io state = feed(parser, {scratch.data(), static_cast<std::size_t>(got)});
      if (state != io::again) return state;
    } else if (got == 0) {  // closed: only a response without a length may end here
      return feed_end(parser) == parse_state::done ? io::done : io::failed;
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK ? io::again : io::failed;
    }
  }
}

// The shared parser helper (beast_wire.hpp), with this socket's leftover bytes.
io nonblocking_socket::feed(flag_response_parser& parser, std::string_view fresh) {
  switch (models::feed(parser, unparsed_, fresh)) {
    case parse_state::done:
      return io::done;
    case parse_state::more:
      return io::again;
    case parse_state::failed:
      break;
  }
  return io::failed;
}

void nonblocking_socket::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connected_ = false;
  unparsed_.clear();
}

}  // namespace hammertime::models
