// wake/: an event loop with nothing else to do, woken by a deadline that is already
// due or by a socket that just became readable: the price of one trip through the
// kernel's readiness API (epoll) in each loop.
//
//   $ build/bin/hammertime-micro --benchmark_filter=wake/
//   (the reference figures: results/reference/micro/micro.json, docs/results.md)
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "models/loops/generator_scheduler.hpp"
#include "models/loops/run_in_executor.hpp"

namespace hammertime::bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using executor = asio::io_context::executor_type;
using clock = std::chrono::steady_clock;
using timer = asio::basic_waitable_timer<clock, asio::wait_traits<clock>, executor>;
using local_socket = asio::basic_stream_socket<asio::local::stream_protocol, executor>;

void wake_asio_timer(benchmark::State& state) {
  asio::io_context loop{1};
  timer alarm(loop.get_executor());
  error_code woken_with;
  for (auto _ : state) {
    alarm.expires_at(clock::now());
    alarm.async_wait([&](error_code ec) { woken_with = ec; });
    loop.run();
    loop.restart();
    if (woken_with) {
      state.SkipWithError(woken_with.message().c_str());
      break;
    }
  }
}
BENCHMARK(wake_asio_timer)
    ->Name("wake/callbacks/asio_timer")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The executor bridge's round trip: a call handed from the loop to a pool thread, and
// its result handed back to the loop (models/run_in_executor.hpp).
void wake_bridge_round_trip(benchmark::State& state) {
  asio::io_context loop{1};
  asio::thread_pool pool(1);
  int answered = 0;
  for (auto _ : state) {
    models::run_in_executor(
        pool, [] { return 1; },
        asio::bind_executor(loop, [&](int one) { answered += one; }));
    loop.run();
    loop.restart();
  }
  if (answered != static_cast<int>(state.iterations()))
    state.SkipWithError("a call did not come back to the loop");
  pool.join();
}
BENCHMARK(wake_bridge_round_trip)
    ->Name("wake/executor_bridge/bridge_round_trip")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The read is started before the byte is sent, so that Asio's speculative read finds
// nothing and the wake-up has to come through epoll.
void wake_asio_socket(benchmark::State& state) {
  asio::io_context loop{1};
  local_socket reader(loop.get_executor()), writer(loop.get_executor());
  asio::local::connect_pair(reader, writer);
  char byte = 0;
  error_code woken_with;
  for (auto _ : state) {
    reader.async_read_some(asio::buffer(&byte, 1),
                           [&](error_code ec, std::size_t) { woken_with = ec; });
    writer.write_some(asio::buffer(&byte, 1), woken_with);
    loop.run();
    loop.restart();
    if (woken_with) {
      state.SkipWithError(woken_with.message().c_str());
      break;
    }
  }
}
BENCHMARK(wake_asio_socket)
    ->Name("wake/callbacks/asio_socket")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

models::wait_generator wake_at_deadlines(benchmark::State& state) {
  for (auto _ : state) {
    auto on = models::wait::until(models::clock::now());
    co_yield on;
  }
}

void wake_epoll_deadline(benchmark::State& state) {
  models::wait_generator tasks[] = {wake_at_deadlines(state)};
  try {
    models::run_when_ready(tasks);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}
BENCHMARK(wake_epoll_deadline)
    ->Name("wake/generator_loop/epoll_deadline")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Like the model's tasks: send, then co_yield until the answer is readable.
models::wait_generator wake_on_readable(benchmark::State& state, int reader, int writer) {
  char byte = 0;
  models::wait on;
  for (auto _ : state) {
    if (write(writer, &byte, 1) != 1) {
      state.SkipWithError((std::string("write: ") + std::strerror(errno)).c_str());
      break;
    }
    co_yield on.readable(reader);
    if (read(reader, &byte, 1) != 1) {
      state.SkipWithError((std::string("read: ") + std::strerror(errno)).c_str());
      break;
    }
  }
}

void wake_epoll_fd(benchmark::State& state) {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) != 0)
    return state.SkipWithError(
        (std::string("socketpair: ") + std::strerror(errno)).c_str());
  models::wait_generator tasks[] = {wake_on_readable(state, ends[0], ends[1])};
  try {
    models::run_when_ready(tasks);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
  close(ends[0]);
  close(ends[1]);
}
BENCHMARK(wake_epoll_fd)
    ->Name("wake/generator_loop/epoll_fd")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hammertime::bench
