// A non-blocking TCP client socket for the generator loop's tasks. Each call does
// what it can without blocking and says whether it is done, must be tried again once
// the socket is ready (the task co_yields a wait), or failed:
//
//   io state = socket.connect(server);
//   while (state == io::again) {
//     co_yield on.writable(socket.fd());
//     state = on.timed_out() ? io::failed : socket.connect(server);
//   }
//
// The response bytes go into the event-loop family's one parser (beast_wire.hpp).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "beast_wire.hpp"
#include "wire.hpp"

namespace hammertime::models {

enum class io : std::uint8_t { done, again, failed };

class nonblocking_socket {
 public:
  nonblocking_socket() = default;
  ~nonblocking_socket() { close(); }
  nonblocking_socket(const nonblocking_socket&) = delete;
  nonblocking_socket& operator=(const nonblocking_socket&) = delete;

  int fd() const noexcept { return fd_; }

  // Opens the socket if need be and connects it; done at once if it already is.
  // Throws machine_limit when the open files or the ephemeral ports run out.
  io connect(const socket_address& server);
  // Writes the front of `unsent` and drops what went out; done when nothing is left.
  io write(std::string_view& unsent);
  // Reads what has arrived and feeds it to `parser`; done when the response is whole.
  io read(flag_response_parser& parser);
  // The same through `scratch`, a buffer the caller's tasks share, instead of 32 KiB on
  // the stack: a fiber's own stack would keep those pages, one set per fiber.
  io read(flag_response_parser& parser, std::span<char> scratch);
  // read() right after a request went out, without the recv that would find nothing
  // (the answer is a round trip away): again at once, unless bytes already read hold it.
  io answer_after_request(flag_response_parser& parser) {
    return unparsed_.empty() ? io::again : feed(parser, {});
  }
  void close() noexcept;

 private:
  io ask_connect(const socket_address& server);
  io feed(flag_response_parser& parser, std::string_view fresh);

  int fd_ = -1;
  bool connected_ = false;
  std::string unparsed_;  // read, but not yet taken by the parser (a partial header)
};

}  // namespace hammertime::models
