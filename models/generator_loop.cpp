// generator_loop: the Python 2 talk's `run(tasks)` loop, done properly in C++20. Each
// task is a hand-written generator that co_yields what it waits for, a socket or a
// deadline, and one loop (generator_scheduler.hpp: epoll plus a deadline queue) resumes
// it when that wait is over. generator_loop_busy swaps in the talk's naive loop, which
// resumes every task in turn: same tasks, same results, a busy CPU.
//   $ build/bin/hammertime run --workload flags --models generator_loop --delay 500ms
#include <vector>

#include "models/loops/generator_scheduler.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/wire/nonblocking_socket.hpp"
#include "models/workloads/hammer_work.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

// A million of these sleep at once: the frame holds the wait and little else (its bytes
// a task: bench-sleep in docs/results.md).
// tag::sleep_task[]
wait_generator sleep_items(run_state& run) {
  while (run.items.take()) {
    wait on = wait::until(clock::now() + run.work.delay);
    co_yield on;  // <1> resumed once the deadline passed
    count_sleep(run.counts, run.work, on.deadline);
  }
}
// end::sleep_task[]

// tag::ticker[]
wait_generator tick(run_state& run) {  // the ticker: one more task on the loop
  ticker ticks(run.work, &run.counts);
  do {
    wait on = wait::until(ticks.next());
    co_yield on;  // late when another task holds the loop
  } while (ticks.woke());
}
// end::ticker[]

// tag::fetch_task[]
// tag::chained[]
struct connection {
  nonblocking_socket socket;  // kept alive from one item to the next
  flag_response_parser parser;
};

// One GET: a generator of the waits it needs, which its caller yields on to the loop
// (Python's `yield from`); `answer` holds what it came to once it ends.
wait_generator get(run_state& run, connection& link, std::string target,
                   clock::time_point deadline, fetch_result& answer) {
  wait on = wait::until(deadline);
  std::string request = serialize(make_request(run.work, std::move(target)));
  std::string_view unsent = request;
  reset(link.parser);
  io state = link.socket.connect(run.server);
  while (state == io::again) {
    co_yield on.writable(link.socket.fd());  // <1> connecting
    state = on.timed_out() ? io::failed : link.socket.connect(run.server);
  }
  if (state == io::done) state = link.socket.write(unsent);
  while (state == io::again) {
    co_yield on.writable(link.socket.fd());  // <2> room to send
    state = on.timed_out() ? io::failed : link.socket.write(unsent);
  }
  if (state == io::done) state = link.socket.answer_after_request(link.parser);
  while (state == io::again) {
    co_yield on.readable(link.socket.fd());  // <3> the response, bit by bit
    state = on.timed_out() ? io::failed : link.socket.read(link.parser);
  }
  answer = state == io::done ? to_fetch_result(link.parser) : fetch_result{};
  if (state != io::done || !link.parser.keep_alive()) link.socket.close();  // <4>
}
// end::fetch_task[]

wait_generator fetch_chained(run_state& run, connection& link, std::size_t i,
                             clock::time_point deadline, fetch_result& answer) {
  auto delay = run.work.delay;
  for (wait& on : get(run, link, metadata_target(i, delay), deadline, answer))
    co_yield on;                                 // <5> every wait of the first GET, then
  if (answer.outcome != outcome::ok) co_return;  // <6> no country, no flag
  fetch_result flag;
  for (wait& on : get(run, link, flag_target(i, delay), deadline, flag)) co_yield on;
  answer = chain(answer, flag);
}
// end::chained[]

// tag::fetch_task[]
wait_generator fetch_items(run_state& run) {
  connection link;
  for (std::size_t i; run.items.take(i);) {
    auto started = clock::now();
    auto deadline = started + run.work.timeout;
    fetch_result result;
    auto item = run.work.kind == workload::chained
                    ? fetch_chained(run, link, i, deadline, result)
                    : get(run, link, flag_target(i, run.work.delay), deadline, result);
    for (wait& on : item) co_yield on;
    result = work_on_body(run.work, result);  // <7> the hammer's CPU: holds the loop
    run.counts.count(result, clock::now() - started);
  }
}
// end::fetch_task[]

std::vector<wait_generator> start_tasks(run_state& run) {
  auto count = tasks_in_flight(run.work);
  std::vector<wait_generator> tasks;
  tasks.reserve(count + 1);
  for (std::size_t slot = 0; slot < count; ++slot)
    tasks.push_back(run.work.kind == workload::sleep ? sleep_items(run)
                                                     : fetch_items(run));
  if (has_ticker(run.work)) tasks.push_back(tick(run));
  return tasks;
}

// tag::run[]
void run_generator_loop(const job& work, tally& counts) {
  run_state run(work, counts);
  auto tasks = start_tasks(run);
  run_when_ready(tasks);  // epoll_wait sleeps until a socket or a deadline is due
}

void run_generator_loop_busy(const job& work, tally& counts) {
  run_state run(work, counts);
  auto tasks = start_tasks(run);
  run_round_robin(tasks);  // asks every task, all the time
}
// end::run[]

}  // namespace

extern const model generator_loop_model{
    .name = "generator_loop",
    .label = "generator loop",
    .colour = "#0072B2",
    .how_it_waits = "hand-written generators co_yield their waits to an epoll loop",
    .run = run_generator_loop,
    .family = model_family::event_loop};
extern const model generator_loop_busy_model{
    .name = "generator_loop_busy",
    .label = "generator loop busy",
    .colour = "#D55E00",
    .how_it_waits = "the same generators, resumed round-robin (busy polling)",
    .run = run_generator_loop_busy,
    .family = model_family::event_loop};

}  // namespace hammertime::models
