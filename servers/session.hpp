// One client connection: read a request, wait its delay on a timer (never a blocked
// thread) while watching that the client is still there, answer — or inject the fault
// this request drew — and read the next one. A connection that idles, or is slow to
// send a request header, is closed.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "faults.hpp"
#include "options.hpp"
#include "payloads.hpp"
#include "stats.hpp"

namespace hammertime::server {

// What every connection shares: settings, payloads, counters.
struct shared_state {
  explicit shared_state(options chosen) : settings(std::move(chosen)) {}
  const options settings;
  const payloads flags;
  stats counters;
  std::atomic<std::uint64_t> requests{0};  // numbers the draws, see random.hpp
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(boost::asio::ip::tcp::socket socket, shared_state& state);
  ~session();
  void start() { do_read(); }

 private:
  using clock = std::chrono::steady_clock;

  void do_read();
  void read_request();
  void on_read(boost::system::error_code error);
  void start_watchdog(clock::duration timeout);
  void prepare(std::string_view target, boost::beast::http::verb method);
  void prepare_stats(std::string_view path, std::string_view query,
                     boost::beast::http::verb method);
  void wait_delay();
  void watch_peer();
  void drop();
  void respond();
  void do_trickle();
  void on_body_sent();
  void hold();

  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>>
      parser_;
  boost::asio::steady_timer timer_;     // the delay, the slow body
  boost::asio::steady_timer watchdog_;  // the idle and header timeouts
  shared_state& state_;

  // The answer under way.
  unsigned status_ = 200;
  std::string_view content_type_;
  std::string_view allow_;  // the methods a 405 names
  std::string_view body_;
  std::size_t body_to_send_ = 0;  // less than body_.size() for reset and truncate
  std::size_t sent_ = 0;
  fault fault_ = fault::none;
  bool counted_ = true;  // false for /stats and /stats/reset
  bool keep_alive_ = true;
  bool delay_over_ = false;
  unsigned version_ = 11;
  clock::time_point deadline_, body_started_;
  std::string head_, stats_json_;
  std::array<char, 512> discard_;
};

}  // namespace hammertime::server
