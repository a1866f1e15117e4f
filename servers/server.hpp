// hammertime-server: one acceptor, N threads running one io_context, a session per
// connection, and a signal_set that stops it all on SIGINT or SIGTERM.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "options.hpp"
#include "session.hpp"

namespace hammertime::server {

class server {
 public:
  explicit server(options settings);  // binds and listens; throws system_error

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  // Serves until SIGINT or SIGTERM.
  void run();

 private:
  void do_accept();

  shared_state state_;  // outlives io_, whose destruction ends the sessions
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer accept_retry_;
  bool warned_ = false;
};

}  // namespace hammertime::server
