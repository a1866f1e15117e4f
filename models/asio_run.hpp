// What the two Boost.Asio models (callbacks, coroutines) share around their one
// io_context thread: the items still to take, the tally, the server's address looked
// up once, and I/O objects bound to the io_context's own executor.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>

#include "model.hpp"

namespace hammertime::models {

// The io_context's own executor, not any_io_executor: a timer is 72 bytes instead of
// 120, and every handler and coroutine frame that holds an executor shrinks alike.
using loop_executor = boost::asio::io_context::executor_type;
using loop_timer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>,
                                      loop_executor>;
using loop_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, loop_executor>;

// One thread runs every task, so plain fields will do.
struct asio_run {
  const job& work;
  tally& counts;
  boost::asio::ip::tcp::endpoint server;
  std::size_t next = 0;

  // The next item's index, or false once every item has been taken.
  bool take(std::size_t& index) {
    if (next == work.items) return false;
    index = next++;
    return true;
  }
};

// A host that does not resolve gives the unspecified endpoint, which refuses every
// connection: each item is counted failed.
inline boost::asio::ip::tcp::endpoint lookup(boost::asio::io_context& loop,
                                             const job& work) {
  boost::system::error_code ec;
  auto found = boost::asio::ip::tcp::resolver(loop).resolve(
      work.host, std::to_string(work.port), ec);
  return ec ? boost::asio::ip::tcp::endpoint{} : found.begin()->endpoint();
}

}  // namespace hammertime::models
