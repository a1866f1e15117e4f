// hammertime-proxy: latency on the wire, in user space (this kernel has no netem). One
// event loop; per connection two one-way pipes, each holding every chunk it reads until
// D after its arrival, then writing it, in order, to the other side. A close (or a
// reset) travels the same way, after the bytes before it. toxiproxy's latency toxic
// works the same way.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accept_loop.hpp"
#include "common/histogram.hpp"
#include "proxy_options.hpp"

namespace hammertime::server {

// What the proxy counts, shown at its control port's GET /stats and when it exits.
struct proxy_counters {
  std::uint64_t open = 0, max_open = 0, accepted = 0, upstream_failures = 0;
  std::uint64_t stalled = 0;  // links ended because a side stopped reading
  std::uint64_t bytes_to_upstream = 0, bytes_to_client = 0;
  common::histogram lateness;  // microseconds between a chunk's due time and its write
};

// The bytes held over all links, against --hold-total. A link that finds it full stops
// reading and waits in `paused` until a write anywhere makes room.
struct hold_budget {
  std::uint64_t limit = 0, held = 0, most_held = 0;
  std::vector<std::function<void()>> paused;

  bool full() const { return held >= limit; }
  void take(std::uint64_t bytes);
  void give_back(std::uint64_t bytes);  // and resumes the paused links once there is room
};

class delay_proxy {
 public:
  // Resolves the upstream, binds and listens; throws runtime_error with one line
  // ("port 8002 on 127.0.0.1 is in use") when it cannot.
  explicit delay_proxy(proxy_options settings);

  boost::asio::ip::tcp::endpoint local_endpoint() const {
    return acceptor_.local_endpoint();
  }
  std::optional<boost::asio::ip::tcp::endpoint> control_endpoint() const;
  const std::vector<boost::asio::ip::tcp::endpoint>& upstream() const {
    return upstream_;
  }

  // Forwards until SIGINT or SIGTERM.
  void run();

  // The counters as one JSON line; with reset, zeroes them after reading
  // (connections.open stays, connections.max restarts from it).
  std::string stats_json(bool reset);

 private:
  void do_accept_control();

  // Declared before loop_: the links its handlers still hold at the end use them.
  proxy_options settings_;
  std::vector<boost::asio::ip::tcp::endpoint> upstream_;
  proxy_counters counters_;
  hold_budget budget_;
  std::vector<char> read_buffer_;  // every link reads into it, one at a time
  boost::asio::io_context loop_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::acceptor control_;
  boost::asio::signal_set signals_;
  accept_loop accepting_;
};

}  // namespace hammertime::server
