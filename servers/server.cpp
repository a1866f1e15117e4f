#include "server.hpp"

#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hammertime::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

std::deque<asio::io_context> make_loops(unsigned count) {
  std::deque<asio::io_context> loops;
  for (unsigned i = 0; i < count; ++i) loops.emplace_back(1);  // 1: one thread each
  return loops;
}

// One line, without the Boost source location a system_error's what() carries.
std::string cannot_listen(const tcp::endpoint& where, const error_code& error) {
  auto address = where.address().to_string(), port = std::to_string(where.port());
  if (error == asio::error::address_in_use)
    return "port " + port + " on " + address + " is in use";
  return "cannot listen on " + address + " port " + port + ": " + error.message();
}

}  // namespace

server::server(options settings)
    : state_(std::move(settings)),
      loops_(make_loops(state_.settings.threads)),
      acceptor_(loops_.front()),
      signals_(loops_.front(), SIGINT, SIGTERM),
      accept_retry_(loops_.front()) {
  for (auto& loop : loops_) idle_loops_run_.push_back(asio::make_work_guard(loop));
  tcp::endpoint endpoint(asio::ip::make_address(state_.settings.bind),
                         state_.settings.port);
  error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw std::runtime_error(cannot_listen(endpoint, error));
  signals_.async_wait([this](error_code, int) {
    for (auto& loop : loops_) loop.stop();
  });
  do_accept();
}

void server::run() {
  std::vector<std::jthread> others;
  for (std::size_t i = 1; i < loops_.size(); ++i)
    others.emplace_back([this, i] { loops_[i].run(); });
  loops_.front().run();
}

void server::do_accept() {
  auto& loop = loops_[next_loop_++ % loops_.size()];
  acceptor_.async_accept(
      loop.get_executor(), [this](error_code error, tcp::socket socket) {
        if (!error) {
          socket.set_option(tcp::no_delay(true), error);
          auto executor = socket.get_executor();
          asio::post(executor, [this, socket = std::move(socket)]() mutable {
            std::make_shared<session>(std::move(socket), state_)->start();
          });
        } else if (int code = error.value(); code == EMFILE || code == ENFILE ||
                                             code == ENOBUFS || code == ENOMEM) {
          if (!std::exchange(warned_, true)) {
            rlimit files{};
            getrlimit(RLIMIT_NOFILE, &files);
            std::cerr << "hammertime-server: accept: " << std::strerror(code)
                      << " (open files limit " << files.rlim_cur
                      << ": raise it with ulimit -n); retrying\n";
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
