// switch/: hand the turn to another unit of concurrency and get it back: one
// iteration is there and back, two switches.
//
//   $ build/bin/hammertime-micro --benchmark_filter=switch/
//   (the reference figures: results/reference/micro/micro.json, docs/results.md)
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "models/loops/fiber_loop.hpp"
#include "models/loops/generator_scheduler.hpp"

namespace hammertime::bench {
namespace {

namespace asio = boost::asio;
using executor = asio::io_context::executor_type;

// Who may run: 0 the benchmark's thread, 1 its partner, -1 nobody (the partner ends).
class baton {
 public:
  void pass_to(int holder) {
    {
      std::lock_guard lock(mutex_);
      holder_ = holder;
    }
    changed_.notify_one();
  }
  int wait_for(int holder) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return holder_ == holder || holder_ == -1; });
    return holder_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int holder_ = 0;
};

void switch_threads(benchmark::State& state) {
  baton turn;
  std::thread partner([&] {
    while (turn.wait_for(1) == 1) turn.pass_to(0);
  });
  for (auto _ : state) {
    turn.pass_to(1);
    turn.wait_for(0);
  }
  turn.pass_to(-1);
  partner.join();
}
BENCHMARK(switch_threads)
    ->Name("switch/thread_pool/threads")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

struct pipe_ends {
  int read = -1, write = -1;
  pipe_ends() {
    int ends[2];
    if (pipe(ends) == 0) read = ends[0], write = ends[1];
  }
  ~pipe_ends() { close_both(); }
  void close_both() {
    if (read >= 0) close(read), read = -1;
    if (write >= 0) close(write), write = -1;
  }
};

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

void switch_processes(benchmark::State& state) {
  pipe_ends there, back;
  if (there.read < 0 || back.read < 0)
    return state.SkipWithError(errno_text("pipe").c_str());
  pid_t partner = fork();
  if (partner < 0) return state.SkipWithError(errno_text("fork").c_str());
  if (partner == 0) {
    close(there.write);  // so that the parent's close is an end of file here
    char byte;
    while (read(there.read, &byte, 1) == 1 && write(back.write, &byte, 1) == 1) {
    }
    _exit(0);
  }
  char byte = 0;
  for (auto _ : state) {
    if (write(there.write, &byte, 1) != 1 || read(back.read, &byte, 1) != 1) {
      state.SkipWithError(errno_text("pipe to the partner process").c_str());
      break;
    }
  }
  there.close_both();
  back.close_both();
  waitpid(partner, nullptr, 0);
}
BENCHMARK(switch_processes)
    ->Name("switch/process_pool/processes")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// A deadline long passed (the clock's epoch): the loop's cheapest way to let others run.
constexpr models::clock::time_point long_ago{};

models::wait_generator take_turns(benchmark::State& state, bool& finished) {
  for (auto _ : state) {
    auto on = models::wait::until(long_ago);
    co_yield on;
  }
  finished = true;
}

models::wait_generator keep_yielding(const bool& finished) {
  while (!finished) {
    auto on = models::wait::until(long_ago);
    co_yield on;
  }
}

void switch_generators(benchmark::State& state) {
  bool finished = false;
  models::wait_generator tasks[] = {take_turns(state, finished), keep_yielding(finished)};
  try {
    models::run_when_ready(tasks);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}
BENCHMARK(switch_generators)
    ->Name("switch/generator_loop/generators")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The generators' two tasks as two fibers on the fiber loop: each parks on a deadline
// long passed, the loop resumes the other (Boost.Context switches, no syscall).
void switch_fibers(benchmark::State& state) {
  models::fiber_stack_pool stacks(64 * 1024);
  models::fiber_loop loop(stacks, 2);
  bool finished = false;
  loop.spawn([&] {
    for (auto _ : state) loop.sleep_until(long_ago);
    finished = true;
  });
  loop.spawn([&] {
    while (!finished) loop.sleep_until(long_ago);
  });
  try {
    loop.run();
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}
BENCHMARK(switch_fibers)
    ->Name("switch/fibers/fibers")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

asio::awaitable<void, executor> take_turns_awaitable(benchmark::State& state,
                                                     bool& finished) {
  auto loop = co_await asio::this_coro::executor;
  for (auto _ : state) co_await asio::post(loop, asio::use_awaitable_t<executor>{});
  finished = true;
}

asio::awaitable<void, executor> keep_yielding_awaitable(const bool& finished) {
  auto loop = co_await asio::this_coro::executor;
  while (!finished) co_await asio::post(loop, asio::use_awaitable_t<executor>{});
}

void switch_asio_coroutines(benchmark::State& state) {
  asio::io_context loop{1};
  bool finished = false;
  asio::co_spawn(loop.get_executor(), take_turns_awaitable(state, finished),
                 asio::detached);
  asio::co_spawn(loop.get_executor(), keep_yielding_awaitable(finished), asio::detached);
  loop.run();
}
BENCHMARK(switch_asio_coroutines)
    ->Name("switch/coroutines/asio_coroutines")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hammertime::bench
