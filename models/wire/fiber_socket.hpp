// The fibers model's socket: a nonblocking_socket whose calls look blocking to the
// fiber that makes them. A call that would block parks the fiber on its loop until the
// socket is ready, then tries again; once the deadline has passed the call fails.
//
//   fiber_socket socket(loop);
//   socket.set_deadline(clock::now() + 5s);
//   bool ok = socket.connect(server) && socket.write(request) && socket.read(parser);
#pragma once

#include <string_view>

#include "models/loops/fiber_loop.hpp"
#include "nonblocking_socket.hpp"

namespace hammertime::models {

class fiber_socket {
 public:
  explicit fiber_socket(fiber_loop& loop) noexcept : loop_(loop) {}

  void set_deadline(clock::time_point deadline) noexcept { deadline_ = deadline; }

  bool connect(const socket_address& server) {
    return finish(socket_.connect(server), wait::fd_interest::writable,
                  [&] { return socket_.connect(server); });
  }
  bool write(std::string_view bytes) {
    return finish(socket_.write(bytes), wait::fd_interest::writable,
                  [&] { return socket_.write(bytes); });
  }
  // The answer to the request just written: it waits first, then reads.
  bool read(flag_response_parser& parser) {
    return finish(socket_.answer_after_request(parser), wait::fd_interest::readable,
                  [&] { return socket_.read(parser, loop_.scratch()); });
  }
  void close() noexcept { socket_.close(); }

 private:
  template <typename Retry>
  bool finish(io state, wait::fd_interest ready_for, Retry retry) {
    while (state == io::again) {
      auto on = wait::until(deadline_);
      on = ready_for == wait::fd_interest::readable ? on.readable(socket_.fd())
                                                    : on.writable(socket_.fd());
      state = loop_.park(on) ? retry() : io::failed;
    }
    return state == io::done;
  }

  fiber_loop& loop_;
  nonblocking_socket socket_;
  clock::time_point deadline_ = clock::time_point::max();
};

}  // namespace hammertime::models
