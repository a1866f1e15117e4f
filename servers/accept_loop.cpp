#include "accept_loop.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <utility>

namespace hammertime::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// True when an accept failed for want of file descriptors or memory, which passes.
// The first time, says so on stderr with the open files limit.
bool out_of_descriptors(const error_code& error, const std::string& program,
                        bool& warned) {
  int code = error.value();
  if (code != EMFILE && code != ENFILE && code != ENOBUFS && code != ENOMEM) return false;
  if (!std::exchange(warned, true)) {
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    std::cerr << program << ": accept: " << std::strerror(code) << " (open files limit "
              << files.rlim_cur << ": raise it with ulimit -n); retrying\n";
  }
  return true;
}

}  // namespace

accept_loop::accept_loop(tcp::acceptor& acceptor, std::string program,
                         executor_picker next_executor, connection_handler on_connection)
    : acceptor_(acceptor),
      program_(std::move(program)),
      next_executor_(std::move(next_executor)),
      on_connection_(std::move(on_connection)),
      retry_(acceptor.get_executor()) {}

void accept_loop::do_accept() {
  acceptor_.async_accept(next_executor_(), [this](error_code error, tcp::socket socket) {
    if (!error) {
      socket.set_option(tcp::no_delay(true), error);
      on_connection_(std::move(socket));
    } else if (out_of_descriptors(error, program_, warned_)) {
      return retry_later();
    } else if (error == asio::error::operation_aborted) {
      return;
    }
    do_accept();
  });
}

void accept_loop::retry_later() {
  retry_.expires_after(std::chrono::milliseconds(50));
  retry_.async_wait([this](error_code error) {
    if (!error) do_accept();
  });
}

}  // namespace hammertime::server
