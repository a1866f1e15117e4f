// What the two Boost.Asio models (callbacks, coroutines) share around their one
// io_context thread: the job, the items still to take, the tally, the server's address
// looked up once, and I/O objects bound to the io_context's own executor.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstring>

#include "model.hpp"
#include "wire.hpp"

namespace hammertime::models {

// The io_context's own executor, not any_io_executor: a timer is 72 bytes instead of
// 120, and every handler and coroutine frame that holds an executor shrinks alike.
using loop_executor = boost::asio::io_context::executor_type;
using asio_timer =
    boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>,
                                      loop_executor>;
using asio_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, loop_executor>;

// shared_run, with the server's address as Asio's endpoint.
struct asio_run : shared_run {
  asio_run(const job& work, tally& counts) : shared_run(work, counts) {
    std::memcpy(server_endpoint.data(), &server.storage,
                server.length);  // AF_UNSPEC: refused
  }

  boost::asio::ip::tcp::endpoint server_endpoint;
};

}  // namespace hammertime::models
