#include "server.hpp"

#include <boost/asio/post.hpp>
#include <thread>
#include <vector>

#include "listening.hpp"

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

}  // namespace

server::server(options settings)
    : state_(std::move(settings)),
      loops_(make_loops(state_.settings.threads)),
      acceptor_(loops_.front()),
      signals_(loops_.front(), SIGINT, SIGTERM),
      accept_retry_(loops_.front()) {
  for (auto& loop : loops_) idle_loops_run_.push_back(asio::make_work_guard(loop));
  open_acceptor(acceptor_,
                {asio::ip::make_address(state_.settings.bind), state_.settings.port});
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
        } else if (out_of_descriptors(error, "hammertime-server", warned_)) {
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
