// The generator loop's two schedulers (models/loops/generator_scheduler.hpp): a task is
// resumed only when its wait is over, deadlines come due in order, a late socket wait
// times out.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "models/loops/deadline_queue.hpp"
#include "models/loops/generator_scheduler.hpp"
#include "pipe_ends.hpp"

namespace hammertime::models {
namespace {

using testing::pipe_ends;

using namespace std::chrono_literals;
using loop_function = void (*)(std::span<wait_generator>);

class both_loops : public ::testing::TestWithParam<loop_function> {
 protected:
  void run(std::vector<wait_generator>& tasks) { GetParam()(tasks); }
};

INSTANTIATE_TEST_SUITE_P(event_loop, both_loops,
                         ::testing::Values(run_when_ready, run_round_robin),
                         [](const auto& info) {
                           return info.index == 0 ? "when_ready" : "round_robin";
                         });

// Counts the frames alive that hold one: a coroutine's parameters live in its frame
// until the frame is destroyed.
struct frame_token {
  explicit frame_token(int& alive) : alive_(&alive) { ++*alive_; }
  frame_token(const frame_token& other) : alive_(other.alive_) { ++*alive_; }
  ~frame_token() { --*alive_; }
  int* alive_;
};

wait_generator sleep_until(clock::time_point deadline, clock::time_point& resumed_at,
                           frame_token) {
  co_yield wait::until(deadline);
  resumed_at = clock::now();
}

TEST_P(both_loops, a_deadline_task_is_not_resumed_before_its_deadline) {
  auto deadline = clock::now() + 50ms;
  clock::time_point resumed_at;
  int frames = 0;
  std::vector<wait_generator> tasks;
  tasks.push_back(sleep_until(deadline, resumed_at, frame_token(frames)));
  ASSERT_EQ(frames, 1);
  run(tasks);
  EXPECT_GE(resumed_at, deadline);
  EXPECT_LT(resumed_at, deadline + 2s);
  EXPECT_EQ(frames, 0);  // the loop freed the finished task's frame at once
}

wait_generator sleep_then_say(clock::time_point deadline, int name,
                              std::vector<int>& said) {
  co_yield wait::until(deadline);
  said.push_back(name);
}

TEST_P(both_loops, deadlines_resume_their_tasks_in_deadline_order) {
  auto start = clock::now();
  std::vector<int> said;
  std::vector<wait_generator> tasks;
  for (auto [name, after] : {std::pair{0, 60ms}, {1, 20ms}, {2, 40ms}, {3, 0ms}})
    tasks.push_back(sleep_then_say(start + after, name, said));
  run(tasks);
  EXPECT_EQ(said, (std::vector<int>{3, 1, 2, 0}));
}

struct reader_report {
  int resumes = 0;
  int resumes_before_the_write = 0;
  char got = 0;
  bool timed_out = false;
};

wait_generator read_one_byte(int fd, clock::time_point deadline, const bool& written,
                             reader_report& report) {
  wait on = wait::until(deadline);
  while (::read(fd, &report.got, 1) != 1) {
    co_yield on.readable(fd);
    ++report.resumes;
    if (!written) ++report.resumes_before_the_write;
    if (on.timed_out()) {
      report.timed_out = true;
      co_return;
    }
  }
}

wait_generator write_one_byte_later(int fd, clock::time_point when, bool& written) {
  co_yield wait::until(when);
  written = ::write(fd, "x", 1) == 1;
}

TEST(event_loop, a_socket_task_is_not_resumed_before_its_fd_is_readable) {
  pipe_ends pipe;
  bool written = false;
  reader_report report;
  std::vector<wait_generator> tasks;
  tasks.push_back(read_one_byte(pipe.read, clock::now() + 10s, written, report));
  tasks.push_back(write_one_byte_later(pipe.write, clock::now() + 50ms, written));
  run_when_ready(tasks);
  EXPECT_TRUE(written);
  EXPECT_EQ(report.got, 'x');
  EXPECT_EQ(report.resumes, 1);
  EXPECT_EQ(report.resumes_before_the_write, 0);
  EXPECT_FALSE(report.timed_out);
}

// Two pipes in a row under one descriptor number: the loop added the first to epoll,
// which dropped it when it closed, so its guess for the second (modify, not add) is
// stale; the wait on the second must still resume when it is readable, not time out.
wait_generator wait_on_two_pipes_in_turn(std::vector<int>& read_ends, int& resumes,
                                         bool& timed_out) {
  for (int round = 0; round < 2; ++round) {
    pipe_ends pipe;
    read_ends.push_back(pipe.read);
    EXPECT_EQ(::write(pipe.write, "x", 1), 1);
    wait on = wait::until(clock::now() + 5s);
    co_yield on.readable(pipe.read);
    ++resumes;
    timed_out = timed_out || on.timed_out();
  }
}

TEST(event_loop, a_wait_on_a_reused_descriptor_number_resumes_when_ready) {
  std::vector<int> read_ends;
  int resumes = 0;
  bool timed_out = false;
  std::vector<wait_generator> tasks;
  tasks.push_back(wait_on_two_pipes_in_turn(read_ends, resumes, timed_out));
  auto started = clock::now();
  run_when_ready(tasks);
  ASSERT_EQ(read_ends.size(), 2u);
  ASSERT_EQ(read_ends[0], read_ends[1]) << "the second pipe got another number";
  EXPECT_EQ(resumes, 2);
  EXPECT_FALSE(timed_out);
  EXPECT_LT(clock::now() - started, 4s);
}

TEST(event_loop, the_round_robin_loop_resumes_a_socket_task_whether_ready_or_not) {
  pipe_ends pipe;
  bool written = false;
  reader_report report;
  std::vector<wait_generator> tasks;
  tasks.push_back(read_one_byte(pipe.read, clock::now() + 10s, written, report));
  tasks.push_back(write_one_byte_later(pipe.write, clock::now() + 50ms, written));
  run_round_robin(tasks);
  EXPECT_EQ(report.got, 'x');
  EXPECT_GT(report.resumes_before_the_write, 0);  // busy: it kept asking
  EXPECT_FALSE(report.timed_out);
}

TEST_P(both_loops, a_socket_wait_that_outlasts_its_deadline_resumes_timed_out) {
  pipe_ends pipe;
  bool never_written = false;
  reader_report report;
  auto deadline = clock::now() + 50ms;
  std::vector<wait_generator> tasks;
  tasks.push_back(read_one_byte(pipe.read, deadline, never_written, report));
  run(tasks);
  EXPECT_TRUE(report.timed_out);
  EXPECT_GE(clock::now(), deadline);
  EXPECT_EQ(report.got, 0);
}

TEST_P(both_loops, many_socket_tasks_each_resume_once_their_own_fd_is_readable) {
  std::vector<pipe_ends> pipes(20);
  bool written = false;
  std::vector<reader_report> reports(pipes.size());
  std::vector<wait_generator> tasks;
  for (std::size_t i = 0; i < pipes.size(); ++i)
    tasks.push_back(
        read_one_byte(pipes[i].read, clock::now() + 10s, written, reports[i]));
  for (auto& pipe : pipes)
    tasks.push_back(write_one_byte_later(pipe.write, clock::now() + 30ms, written));
  run(tasks);
  for (auto& report : reports) {
    EXPECT_EQ(report.got, 'x');
    EXPECT_FALSE(report.timed_out);
  }
}

wait_generator throws_after_a_wait() {
  co_yield wait::until(clock::now() + 10ms);
  throw std::runtime_error("task failed");
}

TEST_P(both_loops, an_exception_in_a_task_comes_out_of_the_loop) {
  clock::time_point unused;
  std::vector<wait_generator> tasks;
  int frames = 0;
  tasks.push_back(sleep_until(clock::now() + 10s, unused, frame_token(frames)));
  tasks.push_back(throws_after_a_wait());
  EXPECT_THROW(run(tasks), std::runtime_error);
}

wait_generator ends_at_once(frame_token) { co_return; }

TEST_P(both_loops, returns_when_there_is_nothing_to_wait_for) {
  std::vector<wait_generator> tasks;
  run(tasks);
  int frames = 0;
  tasks.push_back(ends_at_once(frame_token(frames)));
  tasks.push_back(wait_generator{});
  run(tasks);
  EXPECT_EQ(frames, 0);  // run to its end and freed, not left suspended
}

// The queue under run_when_ready: deadlines in order take the FIFO, the rest the heap,
// and whatever the mix, they come out earliest first.
std::vector<std::size_t> popped_tasks(deadline_queue& deadlines) {
  std::vector<std::size_t> order;
  while (!deadlines.empty()) order.push_back(deadlines.pop().task);
  return order;
}

TEST(deadline_queue, deadlines_pushed_in_order_come_out_in_that_order) {
  deadline_queue deadlines;
  auto start = clock::now();
  for (std::size_t task = 0; task < 5; ++task) deadlines.push({start + task * 1ms, task});
  EXPECT_EQ(deadlines.size(), 5u);
  EXPECT_EQ(popped_tasks(deadlines), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

TEST(deadline_queue, an_earlier_deadline_pushed_later_comes_out_first) {
  deadline_queue deadlines;
  auto start = clock::now();
  deadlines.push({start + 30ms, 0});
  deadlines.push({start + 40ms, 1});
  deadlines.push({start + 10ms, 2});  // earlier than the last: the heap
  deadlines.push({start + 50ms, 3});
  deadlines.push({start + 35ms, 4});
  deadlines.push({start + 20ms, 5});
  EXPECT_EQ(deadlines.top().task, 2u);
  EXPECT_EQ(popped_tasks(deadlines), (std::vector<std::size_t>{2, 5, 0, 4, 1, 3}));
}

TEST(deadline_queue, pushes_between_pops_keep_the_earliest_first) {
  deadline_queue deadlines;
  auto start = clock::now();
  std::vector<std::size_t> order;
  deadlines.push({start + 10ms, 0});
  deadlines.push({start + 30ms, 1});
  order.push_back(deadlines.pop().task);  // 0
  order.push_back(deadlines.pop().task);  // 1: the FIFO is empty again
  deadlines.push({start + 5ms, 2});       // after an emptied FIFO: in order again
  deadlines.push({start + 25ms, 3});
  deadlines.push({start + 15ms, 4});
  order.push_back(deadlines.pop().task);  // 2
  deadlines.push({start + 1ms, 5});
  for (auto task : popped_tasks(deadlines)) order.push_back(task);
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 5, 4, 3}));
  EXPECT_TRUE(deadlines.empty());
}

TEST(deadline_queue, equal_deadlines_all_come_out) {
  deadline_queue deadlines;
  auto when = clock::now();
  for (std::size_t task = 0; task < 4; ++task) deadlines.push({when, task});
  deadlines.push({when - 1ms, 4});
  auto order = popped_tasks(deadlines);
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order.front(), 4u);
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace hammertime::models
