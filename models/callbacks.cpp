// callbacks: completion handlers chained on one io_context thread. Each fetcher keeps
// one keep-alive connection and walks connect -> write -> read -> next, every step a
// handler that arms the next one: what the talks call callback hell.
//
//   $ build/bin/hammertime run --workload flags --models callbacks --delay 500ms
//   flags/callbacks/C:676   ~1,250 items/s   (ideal 1,352)
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <deque>

#include "asio_run.hpp"
#include "async_wire.hpp"
#include "machine_limits.hpp"

namespace hammertime::models {
namespace {

using boost::system::error_code;

// tag::callbacks_sleep[]
// A sleeping task is its timer and nothing else: the item started at expiry - delay.
class sleeper {
 public:
  sleeper(loop_executor loop, asio_run& run) : timer_(loop), run_(run) {}

  void do_sleep() {
    if (std::size_t index; !run_.items.take(index)) return;
    timer_.expires_after(run_.work.delay);
    timer_.async_wait([this](error_code ec) {
      count_sleep(run_.counts, run_.work, timer_.expiry(), ec.failed());
      do_sleep();
    });
  }

 private:
  asio_timer timer_;
  asio_run& run_;
};
// end::callbacks_sleep[]

// tag::callbacks[]
class fetcher {
 public:
  fetcher(loop_executor loop, asio_run& run)
      : socket_(loop), deadline_(loop), run_(run) {}

  void do_next() {
    if (!run_.items.take(index_)) return close();  // no item left: let the connection go
    started_ = clock::now();
    deadline_.expires_after(run_.work.timeout);
    deadline_.async_wait([this](error_code) { check_deadline(); });
    if (socket_.is_open())
      do_write();
    else
      do_connect();
  }

 private:
  void do_connect() {
    socket_.async_connect(run_.server_endpoint, [this](error_code ec) {
      if (!ec)
        do_write();
      else
        fail();
    });
  }

  void do_write() {
    request_ = make_flag_request(run_.work, index_);
    http::async_write(socket_, request_, [this](error_code ec, std::size_t) {
      if (!ec)
        do_read();
      else
        fail();
    });
  }

  void do_read() {
    reset(parser_);
    http::async_read(socket_, buffer_, parser_, [this](error_code ec, std::size_t) {
      if (!ec) {
        if (!parser_.keep_alive()) close();
        done(to_fetch_result(parser_));
      } else {
        fail();
      }
    });
  }

  void fail() {
    close();
    done({outcome::failed, 0});
  }

  void done(fetch_result result) {
    deadline_.cancel();
    run_.counts.count(result, clock::now() - started_);
    do_next();
  }

  // A stale wake-up (cancelled, or from an earlier item) finds the expiry ahead.
  void check_deadline() {
    if (deadline_.expiry() <= clock::now()) close();  // the read or write fails next
  }

  void close() {
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

  asio_socket socket_;
  // Closes the socket when an item runs out of time: one 72-byte timer per connection,
  // where beast::tcp_stream would add a shared state holding a timer per direction.
  asio_timer deadline_;
  boost::beast::flat_buffer buffer_;
  flag_request request_;
  flag_response_parser parser_;
  asio_run& run_;
  std::size_t index_ = 0;
  clock::time_point started_;
};
// end::callbacks[]

void run_callbacks(const job& work, tally& counts) {
  auto in_flight = tasks_in_flight(work);
  if (work.kind == workload::flags) require_open_files(in_flight, "callbacks");
  boost::asio::io_context loop{1};
  asio_run run(work, counts);
  // Tasks stay where they are built (handlers hold `this`) until the loop is done.
  std::deque<sleeper> sleepers;
  std::deque<fetcher> fetchers;
  for (std::size_t i = 0; i < in_flight; ++i) {
    if (work.kind == workload::sleep)
      sleepers.emplace_back(loop.get_executor(), run).do_sleep();
    else
      fetchers.emplace_back(loop.get_executor(), run).do_next();
  }
  loop.run();
}

}  // namespace

extern const model callbacks_model{
    "callbacks", "completion handlers chained on one event loop", run_callbacks};

}  // namespace hammertime::models
