#include "session.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

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
// Requests pipelined behind one that waits its delay are kept, up to this much; more is
// a flood, not a client, and drops the connection.
constexpr std::size_t max_pipelined_bytes = 64 * 1024;
// A whole request line and header, as clients send them, in the first read.
constexpr std::size_t first_read_bytes = 2048;

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

void session::do_read() {
  parser_.emplace();
  if (buffer_.size() > 0) return read_request();  // a pipelined one has begun
  // The first bytes come under the idle timeout, read straight into the buffer. Not an
  // async_wait(wait_read) first: Asio re-arms the descriptor in epoll for every wait
  // (one epoll_ctl a request), where a read it already knows would block only queues.
  start_watchdog(state_.settings.idle_timeout);
  socket_.async_read_some(
      buffer_.prepare(first_read_bytes),
      [self = shared_from_this()](error_code error, std::size_t bytes) {
        self->buffer_.commit(bytes);
        if (error == asio::error::eof) return self->on_read(http::error::end_of_stream);
        if (!error) self->read_request();
      });
}

void session::read_request() {
  start_watchdog(state_.settings.header_timeout);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](error_code error, std::size_t) {
                     self->on_read(error);
                   });
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
void session::on_read(error_code error) {
  watchdog_.cancel();
  if (error == http::error::end_of_stream) {
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, error);
    return;
  }
  if (error) return;
  const auto& request = parser_->get();
  keep_alive_ = request.keep_alive();
  version_ = request.version();
  prepare(request.target(), request.method());
  if (fault_ == fault::stall) return hold();
  if (deadline_ <= clock::now()) return respond();
  wait_delay();
}

// The delay runs on a timer while a read watches the client: one that leaves mid-delay
// frees its descriptor at once instead of at the deadline.
void session::wait_delay() {
  delay_over_ = false;
  timer_.expires_at(deadline_);
  timer_.async_wait([self = shared_from_this()](error_code error) {
    if (error) return;
    self->delay_over_ = true;
    self->socket_.cancel(error);  // ends watch_peer's read, which then answers
  });
  watch_peer();
}
// end::delay[]

void session::watch_peer() {
  if (buffer_.size() >= max_pipelined_bytes) return drop();
  socket_.async_read_some(
      buffer_.prepare(1024),
      [self = shared_from_this()](error_code error, std::size_t bytes) {
        self->buffer_.commit(bytes);
        if (self->delay_over_) return self->respond();
        if (error) return self->drop();  // the client closed or reset the connection
        self->watch_peer();  // a pipelined request, read by do_read after this answer
      });
}

void session::drop() {
  error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
}

// Decides status, body, deadline and fault for the request just read.
void session::prepare(std::string_view target, http::verb method) {
  auto question = target.find('?');
  auto path = target.substr(0, question);
  auto query = question == std::string_view::npos ? std::string_view{}
                                                  : target.substr(question + 1);
  const auto& settings = state_.settings;
  auto now = clock::now();
  content_type_ = "text/plain";
  fault_ = fault::none;
  counted_ = path != "/stats" && path != "/stats/reset";
  if (!counted_) return prepare_stats(path, query, method);

  auto request = state_.requests.fetch_add(1, std::memory_order_relaxed);
  auto delay = settings.delay.low;
  if (settings.delay.high > settings.delay.low)
    delay += std::chrono::microseconds(
        static_cast<std::int64_t>(uniform(settings.seed, request, 0) *
                                  (settings.delay.high - settings.delay.low).count()));
  bool bad_delay = false;
  if (auto text = query_value(query, "delay_ms")) {
    auto asked = delay_asked(*text, max_delay);
    bad_delay = !asked;
    if (asked) delay = *asked;
  }
  deadline_ = now + delay;
  if (auto text = query_value(query, "sent_us"))
    if (auto waited = queue_wait(*text, now, state_.counters.counting_since()))
      state_.counters.queued(*waited);

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
  fault_ = pick_fault(settings.faults, uniform(settings.seed, request, 1));
  if (fault_ == fault::error)
    status_ = 503, content_type_ = "text/plain", body_ = unavailable_body;
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
                        if (error) return;
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
                      if (!error) self->on_body_sent();
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
      if (error) return;
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
    do_read();
  }
}

// A stalled request: never answered; the connection stays open, its input read and
// dropped, until the client gives up or the server stops.
void session::hold() {
  if (counted_) state_.counters.injected(fault::stall), counted_ = false;
  socket_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](error_code error, std::size_t) {
                            if (!error) self->hold();
                          });
}

}  // namespace hammertime::server
