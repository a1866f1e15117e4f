#include "server.hpp"

#include <boost/asio/post.hpp>
#include <thread>
#include <vector>

#include "arrival_stamp.hpp"
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
      accepting_(
          acceptor_, "hammertime-server", [this] { return next_loop(); },
          [this](tcp::socket socket) { start_session(std::move(socket)); }) {
  for (auto& loop : loops_) idle_loops_run_.push_back(asio::make_work_guard(loop));
  open_acceptor(acceptor_,
                {asio::ip::make_address(state_.settings.bind), state_.settings.port});
  // Its connections inherit the kernel's arrival stamps, from their first byte: a
  // request's own queue includes its wait to be accepted.
  stamp_arrivals(acceptor_.native_handle());
  signals_.async_wait([this](error_code, int) {
    for (auto& loop : loops_) loop.stop();
  });
  accepting_.start();
}

void server::run() {
  std::vector<std::jthread> others;
  for (std::size_t i = 1; i < loops_.size(); ++i)
    others.emplace_back([this, i] { loops_[i].run(); });
  loops_.front().run();
}

// Connections go to the loops in turn.
asio::any_io_executor server::next_loop() {
  return loops_[next_loop_++ % loops_.size()].get_executor();
}

// The session starts on its socket's own loop.
void server::start_session(tcp::socket socket) {
  auto executor = socket.get_executor();
  asio::post(executor, [this, socket = std::move(socket)]() mutable {
    std::make_shared<session>(std::move(socket), state_)->start();
  });
}

}  // namespace hammertime::server
