// The event-loop family's one request and one response parser (Beast), shared by
// the callbacks, coroutines and generator loop models: a difference between them in
// the table is a difference in how they wait, not in how they speak HTTP.
#pragma once

#include <boost/beast/http.hpp>
#include <string>

#include "model.hpp"
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

// GET flag_target(index) over HTTP/1.1 keep-alive.
flag_request make_flag_request(const job& work, std::size_t index);

// The request's bytes, for loops that write to the socket by hand.
std::string serialize(const flag_request& request);

// A parser ready for one response (body limit fits the largest flag).
void reset(flag_response_parser& parser);

// Outcome and body bytes of a completely parsed response.
fetch_result to_fetch_result(const flag_response_parser& parser);

}  // namespace hammertime::models
