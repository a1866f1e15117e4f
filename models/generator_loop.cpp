// generator_loop: the Python 2 talk's `run(tasks)` loop, done properly in C++20. Each
// task is a hand-written generator that co_yields what it waits for, a socket or a
// deadline, and one loop (event_loop.hpp: epoll plus a deadline heap) resumes it when
// that wait is over. generator_loop_busy swaps in the talk's naive loop, which resumes
// every task in turn: same tasks, same results, a busy CPU.
//   $ build/bin/hammertime run --workload flags --models generator_loop --delay 500ms
#include <vector>

#include "async_wire.hpp"
#include "event_loop.hpp"
#include "machine_limits.hpp"
#include "nonblocking_socket.hpp"

namespace hammertime::models {
namespace {

// A million of these sleep at once: the frame holds the wait and little else (80 bytes).
// tag::sleep_task[]
wait_generator sleep_items(shared_run& shared) {
  for (std::size_t index; shared.items.take(index);) {
    wait on = wait::until(clock::now() + shared.work.delay);
    co_yield on;  // <1> resumed once the deadline passed
    count_sleep(shared.counts, shared.work, on.deadline);
  }
}
// end::sleep_task[]

// tag::fetch_task[]
wait_generator fetch_flags(shared_run& shared) {
  nonblocking_socket socket;  // kept alive from one item to the next
  flag_response_parser parser;
  for (std::size_t i; shared.items.take(i);) {
    auto started = clock::now();
    wait on = wait::until(started + shared.work.timeout);
    std::string request = serialize(make_flag_request(shared.work, i));
    std::string_view unsent = request;
    reset(parser);

    io state = socket.connect(shared.server);
    while (state == io::again) {
      co_yield on.writable(socket.fd());  // <1> connecting
      state = on.timed_out() ? io::failed : socket.connect(shared.server);
    }
    if (state == io::done) state = socket.write(unsent);
    while (state == io::again) {
      co_yield on.writable(socket.fd());  // <2> room to send
      state = on.timed_out() ? io::failed : socket.write(unsent);
    }
    if (state == io::done) state = socket.read(parser);
    while (state == io::again) {
      co_yield on.readable(socket.fd());  // <3> the response, bit by bit
      state = on.timed_out() ? io::failed : socket.read(parser);
    }

    auto result = state == io::done ? to_fetch_result(parser) : fetch_result{};
    if (state != io::done || !parser.keep_alive()) socket.close();  // <4> reconnect next
    shared.counts.count(result, clock::now() - started);
  }
}
// end::fetch_task[]

std::vector<wait_generator> start_tasks(shared_run& shared, std::string_view model_name) {
  auto count = tasks_in_flight(shared.work);
  if (shared.work.kind == workload::flags) require_open_files(count, model_name);
  std::vector<wait_generator> tasks;
  tasks.reserve(count);
  for (std::size_t slot = 0; slot < count; ++slot)
    tasks.push_back(shared.work.kind == workload::sleep ? sleep_items(shared)
                                                        : fetch_flags(shared));
  return tasks;
}

// tag::run[]
void run_generator_loop(const job& work, tally& counts) {
  shared_run shared(work, counts);
  auto tasks = start_tasks(shared, "generator_loop");
  run_when_ready(tasks);  // epoll_wait sleeps until a socket or a deadline is due
}

void run_generator_loop_busy(const job& work, tally& counts) {
  shared_run shared(work, counts);
  auto tasks = start_tasks(shared, "generator_loop_busy");
  run_round_robin(tasks);  // asks every task, all the time
}
// end::run[]

}  // namespace

extern const model generator_loop_model{
    "generator_loop", "hand-written generators co_yield their waits to an epoll loop",
    run_generator_loop};
extern const model generator_loop_busy_model{
    "generator_loop_busy", "the same generators, resumed round-robin (busy polling)",
    run_generator_loop_busy};

}  // namespace hammertime::models
