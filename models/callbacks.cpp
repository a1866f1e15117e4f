// callbacks: completion handlers chained on one io_context thread. Each fetcher keeps
// one keep-alive connection and walks connect -> write -> read -> next, every step a
// handler that arms the next one: what the talks call callback hell.
//
//   $ build/bin/hammertime run --workload flags --models callbacks --delay 500ms
//   flags/callbacks/C:676   ideal 1,352 items/s (measured runs: docs/results.md)
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <deque>
#include <functional>
#include <utility>

#include "models/loops/asio_run_state.hpp"
#include "models/loops/asio_ticker.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/workloads/hammer_work.hpp"

namespace hammertime::models {
namespace {

using boost::system::error_code;

// tag::callbacks_sleep[]
// A sleeping task is its timer and nothing else: the item started at expiry - delay.
class sleeper {
 public:
  sleeper(loop_executor loop, asio_run_state& run) : timer_(loop), run_(run) {}

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
  asio_run_state& run_;
};
// end::callbacks_sleep[]

// tag::callbacks[]
// tag::chained[]
class fetcher {
 public:
  fetcher(loop_executor loop, asio_run_state& run)
      : socket_(loop), deadline_(loop, socket_), run_(run) {}

  void do_next() {
    if (!run_.items.take(index_)) return close();  // no item left: let the connection go
    started_ = clock::now();
    deadline_.arm(run_.work.timeout);
    if (run_.work.kind == workload::chained) return fetch_chained();
    get(flag_target(index_, run_.work.delay), [this](fetch_result flag) {
      done(work_on_body(run_.work, flag));  // <1> the hammer's CPU: holds the loop
    });
  }

 private:
  void fetch_chained() {  // <2> each step inside the last one's handler
    get(metadata_target(index_, run_.work.delay), [this](fetch_result metadata) {
      if (metadata.outcome != outcome::ok) return done(metadata);
      get(flag_target(index_, run_.work.delay),
          [this, metadata](fetch_result flag) { done(chain(metadata, flag)); });
    });
  }

  void get(std::string target, std::function<void(fetch_result)> then) {
    request_ = make_request(run_.work, std::move(target));
    then_ = std::move(then);
    if (socket_.is_open()) return do_write();
    socket_.async_connect(run_.server_endpoint, [this](error_code ec) {
      if (!ec) return do_write();
      fail();
    });
  }

  void do_write() {
    http::async_write(socket_, request_, [this](error_code ec, std::size_t) {
      if (!ec) return do_read();
      fail();
    });
  }

  void do_read() {
    reset(parser_);
    http::async_read(socket_, buffer_, parser_, [this](error_code ec, std::size_t) {
      if (ec) return fail();
      if (!parser_.keep_alive()) close();
      std::exchange(then_, nullptr)(to_fetch_result(parser_));  // the next step
    });
  }
  // end::chained[]

  void fail() {
    close();
    done({outcome::failed, 0});
  }

  void done(fetch_result result) {
    deadline_.cancel();
    run_.counts.count(result, clock::now() - started_);
    do_next();
  }

  void close() {
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

  asio_socket socket_;
  socket_deadline deadline_;
  boost::beast::flat_buffer buffer_;
  flag_request request_;
  flag_response_parser parser_;
  std::function<void(fetch_result)> then_;  // what the answer under way goes on to
  asio_run_state& run_;
  std::size_t index_ = 0;
  clock::time_point started_;
};
// end::callbacks[]

void run_callbacks(const job& work, tally& counts) {
  auto in_flight = tasks_in_flight(work);
  boost::asio::io_context loop{1};
  asio_run_state run(work, counts);
  // Tasks stay where they are built (handlers hold `this`) until the loop is done.
  std::deque<sleeper> sleepers;
  std::deque<fetcher> fetchers;
  for (std::size_t i = 0; i < in_flight; ++i) {
    if (work.kind == workload::sleep)
      sleepers.emplace_back(loop.get_executor(), run).do_sleep();
    else
      fetchers.emplace_back(loop.get_executor(), run).do_next();
  }
  callback_ticker ticks(loop.get_executor(), work, counts);  // --ticker: on the loop
  loop.run();
}

}  // namespace

extern const model callbacks_model{
    .name = "callbacks",
    .label = "callbacks",
    .colour = "#009E73",
    .how_it_waits = "completion handlers chained on one event loop",
    .run = run_callbacks,
    .family = model_family::event_loop};

}  // namespace hammertime::models
