#include "beast_wire.hpp"

#include <sstream>

namespace hammertime::models {

flag_request make_flag_request(const job& work, std::size_t index) {
  return make_request(work, flag_target(index, work.delay));
}

flag_request make_request(const job& work, std::string target) {
  flag_request request{http::verb::get, target, 11};
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

parse_state feed(flag_response_parser& parser, std::string& unparsed,
                 std::string_view fresh) {
  std::string_view bytes = fresh;
  if (!unparsed.empty()) bytes = unparsed.append(fresh);
  std::size_t taken = 0;
  while (taken < bytes.size() && !parser.is_done()) {
    boost::system::error_code ec;
    auto used =
        parser.put(boost::asio::buffer(bytes.data() + taken, bytes.size() - taken), ec);
    taken += used;
    if (ec == http::error::need_more || (!ec && used == 0)) break;
    if (ec) return parse_state::failed;
  }
  if (bytes.data() == unparsed.data())
    unparsed.erase(0, taken);
  else
    unparsed.assign(bytes.substr(taken));
  return parser.is_done() ? parse_state::done : parse_state::more;
}

parse_state feed_end(flag_response_parser& parser) {
  if (!parser.got_some()) return parse_state::failed;
  boost::system::error_code ec;
  parser.put_eof(ec);
  return !ec && parser.is_done() ? parse_state::done : parse_state::failed;
}

fetch_result to_fetch_result(const flag_response_parser& parser) {
  if (!parser.is_done()) return {outcome::failed, 0};
  const auto& response = parser.get();
  return {classify(response.result_int()), response.body()};
}

}  // namespace hammertime::models
