// What only the io_uring model does, and its plumbing (uring_loop.hpp, uring_task.hpp).
// The event_loop_model suite and the fault matrix already run it on both workloads and
// every failure; here: exact tallies, C timers live at once, the linked timeout cutting
// off a silent server, and the loop's own operations and task type. Where the kernel or
// a sandbox refuses io_uring, each case is skipped and says so.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model_runs.hpp"
#include "models/loops/uring_loop.hpp"
#include "models/loops/uring_task.hpp"
#include "models/model.hpp"
#include "scripted_server.hpp"
#include "server_process.hpp"

namespace hammertime::models {
namespace {

using namespace std::chrono_literals;

#define SKIP_IF_IO_URING_IS_REFUSED()                                     \
  if (auto why = find_model("io_uring")->cannot_run_here(); !why.empty()) \
  GTEST_SKIP() << "skipped: " << why

struct timed_run {
  std::unique_ptr<tally> counts;
  clock::duration elapsed{};
};

timed_run run_io_uring(const job& work) {
  timed_run run{std::make_unique<tally>(work.items)};
  auto started = clock::now();
  find_model("io_uring")->run(work, *run.counts);
  run.elapsed = clock::now() - started;
  EXPECT_EQ(run.counts->finished(), work.items);
  return run;
}

TEST(io_uring, is_in_the_registry_as_an_event_loop_model) {
  const model* found = find_model("io_uring");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->family, model_family::event_loop);
}

TEST(io_uring, flags_give_exact_tallies_and_bytes_with_fewer_tasks_than_items) {
  SKIP_IF_IO_URING_IS_REFUSED();
  testing::server_process server;
  auto expected = expected_for(676);
  auto run = run_io_uring(flags_job(server.port(), 676, 50));
  EXPECT_EQ(run.counts->ok(), expected.ok);
  EXPECT_EQ(run.counts->not_found(), expected.not_found);
  EXPECT_EQ(run.counts->failed(), 0u);
  EXPECT_EQ(run.counts->bytes(), expected.bytes);
}

TEST(io_uring, every_sleep_item_is_counted_ok_once_and_no_sooner_than_its_delay) {
  SKIP_IF_IO_URING_IS_REFUSED();
  auto run = run_io_uring(sleep_job(5000, 700, 30ms));
  EXPECT_EQ(run.counts->ok(), 5000u);
  EXPECT_EQ(run.counts->failed(), 0u);
  for (float latency_ms : run.counts->latencies_ms()) ASSERT_GE(latency_ms, 30.0f);
  EXPECT_GE(run.elapsed, 8 * 30ms);  // ceil(5000 / 700) rounds, one after the other
}

TEST(io_uring, c_timers_are_live_at_once_not_awaited_one_after_another) {
  SKIP_IF_IO_URING_IS_REFUSED();
  auto run = run_io_uring(sleep_job(1000, 1000, 200ms));
  EXPECT_EQ(run.counts->ok(), 1000u);
  EXPECT_GE(run.elapsed, 200ms);
  EXPECT_LT(run.elapsed, 2 * 200ms);  // one round; in turn it would take 200 s
}

TEST(io_uring, the_linked_timeout_fails_an_item_whose_server_never_answers) {
  SKIP_IF_IO_URING_IS_REFUSED();
  testing::scripted_server server(testing::wait_for_close);  // reads, never replies
  auto work = flags_job(server.port(), 2, 1);
  work.timeout = 250ms;
  auto run = run_io_uring(work);
  EXPECT_EQ(run.counts->failed(), 2u);
  EXPECT_GE(run.elapsed, 2 * work.timeout);
  EXPECT_LT(run.elapsed, 2 * work.timeout + 2s);
  for (float latency_ms : run.counts->latencies_ms()) EXPECT_GE(latency_ms, 250.0f);
}

// The plumbing: the loop's operations and the task type.

uring_task<> sleep_once(uring_loop& loop, clock::time_point deadline, int& result,
                        clock::time_point& woken) {
  result = co_await loop.sleep_until(deadline);
  woken = clock::now();
}

TEST(uring_loop, a_timeout_op_completes_no_earlier_than_asked_with_etime) {
  SKIP_IF_IO_URING_IS_REFUSED();
  uring_loop loop;
  int result = 0;
  clock::time_point woken;
  auto deadline = clock::now() + 50ms;
  std::vector<uring_task<>> tasks;
  tasks.push_back(sleep_once(loop, deadline, result, woken));
  loop.run(tasks);
  EXPECT_EQ(result, -ETIME);
  EXPECT_GE(woken, deadline);
  EXPECT_LT(woken, deadline + 1s);
  EXPECT_EQ(loop.in_flight(), 0u);
}

TEST(uring_loop, a_deadline_already_passed_completes_at_once) {
  SKIP_IF_IO_URING_IS_REFUSED();
  uring_loop loop;
  int result = 0;
  clock::time_point woken;
  auto asked = clock::now();
  std::vector<uring_task<>> tasks;
  tasks.push_back(sleep_once(loop, clock::time_point{}, result, woken));
  loop.run(tasks);
  EXPECT_EQ(result, -ETIME);
  EXPECT_LT(woken - asked, 100ms);
}

uring_task<int> nop_then(uring_loop& loop, int value) {
  int result = co_await loop.nop();
  co_return result == 0 ? value : -1;
}

uring_task<> add_up(uring_loop& loop, int rounds, int& sum) {
  for (int i = 1; i <= rounds; ++i) sum += co_await nop_then(loop, i);
}

TEST(uring_loop, more_operations_than_the_submission_ring_holds_all_complete) {
  SKIP_IF_IO_URING_IS_REFUSED();
  uring_loop loop(8, 16);  // 3 tasks x 1000 nops through 8 entries and 16 completions
  int sums[3] = {};
  std::vector<uring_task<>> tasks;
  for (int& sum : sums) tasks.push_back(add_up(loop, 1000, sum));
  loop.run(tasks);
  for (int sum : sums) EXPECT_EQ(sum, 1000 * 1001 / 2);
}

TEST(uring_loop, more_timers_than_the_completion_ring_holds_all_complete) {
  SKIP_IF_IO_URING_IS_REFUSED();
  uring_loop loop(64, 128);  // 10,000 timers ending together overflow 128 completions
  auto deadline = clock::now() + 20ms;
  std::vector<int> results(10'000, 0);
  std::vector<clock::time_point> woken(results.size());
  std::vector<uring_task<>> tasks;
  for (std::size_t i = 0; i < results.size(); ++i)
    tasks.push_back(sleep_once(loop, deadline, results[i], woken[i]));
  loop.run(tasks);
  for (int result : results) ASSERT_EQ(result, -ETIME);
}

TEST(uring_loop, a_recv_with_no_answer_is_cancelled_by_its_linked_timeout) {
  SKIP_IF_IO_URING_IS_REFUSED();
  int ends[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
  uring_loop loop;
  char buffer[16];
  int result = 0;
  auto deadline = clock::now() + 50ms;
  auto receive = [&]() -> uring_task<> {
    result = co_await loop.recv(ends[0], buffer, deadline);
  };
  std::vector<uring_task<>> tasks;
  tasks.push_back(receive());
  loop.run(tasks);
  EXPECT_EQ(result, -ECANCELED);
  EXPECT_GE(clock::now(), deadline);
  ::close(ends[0]);
  ::close(ends[1]);
}

uring_task<int> throws_after_a_nop(uring_loop& loop) {
  co_await loop.nop();
  throw std::runtime_error("thrown in a task");
}

uring_task<> catches(uring_loop& loop, std::string& caught) {
  try {
    co_await throws_after_a_nop(loop);
  } catch (const std::runtime_error& error) {
    caught = error.what();
  }
}

TEST(uring_task, an_exception_reaches_the_awaiter) {
  SKIP_IF_IO_URING_IS_REFUSED();
  uring_loop loop;
  std::string caught;
  std::vector<uring_task<>> tasks;
  tasks.push_back(catches(loop, caught));
  loop.run(tasks);
  EXPECT_EQ(caught, "thrown in a task");
}

TEST(uring_task, an_exception_no_task_catches_comes_out_of_run) {
  SKIP_IF_IO_URING_IS_REFUSED();
  uring_loop loop;
  auto root = [&]() -> uring_task<> { co_await throws_after_a_nop(loop); };
  std::vector<uring_task<>> tasks;
  tasks.push_back(root());
  EXPECT_THROW(loop.run(tasks), std::runtime_error);
}

uring_task<> mark(bool& started) {
  started = true;
  co_return;
}

TEST(uring_task, does_not_start_until_awaited_or_started_and_is_move_only) {
  bool started = false;
  auto task = mark(started);
  EXPECT_FALSE(started);
  auto moved = std::move(task);
  EXPECT_TRUE(task.done());  // NOLINT: an empty task after the move
  EXPECT_FALSE(started);
  moved.start();
  EXPECT_TRUE(started);
  EXPECT_TRUE(moved.done());
  static_assert(!std::is_copy_constructible_v<uring_task<>>);
}

uring_task<int> one() { co_return 1; }
uring_task<> count_ones(int rounds, int& total) {
  for (int i = 0; i < rounds; ++i) total += co_await one();
}

// Symmetric transfer is a tail call where the compiler makes it one, as GCC does at -O2;
// an ASan build makes none, so there a chain short enough for the stack is checked.
#if defined(__SANITIZE_ADDRESS__)
constexpr int chain = 1'000;
#else
constexpr int chain = 1'000'000;
#endif

TEST(uring_task, a_million_synchronous_completions_do_not_grow_the_stack) {
  int total = 0;
  auto task =
      count_ones(chain, total);  // each one() ends at once and resumes its awaiter
  task.start();
  EXPECT_TRUE(task.done());
  EXPECT_EQ(total, chain);
}

}  // namespace
}  // namespace hammertime::models
