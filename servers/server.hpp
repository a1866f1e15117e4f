// hammertime-server: one acceptor handing connections in turn to N event loops (one
// io_context per thread, so a connection never needs a lock or a strand), a session
// per connection, and a signal_set that stops it all on SIGINT or SIGTERM.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <deque>
#include <vector>

#include "accept_loop.hpp"
#include "options.hpp"
#include "session.hpp"

namespace hammertime::server {

class server {
 public:
  // Binds and listens; throws runtime_error with one line ("port 8001 on 127.0.0.1 is
  // in use") when it cannot.
  explicit server(options settings);

  boost::asio::ip::tcp::endpoint local_endpoint() const {
    return acceptor_.local_endpoint();
  }

  // Serves until SIGINT or SIGTERM.
  void run();

 private:
  boost::asio::any_io_executor next_loop();
  void start_session(boost::asio::ip::tcp::socket socket);

  using work_guard =
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  shared_state state_;  // outlives loops_, whose destruction ends the sessions
  std::deque<boost::asio::io_context> loops_;  // one per thread; loops_[0] accepts
  std::vector<work_guard> idle_loops_run_;
  std::size_t next_loop_ = 0;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::signal_set signals_;
  accept_loop accepting_;
};

}  // namespace hammertime::server
