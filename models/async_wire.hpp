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
using flag_response_parser = http::response_parser<http::string_body>;

// GET flag_target(index) over HTTP/1.1 keep-alive.
flag_request make_flag_request(const job& work, std::size_t index);

// The request's bytes, for loops that write to the socket by hand.
std::string serialize(const flag_request& request);

// A parser ready for one response (body limit fits the largest flag).
void reset(flag_response_parser& parser);

// Outcome and body bytes of a completely parsed response.
fetch_result to_fetch_result(const flag_response_parser& parser);

}  // namespace hammertime::models
