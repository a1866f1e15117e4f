// When the bytes a socket holds arrived: the kernel stamps each segment it receives
// (SO_TIMESTAMPNS, which Linux gives for TCP) and hands the stamp over with the read.
//
//   stamp_arrivals(acceptor.native_handle());  // its connections inherit it
//   auto got = read_with_arrival(socket, buffer_.prepare(2048), arrived, error);
//
// The server counts a request's own queue from it, the proxy a chunk's delay.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>

namespace hammertime::server {

// Asks the kernel to stamp what arrives on this socket (on a listening one, on every
// connection it accepts, from its first byte).
void stamp_arrivals(int descriptor);

// One read of what is there, without waiting, and when its last byte arrived (now, if
// the kernel did not say); would_block when nothing is there, eof at the end.
std::size_t read_with_arrival(boost::asio::ip::tcp::socket& socket,
                              boost::asio::mutable_buffer into,
                              std::chrono::steady_clock::time_point& arrived,
                              boost::system::error_code& error);

}  // namespace hammertime::server
