// One client connection: read requests, a few ahead, and answer them in order: each
// waits its delay on a timer (never a blocked thread) while the reader watches that the
// client is still there, then is answered — or gets the fault it drew. A connection
// that idles, or is slow to send a request header, is closed.
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
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "faults.hpp"
#include "options.hpp"
#include "payloads.hpp"
#include "stats.hpp"

namespace hammertime::server {

// The requests a connection holds read and not yet answered, the one being answered
// among them. Past it the session leaves what a client pipelines in the socket: the
// kernel's receive buffer, then TCP's flow control, hold the client back, and the
// server keeps these few requests and one read's bytes.
inline constexpr std::size_t most_requests_held = 4;

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
  void start();

 private:
  using clock = std::chrono::steady_clock;

  // A request read and not yet taken up.
  struct request_read {
    std::string target;
    boost::beast::http::verb method;
    unsigned version;
    bool keep_alive;
    clock::time_point arrived;  // the kernel's stamp on the bytes that completed it
  };
  enum class answer_phase { none, waiting, writing };  // waiting: its delay, or a stall

  // Reading.
  std::size_t requests_held() const;
  void read_more();
  void on_readable(boost::system::error_code error);
  void take_requests();
  void keep(const boost::beast::http::request<boost::beast::http::empty_body>& request);
  void on_read_end(boost::system::error_code error);
  void watch_idle();
  void start_watchdog(clock::duration timeout);

  // Answering.
  void answer_next();
  void prepare(const request_read& request);
  void record_queue(clock::time_point arrived, clock::time_point now,
                    std::string_view query);
  void prepare_stats(std::string_view path, std::string_view query,
                     boost::beast::http::verb method);
  void wait_delay();
  void respond();
  void do_trickle();
  void on_body_sent();
  void stall();
  void finish();
  void drop();

  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;  // read, not yet parsed
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>>
      parser_;
  std::deque<request_read> read_ahead_;
  boost::asio::steady_timer timer_;     // the delay, the slow body
  boost::asio::steady_timer watchdog_;  // the idle and header timeouts, a stuck write
  shared_state& state_;

  // The reader.
  char peeked_ = 0;
  bool reading_ = false;
  bool taking_requests_ = true;  // false past a last request or a stall: input dropped
  bool peer_done_ = false;       // it sent its last request, or closed, or sent no HTTP
  bool header_clock_running_ = false;
  clock::time_point arrived_;  // the last read's

  // The answer under way.
  answer_phase phase_ = answer_phase::none;
  unsigned status_ = 200;
  std::string_view content_type_;
  std::string_view allow_;  // the methods a 405 names
  std::string_view body_;
  std::size_t body_to_send_ = 0;  // less than body_.size() for reset and truncate
  std::size_t sent_ = 0;
  fault fault_ = fault::none;
  bool counted_ = true;  // false for /stats and /stats/reset
  bool keep_alive_ = true;
  unsigned version_ = 11;
  clock::time_point deadline_, body_started_;
  std::string head_, stats_json_;
};

}  // namespace hammertime::server
