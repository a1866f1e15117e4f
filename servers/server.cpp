#include "server.hpp"

#include <sys/resource.h>

#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>
#include <vector>

namespace hammertime::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

server::server(options settings)
    : state_(std::move(settings)),
      io_(static_cast<int>(state_.settings.threads)),
      acceptor_(io_),
      signals_(io_, SIGINT, SIGTERM),
      accept_retry_(io_) {
  tcp::endpoint endpoint(asio::ip::make_address(state_.settings.bind), state_.settings.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  signals_.async_wait([this](error_code, int) { io_.stop(); });
  do_accept();
}

void server::run() {
  std::vector<std::jthread> others;
  for (unsigned i = 1; i < state_.settings.threads; ++i) others.emplace_back([this] { io_.run(); });
  io_.run();
}

void server::do_accept() {
  // One thread needs no strand; with more, each connection's handlers run in order.
  auto executor = state_.settings.threads == 1 ? asio::any_io_executor(io_.get_executor())
                                               : asio::make_strand(io_);
  acceptor_.async_accept(executor, [this](error_code error, tcp::socket socket) {
    if (!error) {
      socket.set_option(tcp::no_delay(true), error);
      std::make_shared<session>(std::move(socket), state_)->start();
    } else if (int code = error.value();
               code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM) {
      if (!std::exchange(warned_, true)) {
        rlimit files{};
        getrlimit(RLIMIT_NOFILE, &files);
        std::cerr << "hammertime-server: accept: " << std::strerror(code) << " (open files limit "
                  << files.rlim_cur << ": raise it with ulimit -n); retrying\n";
      }
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](error_code error) {
        if (!error) do_accept();
      });
      return;
    } else if (error == asio::error::operation_aborted) {
      return;
    }
    do_accept();
  });
}

}  // namespace hammertime::server
