// hammertime-server's request parsing: the bytes a client sends, through Beast's
// request parser as a session reads them, then what the server reads of the target's
// query (servers/request_query.hpp) and the flag it would serve.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "servers/options.hpp"
#include "servers/payloads.hpp"
#include "servers/request_query.hpp"

namespace http = boost::beast::http;
using namespace hammertime::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const payloads flags;
  http::request_parser<http::empty_body> parser;
  boost::beast::error_code error;
  parser.put(boost::asio::buffer(data, size), error);
  if (error || !parser.is_header_done()) return 0;
  std::string_view target = parser.get().target();
  auto question = target.find('?');
  auto path = target.substr(0, question);
  auto query = question == std::string_view::npos ? std::string_view{}
                                                  : target.substr(question + 1);
  if (auto text = query_value(query, "delay_ms")) delay_asked(*text, max_delay);
  auto now = std::chrono::steady_clock::now();
  if (auto text = query_value(query, "sent_us"))
    queue_wait(*text, now, now - std::chrono::hours(1));
  flags.find(path);
  flags.find_metadata(path);
  return 0;
}
