// fibers: stackful fibers that look blocking, the gevent idea. C fibers (Boost.Context,
// a stack each from fiber_stack_pool) run the sequential model's loop on one thread; a
// socket call that would block parks its fiber, and an epoll loop resumes it once the
// socket is ready or its deadline passed (fiber_loop.hpp, fiber_socket.hpp).
//   $ build/bin/hammertime run --workload flags --models fibers --delay 500ms
//   flags/fibers/C:676   ideal 1,352 items/s (measured runs: docs/results.md)
#include "models/loops/fiber_loop.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/wire/fiber_socket.hpp"
#include "models/workloads/hammer_work.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

// tag::fibers_sleep[]
void sleep_items(run_state& run, fiber_loop& loop) {
  for (std::size_t index; run.items.take(index);) {
    auto deadline = clock::now() + run.work.delay;
    loop.sleep_until(deadline);  // <1> parks this fiber; the loop runs the others
    count_sleep(run.counts, run.work, deadline);
  }
}
// end::fibers_sleep[]

// tag::fibers[]
// tag::chained[]
fetch_result get(run_state& run, fiber_socket& socket, flag_response_parser& parser,
                 const std::string& target) {
  std::string request = serialize(make_request(run.work, target));
  reset(parser);
  bool done = socket.connect(run.server)  // <1> each call looks blocking: it parks
              && socket.write(request)    //     the fiber until the socket is ready
              && socket.read(parser);     //     or the deadline passed
  if (!done || !parser.keep_alive()) socket.close();  // <2> reconnect next time
  return done ? to_fetch_result(parser) : fetch_result{};
}

fetch_result fetch_chained(run_state& run, fiber_socket& socket,
                           flag_response_parser& parser, std::size_t i) {
  auto metadata = get(run, socket, parser, metadata_target(i, run.work.delay));
  if (metadata.outcome != outcome::ok) return metadata;  // <3> no country, no flag
  return chain(metadata, get(run, socket, parser, flag_target(i, run.work.delay)));
}
// end::chained[]

void fetch_items(run_state& run, fiber_loop& loop) {
  fiber_socket socket(loop);  // <4> kept alive from one item to the next
  flag_response_parser parser;
  for (std::size_t i; run.items.take(i);) {
    auto started = clock::now();
    socket.set_deadline(started + run.work.timeout);
    auto result = run.work.kind == workload::chained
                      ? fetch_chained(run, socket, parser, i)
                      : get(run, socket, parser, flag_target(i, run.work.delay));
    result = work_on_body(run.work, result);  // <5> the hammer's CPU: holds the loop
    run.counts.count(result, clock::now() - started);
  }
}
// end::fibers[]

// tag::run_fibers[]
void run_fibers(const job& work, tally& counts) {
  auto count = tasks_in_flight(work);
  fiber_stack_pool stacks(work.stack_size);
  stacks.reserve(count + has_ticker(work), "fibers");  // <1> C stacks, or a limit now
  fiber_loop loop(stacks, count + has_ticker(work));
  run_state run(work, counts);
  for (std::size_t slot = 0; slot < count; ++slot)
    if (work.kind == workload::sleep)
      loop.spawn([&] { sleep_items(run, loop); });
    else
      loop.spawn([&] { fetch_items(run, loop); });
  if (has_ticker(work))  // the ticker: one more fiber, late while another holds the loop
    loop.spawn([&] {
      ticker ticks(work, &counts);
      do loop.sleep_until(ticks.next());
      while (ticks.woke());
    });
  loop.run();  // <2> returns when every fiber ran out of items
}
// end::run_fibers[]

}  // namespace

extern const model fibers_model{
    .name = "fibers",
    .label = "fibers",
    .colour = "#882255",
    .how_it_waits =
        "stackful fibers that look blocking, switched at each wait on an "
        "epoll loop",
    .run = run_fibers,
    .family = model_family::event_loop,
    .knobs = uses_stack_size};

}  // namespace hammertime::models
