// fibers: stackful fibers that look blocking, the gevent idea. C fibers (Boost.Context,
// a stack each from fiber_stack_pool) run the sequential model's loop on one thread; a
// socket call that would block parks its fiber, and an epoll loop resumes it once the
// socket is ready or its deadline passed (fiber_loop.hpp, fiber_socket.hpp).
//   $ build/bin/hammertime run --workload flags --models fibers --delay 500ms
//   flags/fibers/C:676   ideal 1,352 items/s (measured runs: docs/results.md)
#include "common/machine_limits.hpp"
#include "models/loops/fiber_loop.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/wire/fiber_socket.hpp"
#include "models/workloads/hammer_work.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

// tag::fibers_sleep[]
void sleep_items(shared_run& shared, fiber_loop& loop) {
  for (std::size_t index; shared.items.take(index);) {
    auto deadline = clock::now() + shared.work.delay;
    loop.sleep_until(deadline);  // <1> parks this fiber; the loop runs the others
    count_sleep(shared.counts, shared.work, deadline);
  }
}
// end::fibers_sleep[]

// tag::fibers[]
// tag::chained[]
fetch_result get(shared_run& shared, fiber_socket& socket, flag_response_parser& parser,
                 const std::string& target) {
  std::string request = serialize(make_request(shared.work, target));
  reset(parser);
  bool done = socket.connect(shared.server)  // <1> each call looks blocking: it parks
              && socket.write(request)       //     the fiber until the socket is ready
              && socket.read(parser);        //     or the deadline passed
  if (!done || !parser.keep_alive()) socket.close();  // <2> reconnect next time
  return done ? to_fetch_result(parser) : fetch_result{};
}

fetch_result fetch_chained(shared_run& shared, fiber_socket& socket,
                           flag_response_parser& parser, std::size_t i) {
  auto metadata = get(shared, socket, parser, metadata_target(i, shared.work.delay));
  if (metadata.outcome != outcome::ok) return metadata;  // <3> no country, no flag
  return chain(metadata, get(shared, socket, parser, flag_target(i, shared.work.delay)));
}
// end::chained[]

void fetch_items(shared_run& shared, fiber_loop& loop) {
  fiber_socket socket(loop);  // <4> kept alive from one item to the next
  flag_response_parser parser;
  for (std::size_t i; shared.items.take(i);) {
    auto started = clock::now();
    socket.set_deadline(started + shared.work.timeout);
    auto result = shared.work.kind == workload::chained
                      ? fetch_chained(shared, socket, parser, i)
                      : get(shared, socket, parser, flag_target(i, shared.work.delay));
    result = work_on_body(shared.work, result);  // <5> the hammer's CPU: holds the loop
    shared.counts.count(result, clock::now() - started);
  }
}
// end::fibers[]

// tag::run_fibers[]
void run_fibers(const job& work, tally& counts) {
  auto count = tasks_in_flight(work);
  if (uses_server(work.kind)) common::require_open_files(count, "fibers");
  fiber_stack_pool stacks(work.stack_size);
  stacks.reserve(count + has_ticker(work), "fibers");  // <1> C stacks, or a limit now
  fiber_loop loop(stacks, count + has_ticker(work));
  shared_run shared(work, counts);
  for (std::size_t slot = 0; slot < count; ++slot)
    if (work.kind == workload::sleep)
      loop.spawn([&] { sleep_items(shared, loop); });
    else
      loop.spawn([&] { fetch_items(shared, loop); });
  if (has_ticker(work))  // the spinner: one more fiber, late while another holds the loop
    loop.spawn([&] {
      ticker spinner(work, &counts);
      do loop.sleep_until(spinner.next());
      while (spinner.woke());
    });
  loop.run();  // <2> returns when every fiber ran out of items
}
// end::run_fibers[]

}  // namespace

extern const model fibers_model{"fibers",
                                "stackful fibers that look blocking, switched at each "
                                "wait on an epoll loop",
                                run_fibers,
                                model_family::event_loop,
                                task_holder::nothing,
                                std::numeric_limits<std::size_t>::max(),
                                uses_stack_size};

}  // namespace hammertime::models
