// The fibers model's parts (models/fiber_loop.hpp, fiber_stack_pool.hpp) and what only
// it does: a parked fiber is resumed only when its socket is ready or its deadline
// passed, an unfinished fiber gives its stack back when destroyed, the pool hands out
// distinct stacks and reuses freed ones, a guard page stops a write past a stack, many
// fibers sleep with an exact tally, and 40,000 fibers stay far from vm.max_map_count.
// (The registry's event_loop_model and fault matrix suites run the model end to end.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

#include "common/machine_limits.hpp"
#include "model_runs.hpp"
#include "models/loops/fiber_loop.hpp"
#include "models/loops/fiber_stack_pool.hpp"
#include "models/model.hpp"
#include "pipe_ends.hpp"

namespace hammertime::models {
namespace {

using testing::pipe_ends;

using namespace std::chrono_literals;

std::size_t maps_now() {
  std::ifstream maps("/proc/self/maps");
  std::size_t lines = 0;
  for (std::string line; std::getline(maps, line);) ++lines;
  return lines;
}

TEST(fiber_loop, a_parked_fiber_is_resumed_only_once_its_fd_is_readable) {
  fiber_stack_pool stacks(64 * 1024);
  fiber_loop loop(stacks);
  pipe_ends pipe;
  bool written = false;
  int resumes = 0, resumes_before_the_write = 0;
  char got = 0;
  loop.spawn([&] {
    while (::read(pipe.read, &got, 1) != 1) {
      EXPECT_TRUE(loop.readable(pipe.read, clock::now() + 10s));
      ++resumes;
      if (!written) ++resumes_before_the_write;
    }
  });
  loop.spawn([&] {
    loop.sleep_until(clock::now() + 50ms);
    written = ::write(pipe.write, "x", 1) == 1;
  });
  loop.run();
  EXPECT_EQ(got, 'x');
  EXPECT_EQ(resumes, 1);
  EXPECT_EQ(resumes_before_the_write, 0);
  EXPECT_EQ(stacks.stacks_out(), 0u);  // both ended: both stacks are back
}

TEST(fiber_loop, a_parked_fiber_whose_fd_stays_silent_is_resumed_at_its_deadline) {
  fiber_stack_pool stacks(64 * 1024);
  fiber_loop loop(stacks);
  pipe_ends pipe;
  auto deadline = clock::now() + 50ms;
  bool ready = true;
  clock::time_point resumed_at;
  loop.spawn([&] {
    ready = loop.readable(pipe.read, deadline);
    resumed_at = clock::now();
  });
  loop.run();
  EXPECT_FALSE(ready);
  EXPECT_GE(resumed_at, deadline);
  EXPECT_LT(resumed_at, deadline + 2s);
}

TEST(fiber_loop, sleeping_fibers_wake_in_deadline_order_not_before_their_deadline) {
  fiber_stack_pool stacks(64 * 1024);
  fiber_loop loop(stacks);
  auto start = clock::now();
  std::vector<int> said;
  bool early = false;
  for (auto [name, after] : {std::pair{0, 60ms}, {1, 20ms}, {2, 40ms}, {3, 0ms}})
    loop.spawn([&, name, after] {
      loop.sleep_until(start + after);
      early |= clock::now() < start + after;
      said.push_back(name);
    });
  loop.run();
  EXPECT_EQ(said, (std::vector<int>{3, 1, 2, 0}));
  EXPECT_FALSE(early);
}

// Counts the live copies of it: a fiber's locals are destroyed when its stack unwinds.
struct alive_token {
  explicit alive_token(int& alive) : alive_(&alive) { ++*alive_; }
  alive_token(const alive_token& other) : alive_(other.alive_) { ++*alive_; }
  ~alive_token() { --*alive_; }
  int* alive_;
};

TEST(fiber_loop, destroying_an_unfinished_fiber_unwinds_it_and_frees_its_stack) {
  fiber_stack_pool stacks(64 * 1024);
  int alive = 0;
  {
    fiber_loop loop(stacks);
    pipe_ends pipe;
    loop.spawn([&] {
      alive_token local(alive);
      loop.readable(pipe.read, clock::now() + 10s);  // never readable
      ADD_FAILURE() << "a parked fiber was resumed after its loop stopped";
    });
    loop.spawn([&] {
      alive_token local(alive);
      loop.sleep_until(clock::now() + 10ms);
      throw std::runtime_error("the task failed");  // stops run() with the rest parked
    });
    EXPECT_THROW(loop.run(), std::runtime_error);
    EXPECT_EQ(stacks.stacks_out(), 1u);  // the thrower ended; the reader is parked
    EXPECT_EQ(alive, 1);
  }
  EXPECT_EQ(stacks.stacks_out(), 0u);
  EXPECT_EQ(alive, 0);  // the parked fiber's local was destroyed: its stack unwound
}

TEST(fiber_loop, destroying_a_loop_whose_fibers_never_ran_frees_their_stacks) {
  fiber_stack_pool stacks(64 * 1024);
  int alive = 0, ran = 0;
  {
    fiber_loop loop(stacks);
    for (int i = 0; i < 3; ++i) loop.spawn([&ran, token = alive_token(alive)] { ++ran; });
    EXPECT_EQ(stacks.stacks_out(), 3u);
    EXPECT_EQ(alive, 3);
  }
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(stacks.stacks_out(), 0u);
  EXPECT_EQ(alive, 0);  // each task, with what it captured, was destroyed
}

TEST(fiber_stack_pool,
     hands_out_distinct_stacks_of_the_asked_size_and_reuses_freed_ones) {
  fiber_stack_pool stacks(100 * 1024, 2);  // rounded up to pages; two with guard pages
  EXPECT_EQ(stacks.stack_size() % 4096, 0u);
  EXPECT_GE(stacks.stack_size(), 100u * 1024);
  std::vector<boost::context::stack_context> out;
  std::set<void*> tops;
  for (int i = 0; i < 1000; ++i) {
    out.push_back(stacks.allocate());
    EXPECT_EQ(out.back().size, stacks.stack_size());
    tops.insert(out.back().sp);
  }
  EXPECT_EQ(tops.size(), 1000u);
  EXPECT_EQ(stacks.stacks_out(), 1000u);
  EXPECT_EQ(stacks.guarded(), 2u);
  auto sorted = std::vector<void*>(tops.begin(), tops.end());  // no two overlap
  for (std::size_t i = 1; i < sorted.size(); ++i)
    EXPECT_GE(static_cast<char*>(sorted[i]) - static_cast<char*>(sorted[i - 1]),
              static_cast<std::ptrdiff_t>(stacks.stack_size()));
  // every byte of a stack is writable (a touched page, and nothing else, costs memory)
  auto& last = out.back();
  std::memset(static_cast<char*>(last.sp) - last.size, 0xab, last.size);
  void* freed = out[500].sp;
  stacks.deallocate(out[500]);
  EXPECT_EQ(stacks.stacks_out(), 999u);
  auto again = stacks.allocate();
  EXPECT_EQ(again.sp, freed);  // the stack given back is the next one handed out
  out[500] = again;
  for (auto& stack : out) stacks.deallocate(stack);
  EXPECT_EQ(stacks.stacks_out(), 0u);
}

TEST(fiber_stack_pool, a_write_below_a_guarded_stack_faults_instead_of_corrupting) {
  fiber_stack_pool stacks(64 * 1024, 1);
  auto stack = stacks.allocate();
  ASSERT_EQ(stacks.guarded(), 1u);
  char* bottom = static_cast<char*>(stack.sp) - stack.size;
  bottom[0] = 1;  // the stack's last byte is fine
  EXPECT_DEATH(static_cast<volatile char*>(bottom)[-1] = 1, "");  // one past: the guard
  stacks.deallocate(stack);
}

TEST(fiber_stack_pool, a_reservation_that_cannot_fit_names_the_limit_and_the_largest_n) {
  fiber_stack_pool stacks(64 << 20);  // 64 MiB stacks: 4 million pages of them do not fit
  try {
    stacks.reserve(std::size_t{1} << 30, "fibers");
    FAIL() << "reserved 2^30 stacks";
  } catch (const machine_limit& limit) {
    std::string message = limit.what();
    EXPECT_NE(message.find("largest N that fits"), std::string::npos) << message;
    EXPECT_NE(message.find("fibers"), std::string::npos) << message;
  }
}

TEST(fibers, ten_thousand_fibers_sleeping_100ms_give_an_exact_tally) {
  auto work = sleep_job(10'000, 10'000, 100ms);
  tally counts(work.items);
  auto started = clock::now();
  find_model("fibers")->run(work, counts);
  EXPECT_LT(clock::now() - started, 10s);
  EXPECT_EQ(counts.ok(), 10'000u);
  EXPECT_EQ(counts.failed(), 0u);
  for (float ms : counts.latencies_ms()) ASSERT_GE(ms, 100.0f);
}

TEST(fibers, forty_thousand_fibers_use_far_fewer_maps_than_fibers) {
  auto limits = common::read_machine_limits();
  fiber_stack_pool stacks(64 * 1024);
  fiber_loop loop(stacks, 40'000);
  std::size_t before = maps_now(), most = 0, woke = 0;
  auto deadline = clock::now() + 200ms;
  for (int i = 0; i < 40'000; ++i)
    loop.spawn([&] {
      loop.sleep_until(deadline);
      if (woke++ == 0) most = maps_now();  // every fiber is parked: all stacks are out
    });
  loop.run();
  EXPECT_EQ(woke, 40'000u);
  EXPECT_EQ(stacks.stacks_out(), 0u);
  EXPECT_LT(most - before, 40'000u / 4) << "maps for 40,000 fibers";
  EXPECT_LT(most, limits.max_map_count);
}

}  // namespace
}  // namespace hammertime::models
