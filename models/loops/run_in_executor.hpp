// asyncio's loop.run_in_executor for Asio: hands a blocking function to a thread pool
// and completes on the caller's own executor with what it returned, so a coroutine on
// one io_context can co_await a blocking call without blocking the loop.
//
//   auto result = co_await run_in_executor(pool, [] { return blocking_call(); },
//                                          asio::deferred);
//
// The loop stays busy (a work guard) while the call is out, so loop.run() does not
// return under a task that is still waiting for its thread.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <type_traits>
#include <utility>

namespace hammertime::models {

template <typename Function, typename CompletionToken>
auto run_in_executor(boost::asio::thread_pool& pool, Function blocking,
                     CompletionToken&& token) {
  using result_type = std::invoke_result_t<Function&>;
  return boost::asio::async_initiate<CompletionToken, void(result_type)>(
      [&pool](auto handler, Function blocking) {
        auto back = boost::asio::make_work_guard(handler);  // the caller's executor
        boost::asio::post(pool, [blocking = std::move(blocking), back = std::move(back),
                                 handler = std::move(handler)]() mutable {
          auto result = blocking();
          auto loop = back.get_executor();
          boost::asio::dispatch(
              loop, [handler = std::move(handler), result = std::move(result)]() mutable {
                std::move(handler)(std::move(result));
              });
        });
      },
      token, std::move(blocking));
}

}  // namespace hammertime::models
