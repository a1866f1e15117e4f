// coroutines: co_await on a real runtime. One io_context thread, C coroutines started
// with co_spawn, each keeping one keep-alive connection; the code reads top to bottom
// like the sequential model, and every co_await hands the loop to the next task.
//
//   $ build/bin/hammertime run --workload flags --models coroutines --delay 500ms
//   flags/coroutines/C:676   ideal 1,352 items/s (measured runs: docs/results.md)
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "models/loops/asio_run_state.hpp"
#include "models/loops/asio_ticker.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/workloads/hammer_work.hpp"

namespace hammertime::models {
namespace {

namespace asio = boost::asio;
template <typename T>
using awaitable = asio::awaitable<T, loop_executor>;

// tag::coroutines_sleep[]
awaitable<void> sleep_items(asio_run_state& run) {
  asio_timer timer(co_await asio::this_coro::executor);
  for (std::size_t index; run.items.take(index);) {
    timer.expires_after(run.work.delay);
    // <1> deferred, not use_awaitable: the wait resumes this frame, no extra
    //     128-byte frame for every wait (the fetch below does the same)
    bool failed = false;
    try {
      co_await timer.async_wait(asio::deferred);
    } catch (const boost::system::system_error&) {
      failed = true;  // cancelled: counted, never thrown out of the model
    }
    count_sleep(run.counts, run.work, timer.expiry(), failed);
  }
}
// end::coroutines_sleep[]

// Beast's tcp_stream on the loop's own executor: a socket with a deadline, which
// closes the socket (and fails the pending co_await) once the deadline passes.
using loop_stream = boost::beast::basic_stream<asio::ip::tcp, loop_executor>;

// tag::coroutines[]
// tag::chained[]
struct connection {
  explicit connection(loop_executor loop) : stream(loop) {}
  loop_stream stream;
  boost::beast::flat_buffer buffer;  // kept with the connection: it may hold read-ahead
  flag_response_parser parser;
};

awaitable<fetch_result> get(connection& link, const asio_run_state& run,
                            std::string target) {
  fetch_result result;
  try {
    if (!link.stream.socket().is_open())
      co_await link.stream.async_connect(run.server_endpoint, asio::deferred);
    auto request = make_request(run.work, std::move(target));
    co_await http::async_write(link.stream, request, asio::deferred);
    reset(link.parser);
    co_await http::async_read(link.stream, link.buffer, link.parser, asio::deferred);
    result = to_fetch_result(link.parser);
  } catch (const boost::system::system_error&) {
    // a failed item: counted by the caller, never thrown out of the model
  }
  if (result.outcome == outcome::failed || !link.parser.keep_alive()) {
    link.stream.close();  // <1> the next request connects afresh
    link.buffer.clear();
  }
  co_return result;
}
// end::coroutines[]

awaitable<fetch_result> fetch_chained(connection& link, const asio_run_state& run,
                                      std::size_t index) {
  auto metadata = co_await get(link, run, metadata_target(index, run.work.delay));
  if (metadata.outcome != outcome::ok) co_return metadata;  // <2> no country, no flag
  auto flag = co_await get(link, run, flag_target(index, run.work.delay));
  co_return chain(metadata, flag);
}
// end::chained[]

// tag::coroutines[]
awaitable<void> fetch_items(asio_run_state& run) {
  connection link(co_await asio::this_coro::executor);
  for (std::size_t index; run.items.take(index);) {
    auto started = clock::now();
    link.stream.expires_after(run.work.timeout);  // <3> one deadline for the exchange
    fetch_result result;
    if (run.work.kind == workload::chained)
      result = co_await fetch_chained(link, run, index);
    else
      result = co_await get(link, run, flag_target(index, run.work.delay));
    result = work_on_body(run.work, result);  // <4> the hammer's CPU: holds the loop
    run.counts.count(result, clock::now() - started);
  }
}
// end::coroutines[]

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

// Like the listener of Asio's echo server, a coroutine on the loop starts the tasks:
// each runs to its first wait at once instead of queueing behind the rest.
awaitable<void> start_tasks(asio_run_state& run, std::size_t in_flight) {
  auto loop = co_await asio::this_coro::executor;
  for (std::size_t i = 0; i < in_flight; ++i) {
    if (run.work.kind == workload::sleep)
      co_spawn(loop, sleep_items(run), rethrow);
    else
      co_spawn(loop, fetch_items(run), rethrow);
  }
  if (has_ticker(run.work)) co_spawn(loop, tick_on_loop(run.work, run.counts), rethrow);
}

void run_coroutines(const job& work, tally& counts) {
  auto in_flight = tasks_in_flight(work);
  asio::io_context loop{1};
  asio_run_state run(work, counts);
  co_spawn(loop, start_tasks(run, in_flight), rethrow);
  loop.run();
}

}  // namespace

extern const model coroutines_model{
    .name = "coroutines",
    .label = "coroutines",
    .colour = "#CC79A7",
    .how_it_waits = "co_await on Boost.Asio, one event loop",
    .run = run_coroutines,
    .family = model_family::event_loop};

}  // namespace hammertime::models
