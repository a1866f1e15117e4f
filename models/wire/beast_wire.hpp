// The event-loop family's one request and one response parser (Beast), shared by
// the callbacks, coroutines and generator loop models: a difference between them in
// the table is a difference in how they wait, not in how they speak HTTP.
#pragma once

#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "models/model.hpp"
#include "wire.hpp"

namespace hammertime::models {

namespace http = boost::beast::http;

using flag_request = http::request<http::empty_body>;

// A response body that is counted and dropped, as the blocking client's content
// receiver does: Beast still frames it (Content-Length, chunks, body_limit), but no
// model keeps a flag in memory, so memory per task is the wait's, not the payload's.
struct counted_body {
  using value_type = std::size_t;  // bytes received

  static std::uint64_t size(value_type bytes) { return bytes; }

  class reader {
   public:
    template <bool is_request, typename Fields>
    reader(http::header<is_request, Fields>&, value_type& bytes) : bytes_(bytes) {}

    void init(const boost::optional<std::uint64_t>&, boost::system::error_code& ec) {
      bytes_ = 0;
      ec = {};
    }

    template <typename ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      auto size = boost::asio::buffer_size(buffers);
      bytes_ += size;
      ec = {};
      return size;
    }

    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    value_type& bytes_;
  };
};

using flag_response_parser = http::response_parser<counted_body>;

// GET `target` over HTTP/1.1 keep-alive; make_flag_request GETs flag_target(index).
flag_request make_request(const job& work, std::string target);
flag_request make_flag_request(const job& work, std::size_t index);

// The request's bytes, for loops that write to the socket by hand.
std::string serialize(const flag_request& request);

// A parser ready for one response (body limit fits the largest flag).
void reset(flag_response_parser& parser);

// What the bytes of a response came to so far.
enum class parse_state : std::uint8_t { done, more, failed };

// Feeds `fresh` bytes to `parser`. Beast takes a header only once it is whole: what it
// leaves waits in `unparsed`, and is fed first next time (with `fresh` empty, only that).
parse_state feed(flag_response_parser& parser, std::string& unparsed,
                 std::string_view fresh);

// The connection closed: only a response without a length may end here.
parse_state feed_end(flag_response_parser& parser);

// Outcome and body bytes of a completely parsed response.
fetch_result to_fetch_result(const flag_response_parser& parser);

}  // namespace hammertime::models
