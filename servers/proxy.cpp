#include "proxy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <deque>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>

#include "arrival_stamp.hpp"
#include "listening.hpp"
#include "stats_json.hpp"

namespace hammertime::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_size = 64 * 1024;
constexpr std::uint64_t most_held_by_default = std::uint64_t{1} << 30;

// --hold-total's default: an eighth of the machine's memory, at most 1 GiB.
std::uint64_t hold_total_default() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  while (meminfo >> key >> kib)
    if (key == "MemTotal:") return std::min(most_held_by_default, kib * 1024 / 8);
  return most_held_by_default;
}

struct held_chunk {
  clock::time_point due;
  std::vector<char> bytes;  // empty: the source closed here
  bool reset = false;       // it closed with an error, not an orderly end
};

// One client connection and its upstream connection: two one-way pipes that hold bytes.
class link : public std::enable_shared_from_this<link> {
 public:
  link(tcp::socket client, const proxy_options& settings, proxy_counters& counters,
       hold_budget& budget, std::vector<char>& read_buffer)
      : client_(std::move(client)),
        upstream_(client_.get_executor()),
        to_upstream_(client_, upstream_, counters.bytes_to_upstream),
        to_client_(upstream_, client_, counters.bytes_to_client),
        settings_(settings),
        counters_(counters),
        budget_(budget),
        read_buffer_(read_buffer) {
    counters_.accepted++;
    counters_.max_open = std::max(counters_.max_open, ++counters_.open);
  }
  ~link() {  // quietly: the loop may be going away with it
    counters_.open--;
    budget_.held -=
        std::min(budget_.held, to_upstream_.held_bytes + to_client_.held_bytes);
  }

  void start(const std::vector<tcp::endpoint>& upstream) {
    error_code ignored;
    client_.non_blocking(true, ignored);
    // A chunk's delay runs from its arrival, not from when this loop got to it, so a
    // proxy that stalls shows its stall as lateness.
    stamp_arrivals(client_.native_handle());
    do_read(to_upstream_);  // what the client sends is held while the upstream connects
    asio::async_connect(
        upstream_, upstream,
        [self = shared_from_this()](error_code error, const tcp::endpoint&) {
          self->on_connected(error);
        });
  }

 private:
  struct one_way {
    one_way(tcp::socket& source, tcp::socket& sink, std::uint64_t& forwarded)
        : from(source),
          to(sink),
          forwarded_bytes(forwarded),
          timer(source.get_executor()),
          stall(source.get_executor()) {}
    tcp::socket& from;
    tcp::socket& to;
    std::uint64_t& forwarded_bytes;
    asio::steady_timer timer;
    asio::steady_timer stall;     // the write under way, against --idle-timeout
    std::deque<held_chunk> held;  // in arrival order; due times only grow
    std::size_t held_bytes = 0;
    bool reading = false, source_closed = false, waiting = false, writing = false;
    bool delivered_close = false;
  };

  void on_connected(const error_code& error) {
    if (closed_) return;
    if (error) {  // the client learns it as a reset, as it would without the proxy
      counters_.upstream_failures++;
      return close_both(true);
    }
    error_code ignored;
    upstream_.set_option(tcp::no_delay(true), ignored);
    upstream_.non_blocking(true, ignored);
    stamp_arrivals(upstream_.native_handle());
    connected_ = true;
    do_read(to_client_);
    schedule(to_upstream_);
  }

  // 1. Wait until the source has bytes, 2. take what is there, stamped with its due time.
  void do_read(one_way& way) {
    if (closed_ || way.reading || way.source_closed ||
        way.held_bytes >= settings_.hold_per_link)
      return;
    if (budget_.full()) {  // resumed by the write that makes room
      budget_.paused.push_back([weak = weak_from_this(), &way] {
        if (auto self = weak.lock()) self->do_read(way);
      });
      return;
    }
    way.reading = true;
    way.from.async_wait(tcp::socket::wait_read,
                        [self = shared_from_this(), &way](error_code error) {
                          way.reading = false;
                          if (!self->closed_) self->on_readable(way, error);
                        });
  }

  void on_readable(one_way& way, error_code error) {
    if (!error && budget_.full()) return do_read(way);  // filled while this one waited
    std::size_t got = 0;
    auto arrived = clock::now();
    if (!error)
      got = read_with_arrival(way.from, asio::buffer(read_buffer_), arrived, error);
    if (error == asio::error::would_block) return do_read(way);
    auto due = arrived + settings_.latency;
    if (got > 0) {
      way.held.push_back({due, {read_buffer_.data(), read_buffer_.data() + got}});
      way.held_bytes += got;
      budget_.take(got);
    }
    if (error) {
      way.source_closed = true;
      way.held.push_back({due, {}, error != asio::error::eof});
    }
    schedule(way);
    do_read(way);
  }

  // The front chunk goes out when it is due, once the one before it is written.
  void schedule(one_way& way) {
    if (closed_ || !connected_ || way.waiting || way.writing || way.held.empty()) return;
    way.waiting = true;
    way.timer.expires_at(way.held.front().due);
    way.timer.async_wait([self = shared_from_this(), &way](error_code) {
      way.waiting = false;
      if (!self->closed_) self->deliver(way);
    });
  }

  void deliver(one_way& way) {
    auto& chunk = way.held.front();
    auto late =
        std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - chunk.due);
    counters_.lateness.record(late.count() > 0 ? static_cast<std::uint64_t>(late.count())
                                               : 0);
    if (chunk.bytes.empty()) return deliver_close(way, chunk.reset);
    way.writing = true;
    way.stall.expires_after(settings_.idle_timeout);
    way.stall.async_wait([self = shared_from_this()](error_code error) {
      if (error || self->closed_) return;
      self->counters_.stalled++;
      self->close_both(true);
    });
    asio::async_write(way.to, asio::buffer(chunk.bytes),
                      [self = shared_from_this(), &way](error_code error, std::size_t) {
                        way.writing = false;
                        way.stall.cancel();
                        if (!self->closed_) self->on_written(way, error);
                      });
  }

  void on_written(one_way& way, const error_code& error) {
    if (error) return close_both(true);  // the sink is gone: so is the link
    auto written = way.held.front().bytes.size();
    way.forwarded_bytes += written;
    way.held_bytes -= written;
    way.held.pop_front();
    budget_.give_back(written);
    schedule(way);
    do_read(way);
  }

  // An orderly end is passed on as one (the sink reads EOF; the other way goes on); a
  // reset ends both ways at once, with a reset.
  void deliver_close(one_way& way, bool reset) {
    way.held.pop_front();
    if (reset) return close_both(true);
    error_code ignored;
    way.to.shutdown(tcp::socket::shutdown_send, ignored);
    way.delivered_close = true;
    if (to_upstream_.delivered_close && to_client_.delivered_close) close_both(false);
  }

  void close_both(bool reset) {
    closed_ = true;
    error_code ignored;
    for (auto* socket : {&client_, &upstream_}) {
      if (reset && socket->is_open())
        socket->set_option(asio::socket_base::linger(true, 0), ignored);
      socket->close(ignored);
    }
    std::uint64_t released = 0;
    for (auto* way : {&to_upstream_, &to_client_}) {
      way->timer.cancel(), way->stall.cancel();
      released += std::exchange(way->held_bytes, 0);
      way->held.clear();
    }
    budget_.give_back(released);
  }

  tcp::socket client_, upstream_;
  one_way to_upstream_, to_client_;
  const proxy_options& settings_;
  proxy_counters& counters_;
  hold_budget& budget_;
  std::vector<char>& read_buffer_;
  bool connected_ = false, closed_ = false;
};

// One control connection: a GET /stats or POST /stats/reset, answered, then closed.
class control_session : public std::enable_shared_from_this<control_session> {
 public:
  control_session(tcp::socket socket, delay_proxy& proxy)
      : socket_(std::move(socket)), proxy_(proxy), deadline_(socket_.get_executor()) {}

  void start() {
    deadline_.expires_after(std::chrono::seconds(5));
    deadline_.async_wait([self = shared_from_this()](error_code error) {
      if (!error) self->socket_.close(error);
    });
    asio::async_read_until(socket_, request_, "\r\n\r\n",
                           [self = shared_from_this()](error_code error, std::size_t) {
                             if (!error) self->answer();
                           });
  }

 private:
  void answer() {
    std::string line;
    std::istream text(&request_);
    std::getline(text, line);
    std::string status = "200 OK", body;
    if (line.rfind("GET /stats ", 0) == 0)
      body = proxy_.stats_json(false);
    else if (line.rfind("POST /stats/reset ", 0) == 0)
      body = proxy_.stats_json(true);
    else
      status = "404 Not Found", body = "{\"error\":\"GET /stats or POST /stats/reset\"}";
    body += '\n';
    response_ = "HTTP/1.1 " + status +
                "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                "Content-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body;
    asio::async_write(socket_, asio::buffer(response_),
                      [self = shared_from_this()](error_code error, std::size_t) {
                        self->socket_.shutdown(tcp::socket::shutdown_both, error);
                        self->deadline_.cancel();
                      });
  }

  tcp::socket socket_;
  delay_proxy& proxy_;
  asio::steady_timer deadline_;
  asio::streambuf request_{8192};
  std::string response_;
};

}  // namespace

void hold_budget::take(std::uint64_t bytes) {
  held += bytes;
  most_held = std::max(most_held, held);
}

void hold_budget::give_back(std::uint64_t bytes) {
  held -= std::min(held, bytes);
  if (full() || paused.empty()) return;
  auto resume = std::move(paused);
  paused.clear();
  for (auto& each : resume) each();
}

delay_proxy::delay_proxy(proxy_options settings)
    : settings_(std::move(settings)),
      read_buffer_(read_size),
      acceptor_(loop_),
      control_(loop_),
      signals_(loop_, SIGINT, SIGTERM),
      accepting_(
          acceptor_, "hammertime-proxy", [this] { return loop_.get_executor(); },
          [this](tcp::socket client) {
            std::make_shared<link>(std::move(client), settings_, counters_, budget_,
                                   read_buffer_)
                ->start(upstream_);
          }) {
  error_code error;
  auto found = tcp::resolver(loop_).resolve(
      settings_.upstream_host, std::to_string(settings_.upstream_port), error);
  if (error)
    throw std::runtime_error("cannot resolve upstream " + settings_.upstream_host + ": " +
                             error.message());
  for (const auto& entry : found) upstream_.push_back(entry.endpoint());
  budget_.limit = settings_.hold_total ? settings_.hold_total : hold_total_default();
  open_acceptor(acceptor_,
                {asio::ip::make_address(settings_.bind), settings_.listen_port});
  if (settings_.control_port)
    open_acceptor(control_,
                  {asio::ip::make_address_v4("127.0.0.1"), *settings_.control_port});
  signals_.async_wait([this](error_code, int) { loop_.stop(); });
  accepting_.start();
  if (control_.is_open()) do_accept_control();
}

std::optional<tcp::endpoint> delay_proxy::control_endpoint() const {
  if (!control_.is_open()) return std::nullopt;
  return control_.local_endpoint();
}

void delay_proxy::run() { loop_.run(); }

void delay_proxy::do_accept_control() {
  control_.async_accept([this](error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (!error) std::make_shared<control_session>(std::move(socket), *this)->start();
    do_accept_control();
  });
}

std::string delay_proxy::stats_json(bool reset) {
  auto& c = counters_;
  boost::json::object json{
      {"latency_us", settings_.latency.count()},
      {"connections",
       {{"open", c.open},
        {"max", c.max_open},
        {"accepted", c.accepted},
        {"upstream_failures", c.upstream_failures},
        {"stalled", c.stalled}}},
      {"held_bytes",
       {{"now", budget_.held}, {"max", budget_.most_held}, {"limit", budget_.limit}}},
      {"bytes", {{"to_upstream", c.bytes_to_upstream}, {"to_client", c.bytes_to_client}}},
      {"lateness_us", summary_json(c.lateness.summarize())},
      {"cpu_seconds", own_cpu_seconds_json()},
  };
  if (reset) {
    c.lateness.reset();
    c.max_open = c.open;
    c.accepted = c.upstream_failures = c.stalled = 0;
    c.bytes_to_upstream = c.bytes_to_client = 0;
    budget_.most_held = budget_.held;
  }
  return boost::json::serialize(json);
}

}  // namespace hammertime::server
