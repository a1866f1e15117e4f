#include "session.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

#include "arrival_stamp.hpp"
#include "common/flags_table.hpp"
#include "random.hpp"
#include "request_query.hpp"

namespace hammertime::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr std::string_view unavailable_body = "service unavailable\n";
constexpr std::string_view bad_delay_body = "delay_ms must be a whole number 0..600000\n";
static_assert(max_delay == std::chrono::milliseconds(600000));
constexpr std::string_view not_allowed_body = "only GET\n";
constexpr std::string_view reset_needs_post_body =
    "the counters are reset by POST /stats/reset, never by a GET\n";
// One read from the socket: a whole request line and header, as clients send them.
constexpr std::size_t read_bytes = 2048;

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool is_stats_path(std::string_view path) {
  return path == "/stats" || path == "/stats/reset";
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

}  // namespace

session::session(asio::ip::tcp::socket socket, shared_state& state)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      watchdog_(socket_.get_executor()),
      state_(state) {
  state_.counters.connection_opened();
}

session::~session() { state_.counters.connection_closed(); }

void session::start() {
  watch_idle();
  read_more();
}

std::size_t session::requests_held() const {
  return read_ahead_.size() + (phase_ == answer_phase::none ? 0 : 1);
}

// tag::read[]
// Reads while the session holds fewer than most_requests_held requests. It waits for
// bytes with a peek, which Asio queues without re-arming epoll (an async_wait(wait_read)
// costs an epoll_ctl a request), then reads them with the kernel's arrival stamp.
void session::read_more() {
  if (reading_ || peer_done_ || !socket_.is_open()) return;
  if (requests_held() >= most_requests_held) return;  // the rest waits in the socket
  reading_ = true;
  socket_.async_receive(asio::buffer(&peeked_, 1), asio::socket_base::message_peek,
                        [self = shared_from_this()](error_code error, std::size_t) {
                          self->on_readable(error);
                        });
}

void session::on_readable(error_code error) {
  reading_ = false;
  if (!error) {
    auto got = read_with_arrival(socket_, buffer_.prepare(read_bytes), arrived_, error);
    buffer_.commit(got);
  }
  if (error == asio::error::would_block) return read_more();
  if (error) return on_read_end(error);
  take_requests();
  if (phase_ == answer_phase::none) answer_next();
  read_more();
}
// end::read[]

// Parses what was read into requests while there is room for them.
void session::take_requests() {
  if (!taking_requests_) return buffer_.consume(buffer_.size());
  while (buffer_.size() > 0 && requests_held() < most_requests_held) {
    if (!parser_) parser_.emplace();
    error_code error;
    buffer_.consume(parser_->put(buffer_.data(), error));
    if (error == http::error::need_more) return;
    if (error) {  // not HTTP: what came before it is answered, then the connection closes
      peer_done_ = true, taking_requests_ = false;
      return buffer_.consume(buffer_.size());
    }
    if (!parser_->is_done()) continue;
    keep(parser_->get());
    parser_.reset();
  }
}

void session::keep(const http::request<http::empty_body>& request) {
  read_ahead_.push_back({.target = std::string(request.target()),
                         .method = request.method(),
                         .version = request.version(),
                         .keep_alive = request.keep_alive(),
                         .arrived = arrived_});
  if (!is_stats_path(path_of(request.target()))) state_.counters.read_request();
  if (!request.keep_alive()) taking_requests_ = false;  // its last
}

// The client closed, reset or timed out. One that leaves while its answer waits (its
// delay, a stall) frees its descriptor at once; after an orderly close, what it asked
// before is still answered.
void session::on_read_end(error_code error) {
  if (error != asio::error::eof || phase_ == answer_phase::waiting) return drop();
  peer_done_ = true;
  if (phase_ == answer_phase::none) answer_next();
}

// Between requests: a client that sends nothing goes after the idle timeout, one that
// has begun a request must finish its header within the header timeout.
void session::watch_idle() {
  if (buffer_.size() == 0) {
    header_clock_running_ = false;
    return start_watchdog(state_.settings.idle_timeout);
  }
  if (!std::exchange(header_clock_running_, true))
    start_watchdog(state_.settings.header_timeout);
}

// Closes the connection unless the next step comes within timeout. It holds the
// session weakly: a connection that ends otherwise goes at once.
void session::start_watchdog(clock::duration timeout) {
  watchdog_.expires_after(timeout);
  watchdog_.async_wait([weak = weak_from_this()](error_code error) {
    if (auto self = weak.lock(); self && !error) self->socket_.close(error);
  });
}

// tag::delay[]
void session::answer_next() {
  if (!socket_.is_open()) return;
  if (read_ahead_.empty()) {
    phase_ = answer_phase::none;
    return peer_done_ ? finish() : watch_idle();
  }
  watchdog_.cancel();
  header_clock_running_ = false;
  phase_ = answer_phase::waiting;
  auto request = std::move(read_ahead_.front());
  read_ahead_.pop_front();
  keep_alive_ = request.keep_alive;
  version_ = request.version;
  prepare(request);
  if (fault_ == fault::stall) return stall();
  if (deadline_ <= clock::now()) return respond();
  wait_delay();
}

// The delay runs on a timer while the reader watches the client: one that leaves
// mid-delay frees its descriptor at once instead of at the deadline.
void session::wait_delay() {
  timer_.expires_at(deadline_);
  timer_.async_wait([self = shared_from_this()](error_code error) {
    if (!error) self->respond();
  });
}
// end::delay[]

void session::drop() {
  error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
}

// The client sent its last request and has every answer: an orderly close.
void session::finish() {
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

// Decides status, body, deadline and fault for the request taken up.
void session::prepare(const request_read& request) {
  std::string_view target = request.target;
  auto method = request.method;
  auto question = target.find('?');
  auto path = path_of(target);
  auto query = question == std::string_view::npos ? std::string_view{}
                                                  : target.substr(question + 1);
  const auto& settings = state_.settings;
  auto now = clock::now();
  content_type_ = "text/plain";
  fault_ = fault::none;
  counted_ = !is_stats_path(path);
  if (!counted_) return prepare_stats(path, query, method);

  auto draw = state_.requests.fetch_add(1, std::memory_order_relaxed);
  auto delay = settings.delay.low;
  if (settings.delay.high > settings.delay.low)
    delay += std::chrono::microseconds(
        static_cast<std::int64_t>(uniform(settings.seed, draw, 0) *
                                  (settings.delay.high - settings.delay.low).count()));
  bool bad_delay = false;
  if (auto text = query_value(query, "delay_ms")) {
    auto asked = delay_asked(*text, max_delay);
    bad_delay = !asked;
    if (asked) delay = *asked;
  }
  deadline_ = now + delay;
  record_queue(request.arrived, now, query);

  if (method != http::verb::get) {
    status_ = 405, body_ = not_allowed_body, allow_ = "GET";
  } else if (bad_delay) {
    status_ = 400, body_ = bad_delay_body, deadline_ = now;
  } else if (const std::string* flag = state_.flags.find(path)) {
    status_ = 200, content_type_ = "image/gif", body_ = *flag;
  } else if (const std::string* metadata = state_.flags.find_metadata(path)) {
    status_ = 200, content_type_ = "application/json", body_ = *metadata;
  } else {
    status_ = 404, body_ = common::not_found_body;
  }
  fault_ = pick_fault(settings.faults, uniform(settings.seed, draw, 1));
  if (fault_ == fault::error)
    status_ = 503, content_type_ = "text/plain", body_ = unavailable_body;
}

// A request's wait before it was taken up `now`, in two parts: the server's own since
// the kernel received it and, when the client stamped its send, the client's before.
void session::record_queue(clock::time_point arrived, clock::time_point now,
                           std::string_view query) {
  auto own_queue = std::max(now - arrived, clock::duration::zero());
  state_.counters.record_own_queue(own_queue);
  auto text = query_value(query, "sent_us");
  if (!text) return;
  if (auto since_sent = queue_wait(*text, now, state_.counters.counting_since()))
    state_.counters.record_client_send_wait(*since_sent - own_queue);
}

// GET /stats reads the counters, POST /stats/reset reads and zeroes them: a GET, which
// anything on the machine may send (a browser's prefetch, a crawler), never resets them.
void session::prepare_stats(std::string_view path, std::string_view query,
                            http::verb method) {
  deadline_ = clock::now();
  state_.counters.stats_asked();
  bool reset = path == "/stats/reset";
  if (method != (reset ? http::verb::post : http::verb::get)) {
    status_ = 405, body_ = reset ? reset_needs_post_body : not_allowed_body;
    allow_ = reset ? "POST" : "GET";
  } else if (!reset && query_value(query, "reset")) {
    status_ = 405, body_ = reset_needs_post_body, allow_ = "POST";
  } else {
    stats_json_ = state_.counters.to_json(reset);
    status_ = 200, content_type_ = "application/json", body_ = stats_json_;
  }
}

// tag::respond[]
void session::respond() {
  phase_ = answer_phase::writing;
  auto now = clock::now();
  if (counted_) {
    state_.counters.answered(status_, now - deadline_);  // lateness
    if (fault_ != fault::none) state_.counters.injected(fault_);
  }
  bool cut = fault_ == fault::reset || fault_ == fault::truncate;
  body_to_send_ = cut ? body_.size() / 2 : body_.size();
  sent_ = 0;

  head_.assign("HTTP/1.1 ");
  append_number(head_, status_);
  head_ += ' ';
  head_ += http::obsolete_reason(static_cast<http::status>(status_));
  head_ += "\r\nServer: hammertime\r\nContent-Type: ";
  head_ += content_type_;
  head_ += "\r\nContent-Length: ";
  append_number(head_, body_.size());
  if (status_ == 405) {
    head_ += "\r\nAllow: ";
    head_ += allow_;
  }
  if (!keep_alive_)
    head_ += "\r\nConnection: close";
  else if (version_ == 10)
    head_ += "\r\nConnection: keep-alive";
  head_ += "\r\n\r\n";

  bool slow = counted_ && state_.settings.slow_body_bytes_per_second > 0;
  if (slow) {
    state_.counters.slowed();
    start_watchdog(state_.settings.idle_timeout);
    asio::async_write(socket_, asio::buffer(head_),
                      [self = shared_from_this()](error_code error, std::size_t) {
                        self->watchdog_.cancel();
                        if (error) return self->drop();
                        self->body_started_ = clock::now();
                        self->do_trickle();
                      });
    return;
  }
  std::array<asio::const_buffer, 2> whole{asio::buffer(head_),
                                          asio::buffer(body_.data(), body_to_send_)};
  start_watchdog(state_.settings.idle_timeout);  // a client that never reads is dropped
  asio::async_write(socket_, whole,
                    [self = shared_from_this()](error_code error, std::size_t) {
                      self->watchdog_.cancel();
                      if (error) return self->drop();
                      self->on_body_sent();
                    });
}
// end::respond[]

// The body at --slow-body bytes per second: 20 chunks a second, each sent when its
// last byte is due, so the whole body takes about size / rate.
void session::do_trickle() {
  if (sent_ == body_to_send_) return on_body_sent();
  auto rate = state_.settings.slow_body_bytes_per_second;
  auto chunk =
      std::min<std::size_t>(std::max<std::uint64_t>(1, rate / 20), body_to_send_ - sent_);
  timer_.expires_at(
      body_started_ +
      std::chrono::nanoseconds((sent_ + chunk) * std::uint64_t{1'000'000'000} / rate));
  timer_.async_wait([self = shared_from_this(), chunk](error_code error) {
    if (error) return;
    auto bytes = asio::buffer(self->body_.data() + self->sent_, chunk);
    self->start_watchdog(self->state_.settings.idle_timeout);
    asio::async_write(self->socket_, bytes, [self, chunk](error_code error, std::size_t) {
      self->watchdog_.cancel();
      if (error) return self->drop();
      self->sent_ += chunk;
      self->do_trickle();
    });
  });
}

void session::on_body_sent() {
  error_code ignored;
  if (fault_ == fault::reset) {
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);  // close sends RST
    socket_.close(ignored);
  } else if (fault_ == fault::truncate || !keep_alive_) {
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  } else {
    phase_ = answer_phase::none;
    take_requests();
    answer_next();
    read_more();
  }
}

// A stalled request: never answered; the connection stays open, its input read and
// dropped, until the client gives up or the server stops.
void session::stall() {
  if (counted_) state_.counters.injected(fault::stall), counted_ = false;
  read_ahead_.clear();
  taking_requests_ = false;
  take_requests();
  read_more();
}

}  // namespace hammertime::server
