// What the two Boost.Asio models (callbacks, coroutines) share around their one
// io_context thread: the job, the items still to take, the tally, the server's address
// looked up once, and I/O objects bound to the io_context's own executor.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstring>

#include "models/model.hpp"
#include "models/wire/wire.hpp"

namespace hammertime::models {

// Timer slack, through Asio's own customisation point for how long its reactor waits:
// the loop sleeps until the earliest timer is due, rounded up to a whole millisecond,
// and that one wake-up fires every timer due by then. Without it, 1M timers due about
// 1 us apart wake the loop a few at a time, and Asio re-arms its timerfd (a syscall)
// on every pass, a large share of the callbacks model's 1M-sleep profile. A timer fires
// at most 1 ms late, as in the generator loop, whose epoll_wait counts whole
// milliseconds.
struct slack_wait_traits : boost::asio::wait_traits<clock> {
  static clock::duration to_wait_duration(const clock::duration& wait) {
    if (wait <= clock::duration::zero()) return wait;
    return std::chrono::ceil<std::chrono::milliseconds>(wait);
  }
};

// The io_context's own executor, not any_io_executor: a timer is 72 bytes instead of
// 120, and every handler and coroutine frame that holds an executor shrinks alike.
using loop_executor = boost::asio::io_context::executor_type;
using asio_timer =
    boost::asio::basic_waitable_timer<clock, slack_wait_traits, loop_executor>;
using asio_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, loop_executor>;

// run_state, with the server's address as Asio's endpoint.
struct asio_run_state : run_state {
  asio_run_state(const job& work, tally& counts) : run_state(work, counts) {
    std::memcpy(server_endpoint.data(), &server.storage,
                server.length);  // AF_UNSPEC: refused
  }

  boost::asio::ip::tcp::endpoint server_endpoint;
};

// Closes a socket when its exchange runs out of time, so the read or write under way
// fails: one 72-byte timer per connection, where beast::tcp_stream would add a shared
// state holding a timer per direction.
class socket_deadline {
 public:
  socket_deadline(loop_executor loop, asio_socket& socket)
      : timer_(loop), socket_(socket) {}

  void arm(clock::duration timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([this](boost::system::error_code) {
      // A stale wake-up (cancelled, or from an earlier item) finds the expiry ahead.
      boost::system::error_code ignored;
      if (timer_.expiry() <= clock::now()) socket_.close(ignored);
    });
  }
  void cancel() { timer_.cancel(); }

 private:
  asio_timer timer_;
  asio_socket& socket_;
};

}  // namespace hammertime::models
