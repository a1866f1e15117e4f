// request/: one GET on a kept-alive connection to the mock server at zero delay, with
// each HTTP client the models use, flags AA..ZZ in turn (194 of 676 found). How much
// of a row's cost is the client rather than the concurrency model.
//
//   $ build/bin/hammertime-micro --benchmark_filter=request/
//   (the reference figures: results/reference/micro/micro.json, docs/results.md)
#include <benchmark/benchmark.h>

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <string>
#include <string_view>

#include "mock_server.hpp"
#include "models/loops/generator_scheduler.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/wire/blocking_client.hpp"
#include "models/wire/nonblocking_socket.hpp"

namespace hammertime::bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using executor = asio::io_context::executor_type;
using tcp_socket = asio::basic_stream_socket<asio::ip::tcp, executor>;
namespace http = boost::beast::http;
using models::fetch_result;
using models::io;
using models::outcome;

const models::job* server_or_skip(benchmark::State& state) {
  try {
    return &zero_delay_job();
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
    return nullptr;
  }
}

void request_cpp_httplib(benchmark::State& state) {
  const models::job* work = server_or_skip(state);
  if (!work) return;
  models::blocking_client client(*work);
  std::size_t index = 0;
  if (client.fetch(index++).outcome == outcome::failed)
    return state.SkipWithError("cpp-httplib: the first request failed");
  for (auto _ : state) {
    if (client.fetch(index++ % models::flag_code_count).outcome == outcome::failed) {
      state.SkipWithError("cpp-httplib: a request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(request_cpp_httplib)
    ->Name("request/sequential/cpp_httplib")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The callbacks model's steps: async_write, then async_read into the shared parser.
class beast_client {
 public:
  explicit beast_client(const models::job& work)
      : work_(work), socket_(loop_.get_executor()) {}

  bool connect() {
    error_code ec;
    socket_.connect({asio::ip::make_address(work_.host), work_.port}, ec);
    return !ec;
  }

  fetch_result fetch(std::size_t index) {
    auto request = models::make_flag_request(work_, index);
    models::reset(parser_);
    fetch_result result;
    http::async_write(socket_, request, [&](error_code ec, std::size_t) {
      if (ec) return;
      http::async_read(socket_, buffer_, parser_, [&](error_code ec, std::size_t) {
        if (!ec) result = models::to_fetch_result(parser_);
      });
    });
    loop_.run_for(work_.timeout);  // a stalled server fails the request
    loop_.restart();
    return result;
  }

 private:
  const models::job& work_;
  asio::io_context loop_{1};
  tcp_socket socket_;
  boost::beast::flat_buffer buffer_;
  models::flag_response_parser parser_;
};

void request_beast_asio(benchmark::State& state) {
  const models::job* work = server_or_skip(state);
  if (!work) return;
  beast_client client(*work);
  std::size_t index = 0;
  if (!client.connect()) return state.SkipWithError("Beast over Asio: connect failed");
  for (auto _ : state) {
    if (client.fetch(index++ % models::flag_code_count).outcome == outcome::failed) {
      state.SkipWithError("Beast over Asio: a request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(request_beast_asio)
    ->Name("request/callbacks/beast_asio")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The generator loop model's steps (generator_loop.cpp), the iterations inside one
// task, so that one epoll loop serves them all.
models::wait_generator fetch_in_turn(benchmark::State& state, const models::job& work) {
  models::nonblocking_socket socket;
  models::flag_response_parser parser;
  auto server = models::resolve(work.host, work.port);
  auto on = models::wait::until(models::clock::now() + work.timeout);
  io step = socket.connect(server);
  while (step == io::again) {
    co_yield on.writable(socket.fd());
    step = on.timed_out() ? io::failed : socket.connect(server);
  }
  if (step != io::done) {
    state.SkipWithError("generator loop: connect failed");
    co_return;
  }
  std::size_t index = 0;
  for (auto _ : state) {
    on = models::wait::until(models::clock::now() + work.timeout);
    std::string request = models::serialize(
        models::make_flag_request(work, index++ % models::flag_code_count));
    std::string_view unsent = request;
    models::reset(parser);
    step = socket.write(unsent);
    while (step == io::again) {
      co_yield on.writable(socket.fd());
      step = on.timed_out() ? io::failed : socket.write(unsent);
    }
    if (step == io::done) step = socket.read(parser);
    while (step == io::again) {
      co_yield on.readable(socket.fd());
      step = on.timed_out() ? io::failed : socket.read(parser);
    }
    if (step != io::done || models::to_fetch_result(parser).outcome == outcome::failed ||
        !parser.keep_alive()) {
      state.SkipWithError("generator loop: a request failed");
      break;
    }
  }
}

void request_generator_loop(benchmark::State& state) {
  const models::job* work = server_or_skip(state);
  if (!work) return;
  models::wait_generator tasks[] = {fetch_in_turn(state, *work)};
  try {
    models::run_when_ready(tasks);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(request_generator_loop)
    ->Name("request/generator_loop/epoll")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hammertime::bench
