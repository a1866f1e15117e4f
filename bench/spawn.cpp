// spawn/: start one unit of concurrency and see it finish, in each model's terms.
// What a task costs before it does any work.
//
//   $ build/bin/hammertime-micro --benchmark_filter=spawn/
//   (the reference figures: results/reference/micro/micro.json, docs/results.md)
#include <benchmark/benchmark.h>
#include <oneapi/tbb/task_group.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "models/loops/generator_scheduler.hpp"

namespace hammertime::bench {
namespace {

namespace asio = boost::asio;
using executor = asio::io_context::executor_type;

void spawn_thread(benchmark::State& state) {
  for (auto _ : state) {
    try {
      std::thread([] {}).join();
    } catch (const std::system_error& error) {
      state.SkipWithError(error.what());
      break;
    }
  }
}
BENCHMARK(spawn_thread)
    ->Name("spawn/thread_pool/thread")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The waiting thread often runs the task itself: `ran_elsewhere` says how often not.
void spawn_tbb_task(benchmark::State& state) {
  tbb::task_group group;
  auto caller = std::this_thread::get_id();
  std::size_t ran_elsewhere = 0;
  for (auto _ : state) {
    group.run([&] { ran_elsewhere += std::this_thread::get_id() != caller; });
    group.wait();
  }
  state.counters["ran_elsewhere"] = benchmark::Counter(
      static_cast<double>(ran_elsewhere), benchmark::Counter::kAvgIterations);
}
BENCHMARK(spawn_tbb_task)
    ->Name("spawn/thread_pool/tbb_task")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void spawn_process(benchmark::State& state) {
  for (auto _ : state) {
    pid_t child = fork();
    if (child == 0) _exit(0);
    if (child < 0) {
      state.SkipWithError((std::string("fork: ") + std::strerror(errno)).c_str());
      break;
    }
    waitpid(child, nullptr, 0);
  }
}
BENCHMARK(spawn_process)
    ->Name("spawn/process_pool/process")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void spawn_asio_handler(benchmark::State& state) {
  asio::io_context loop{1};
  std::size_t handled = 0;
  for (auto _ : state) {
    asio::post(loop, [&] { ++handled; });
    loop.run();
    loop.restart();
  }
  benchmark::DoNotOptimize(handled);
}
BENCHMARK(spawn_asio_handler)
    ->Name("spawn/callbacks/asio_handler")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

asio::awaitable<void, executor> finish_at_once_awaitable() { co_return; }

void spawn_asio_awaitable(benchmark::State& state) {
  asio::io_context loop{1};
  for (auto _ : state) {
    asio::co_spawn(loop.get_executor(), finish_at_once_awaitable(), asio::detached);
    loop.run();
    loop.restart();
  }
}
BENCHMARK(spawn_asio_awaitable)
    ->Name("spawn/coroutines/asio_awaitable")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

models::wait_generator finish_at_once_generator() { co_return; }

void spawn_generator(benchmark::State& state) {
  for (auto _ : state) {
    models::wait_generator started = finish_at_once_generator();
    benchmark::DoNotOptimize(started);  // keeps the frame on the heap, as in a task list
    while (started.next()) {
    }
  }
}
BENCHMARK(spawn_generator)
    ->Name("spawn/generator_loop/generator")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hammertime::bench
