// The ticker on an Asio loop (ticker.hpp): a timer re-armed every period, ending once
// every item is counted. As a coroutine for the coroutines and the executor bridge,
// which co_spawn it beside their tasks; as a handler that re-arms itself for callbacks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/this_coro.hpp>

#include "asio_run_state.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {

// tag::asio_ticker[]
inline boost::asio::awaitable<void, loop_executor> tick_on_loop(const job& work,
                                                                const tally& counts) {
  asio_timer timer(co_await boost::asio::this_coro::executor);
  for (ticker ticks(work, &counts);;) {
    timer.expires_at(ticks.next());
    co_await timer.async_wait(boost::asio::deferred);  // <1> late when the loop is busy
    if (!ticks.woke()) co_return;
  }
}
// end::asio_ticker[]

// tag::callback_ticker[]
// The ticker: a timer whose handler re-arms it, late whenever the loop is busy.
class callback_ticker {
 public:
  callback_ticker(loop_executor loop, const job& work, const tally& counts)
      : timer_(loop), ticks_(work, &counts) {
    if (has_ticker(work)) do_tick();
  }

 private:
  void do_tick() {
    timer_.expires_at(ticks_.next());
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && ticks_.woke()) do_tick();
    });
  }

  asio_timer timer_;
  ticker ticks_;
};
// end::callback_ticker[]

}  // namespace hammertime::models
