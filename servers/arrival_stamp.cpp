#include "arrival_stamp.hpp"

#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace hammertime::server {

namespace asio = boost::asio;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

void stamp_arrivals(int descriptor) {
  int on = 1;
  setsockopt(descriptor, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

std::size_t read_with_arrival(asio::ip::tcp::socket& socket, asio::mutable_buffer into,
                              clock::time_point& arrived, error_code& error) {
  iovec place{into.data(), into.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &place;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  auto got = recvmsg(socket.native_handle(), &message, MSG_DONTWAIT);
  arrived = clock::now();
  if (got < 0) {
    error = error_code(errno, boost::system::system_category());
    if (errno == EAGAIN || errno == EWOULDBLOCK) error = asio::error::would_block;
    return 0;
  }
  if (got == 0) {
    error = asio::error::eof;
    return 0;
  }
  for (auto* each = CMSG_FIRSTHDR(&message); each; each = CMSG_NXTHDR(&message, each)) {
    if (each->cmsg_level != SOL_SOCKET || each->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec received, now;
    std::memcpy(&received, CMSG_DATA(each), sizeof received);
    clock_gettime(CLOCK_REALTIME, &now);
    auto ago = std::chrono::seconds(now.tv_sec - received.tv_sec) +
               std::chrono::nanoseconds(now.tv_nsec - received.tv_nsec);
    if (ago > clock::duration::zero() && ago < std::chrono::hours(1)) arrived -= ago;
  }
  return static_cast<std::size_t>(got);
}

}  // namespace hammertime::server
