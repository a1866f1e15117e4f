// The blocking models (sequential, thread pool, process pool, and every model the
// registry puts in the blocking family): exact tallies on both workloads, errors
// counted rather than thrown, timeouts honoured; then what only the pools do: C at
// once, a dead worker that costs its items and not the run, and machine limits that
// stop a run with a message instead of a smaller pool.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <oneapi/tbb/global_control.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "harness/process_memory.hpp"
#include "model_runs.hpp"
#include "models/model.hpp"
#include "models/wire/wire.hpp"
#include "server_process.hpp"

namespace hammertime::models {
namespace {

using namespace std::chrono_literals;

const run_function run_sequential = find_model("sequential")->run;
const run_function run_thread_pool = find_model("thread_pool")->run;
const run_function run_process_pool = find_model("process_pool")->run;

void expect_flags_tally(run_function run, std::size_t items, std::size_t concurrency) {
  testing::server_process server;
  job work;
  work.items = items;
  work.concurrency = concurrency;
  work.delay = 10ms;
  work.port = server.port();
  tally counts(items);
  run(work, counts);

  auto expected = expected_for(items);
  EXPECT_EQ(counts.ok(), expected.ok);
  EXPECT_EQ(counts.not_found(), expected.not_found);
  EXPECT_EQ(counts.failed(), 0u);
  EXPECT_EQ(counts.latencies_ms().size(), items);

  // Every body counts, the 404s' too: the same bytes the sequential model brings.
  tally one_by_one(items);
  work.delay = 0ms;
  run_sequential(work, one_by_one);
  EXPECT_EQ(counts.bytes(), expected.bytes);
  EXPECT_EQ(counts.bytes(), one_by_one.bytes());
}

void expect_all_failed_without_a_throw(run_function run) {
  bound_port nobody;
  auto work = flags_job(nobody.port, 30, 5);
  work.timeout = 2000ms;
  tally counts(work.items);
  EXPECT_NO_THROW(run(work, counts));
  EXPECT_EQ(counts.failed(), 30u);
  EXPECT_EQ(counts.finished(), 30u);
}

// This process's children, now (zombies included: /proc still lists them).
std::vector<pid_t> children() {
  auto tree = harness::process_tree(getpid());
  return {tree.begin() + 1, tree.end()};
}

// Runs the model as the child does (what it needs checked first) in a forked child with
// RLIMIT_NOFILE lowered; true when it threw machine_limit naming ulimit -n.
bool stops_at_open_files_limit(const model& chosen, workload kind) {
  pid_t pid = fork();
  if (pid == 0) {
    rlimit files{64, 64};
    setrlimit(RLIMIT_NOFILE, &files);
    job work = sleep_job(200, 200, 10ms);
    work.kind = kind;
    tally counts(work.items);
    try {
      require_what_it_needs(chosen, work);
      chosen.run(work, counts);
    } catch (const machine_limit& limit) {
      _exit(std::string(limit.what()).find("ulimit -n") != std::string::npos ? 0 : 2);
    } catch (...) {
      _exit(3);
    }
    _exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class blocking_model : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { SKIP_IF_THIS_MACHINE_CANNOT_RUN(*find_model(GetParam())); }
  run_function run() const { return find_model(GetParam())->run; }
};

INSTANTIATE_TEST_SUITE_P(every, blocking_model,
                         ::testing::ValuesIn(model_names(model_family::blocking)),
                         name_of_param);

TEST_P(blocking_model, gets_the_exact_flags_tally_and_bytes_from_the_server) {
  expect_flags_tally(run(), 40, 8);
}

TEST_P(blocking_model, counts_every_sleep_item_once_and_no_sooner_than_its_delay) {
  tally counts(12);
  run()(sleep_job(12, 4, 30ms), counts);
  EXPECT_EQ(counts.ok(), 12u);
  EXPECT_EQ(counts.finished(), 12u);
  ASSERT_EQ(counts.latencies_ms().size(), 12u);
  for (float latency : counts.latencies_ms()) EXPECT_GE(latency, 30.0f);
}

TEST_P(blocking_model, counts_refused_connections_as_failed_without_throwing) {
  expect_all_failed_without_a_throw(run());
}

TEST_P(blocking_model, a_server_that_never_answers_fails_each_item_at_its_timeout) {
  bound_port listener;
  ASSERT_EQ(::listen(listener.fd, 64),
            0);  // the kernel completes the handshakes; no more
  auto work = flags_job(listener.port, 2, 1);
  work.timeout = 300ms;
  tally counts(work.items);
  auto started = std::chrono::steady_clock::now();
  run()(work, counts);
  auto wall = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(counts.failed(), 2u);
  EXPECT_GE(wall, 2 * work.timeout);  // one item after the other, each waits it out
  EXPECT_LT(wall, 10s);
}

TEST(sequential, runs_one_item_at_a_time_whatever_c_is_asked) {
  EXPECT_EQ(find_model("sequential")->max_concurrency, 1u);
  tally counts(5);
  auto started = std::chrono::steady_clock::now();
  run_sequential(sleep_job(5, 5, 40ms), counts);  // the model itself takes one at a time
  EXPECT_GE(std::chrono::steady_clock::now() - started, 5 * 40ms);
  EXPECT_EQ(counts.ok(), 5u);
}

TEST(thread_pool, counts_every_sleep_item_exactly_once) {
  tally counts(300);
  run_thread_pool(sleep_job(300, 50, 20ms), counts);
  EXPECT_EQ(counts.ok(), 300u);
  EXPECT_EQ(counts.finished(), 300u);
  EXPECT_EQ(counts.latencies_ms().size(), 300u);
}

TEST(thread_pool, runs_c_items_at_once_not_c_minus_the_callers_slot) {
  // 100 items on 100 threads take one delay; one slot short, they would take two. The
  // delay is long enough that starting 100 threads (slow under sanitizers) cannot
  // blur one delay into two.
  tally counts(100);
  auto started = std::chrono::steady_clock::now();
  run_thread_pool(sleep_job(100, 100, 2s), counts);
  auto wall = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(counts.ok(), 100u);
  EXPECT_GE(wall, 2s);
  EXPECT_LT(wall, 3500ms);
}

// /proc/self/status "Threads:".
std::size_t threads_of_this_process() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Threads:", 0) == 0) return std::stoul(line.substr(8));
  return 0;
}

// The pool's tear-down is part of its work (the model's clock stops after it): TBB's
// worker threads exit before run returns, rather than stay parked until the process
// exits.
TEST(thread_pool, joins_its_threads_before_it_returns) {
  auto before = threads_of_this_process();
  tally counts(64);
  run_thread_pool(sleep_job(64, 64, 10ms), counts);
  EXPECT_EQ(counts.ok(), 64u);
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer starts a background thread of its own with the first thread; the
  // pool's 64, left parked, would still show.
  EXPECT_LE(threads_of_this_process(), before + 1);
#else
  EXPECT_EQ(threads_of_this_process(), before);
#endif
}

TEST(thread_pool, gets_the_exact_flags_tally_from_the_server) {
  expect_flags_tally(run_thread_pool, 200, 20);
}

TEST(thread_pool, stops_with_machine_limit_when_tbb_is_capped_below_c) {
  tbb::global_control cap(tbb::global_control::max_allowed_parallelism, 2);
  tally counts(8);
  try {
    run_thread_pool(sleep_job(8, 8, 10ms), counts);
    ADD_FAILURE() << "ran with fewer threads than C";
  } catch (const machine_limit& limit) {
    EXPECT_NE(std::string(limit.what()).find("of 8 threads started"), std::string::npos)
        << limit.what();
  }
  EXPECT_EQ(counts.finished(), 0u);
}

TEST(thread_pool, stops_with_machine_limit_naming_the_open_files_limit) {
  EXPECT_TRUE(stops_at_open_files_limit(*find_model("thread_pool"), workload::flags));
}

TEST(process_pool, counts_every_sleep_item_exactly_once_and_leaves_no_process) {
  tally counts(300);
  run_process_pool(sleep_job(300, 50, 20ms), counts);
  EXPECT_EQ(counts.ok(), 300u);
  EXPECT_EQ(counts.finished(), 300u);
  EXPECT_EQ(counts.latencies_ms().size(), 300u);
  EXPECT_TRUE(children().empty());
}

TEST(process_pool, gets_the_exact_flags_tally_from_the_server) {
  expect_flags_tally(run_process_pool, 200, 20);
}

TEST(process_pool, a_killed_worker_fails_its_item_and_the_others_finish_the_rest) {
  std::jthread killer([](std::stop_token stop) {
    while (!stop.stop_requested() && children().size() < 4)
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(100ms);  // well inside every worker's first item
    if (auto workers = children(); workers.size() == 4) kill(workers[1], SIGKILL);
  });
  tally counts(12);
  run_process_pool(sleep_job(12, 4, 300ms), counts);
  killer.request_stop();
  // It held two items: the one it was running and the next, queued in its pipe.
  EXPECT_EQ(counts.finished(), 12u);
  EXPECT_EQ(counts.failed(), 2u);
  EXPECT_EQ(counts.ok(), 10u);
  EXPECT_TRUE(children().empty());
}

TEST(process_pool, when_every_worker_dies_every_item_left_is_failed) {
  std::jthread killer([](std::stop_token stop) {
    while (!stop.stop_requested() && children().size() < 4)
      std::this_thread::sleep_for(1ms);
    for (pid_t worker : children()) kill(worker, SIGKILL);
  });
  tally counts(8);
  run_process_pool(sleep_job(8, 4, 5000ms), counts);
  killer.request_stop();
  EXPECT_EQ(counts.failed(), 8u);
  EXPECT_EQ(counts.finished(), 8u);
  EXPECT_TRUE(children().empty());
}

TEST(process_pool, stops_with_machine_limit_naming_the_open_files_limit) {
  EXPECT_TRUE(stops_at_open_files_limit(*find_model("process_pool"), workload::sleep));
}

}  // namespace
}  // namespace hammertime::models
