#include "async_wire.hpp"

#include <sstream>

namespace hammertime::models {

flag_request make_flag_request(const job& work, std::size_t index) {
  flag_request request{http::verb::get, flag_target(index, work.delay), 11};
  request.set(http::field::host, work.host);
  request.set(http::field::user_agent, "hammertime");
  request.keep_alive(true);
  return request;
}

std::string serialize(const flag_request& request) {
  std::ostringstream bytes;
  bytes << request;
  return std::move(bytes).str();
}

void reset(flag_response_parser& parser) {
  parser.~flag_response_parser();
  new (&parser) flag_response_parser();
  parser.body_limit(1 << 20);
}

fetch_result to_fetch_result(const flag_response_parser& parser) {
  if (!parser.is_done()) return {outcome::failed, 0};
  const auto& response = parser.get();
  return {classify(response.result_int()), response.body()};
}

}  // namespace hammertime::models
