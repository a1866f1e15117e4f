// io_uring: completions instead of readiness. One thread, C coroutines; each co_awaits
// an operation the kernel does for it (connect, send, recv, each with a linked timeout;
// a sleep is a timeout op), and the loop (uring_loop.hpp) submits them in batches and
// resumes each task when its completion is reaped.
//   $ build/bin/hammertime run --workload flags --models io_uring --delay 500ms
//   flags/io_uring/C:676   ideal 1,352 items/s (measured runs: docs/results.md)
#include <cerrno>

#include "common/machine_limits.hpp"
#include "models/loops/uring_loop.hpp"
#include "models/wire/beast_wire.hpp"
#include "models/wire/wire.hpp"
#include "models/workloads/hammer_work.hpp"
#include "models/workloads/ticker.hpp"

namespace hammertime::models {
namespace {

struct uring_run_state : run_state {
  using run_state::run_state;
  uring_loop loop;
};

// tag::io_uring_sleep[]
uring_task<> sleep_items(uring_run_state& run) {
  for (std::size_t index; run.items.take(index);) {
    auto deadline = clock::now() + run.work.delay;
    int result = co_await run.loop.sleep_until(deadline);           // <1> a timeout op
    count_sleep(run.counts, run.work, deadline, result != -ETIME);  // <2>
  }
}
// end::io_uring_sleep[]

// tag::io_uring_fetch[]
// tag::chained[]
uring_task<fetch_result> get(uring_run_state& run, uring_connection& link,
                             flag_response_parser& parser, std::string target,
                             clock::time_point deadline) {
  uring_loop& loop = run.loop;
  if (link.fd < 0) {
    link.fd = open_client_socket(run.server);
    if (link.fd < 0) co_return fetch_result{};
    int connected = co_await loop.connect(link.fd, run.server, deadline);  // <1>
    if (connected == -EADDRNOTAVAIL)
      throw common::ran_out("connect", "no local port left",
                            common::machine_setting::local_ports);
    if (connected < 0) co_return fetch_result{};
  }
  std::string request = serialize(make_request(run.work, std::move(target)));
  for (std::string_view unsent = request; !unsent.empty();) {
    int sent = co_await loop.send(link.fd, unsent, deadline);  // <2>
    if (sent <= 0) co_return fetch_result{};
    unsent.remove_prefix(static_cast<std::size_t>(sent));
  }
  reset(parser);
  auto state = feed(parser, link.unparsed, {});
  while (state == parse_state::more) {
    int got = co_await loop.recv(link.fd, link.buffer, deadline);  // <3>
    if (got < 0) co_return fetch_result{};  // an error, or -ECANCELED by the deadline
    state = got == 0
                ? feed_end(parser)
                : feed(parser, link.unparsed, {link.buffer.data(), std::size_t(got)});
  }
  auto result = state == parse_state::done ? to_fetch_result(parser) : fetch_result{};
  if (!parser.keep_alive()) link.close();  // <4> the server said so
  co_return result;
}

uring_task<fetch_result> fetch_chained(uring_run_state& run, uring_connection& link,
                                       flag_response_parser& parser, std::size_t i,
                                       clock::time_point deadline) {
  auto delay = run.work.delay;
  auto metadata = co_await get(run, link, parser, metadata_target(i, delay), deadline);
  if (metadata.outcome != outcome::ok) co_return metadata;  // <5> no country, no flag
  auto flag = co_await get(run, link, parser, flag_target(i, delay), deadline);
  co_return chain(metadata, flag);
}
// end::chained[]

uring_task<> fetch_items(uring_run_state& run) {
  uring_connection link;  // kept alive from one item to the next
  flag_response_parser parser;
  for (std::size_t i; run.items.take(i);) {
    auto started = clock::now();
    auto deadline = started + run.work.timeout;  // <6> one deadline per exchange
    fetch_result result;
    if (run.work.kind == workload::chained)
      result = co_await fetch_chained(run, link, parser, i, deadline);
    else
      result = co_await get(run, link, parser, flag_target(i, run.work.delay), deadline);
    if (result.outcome == outcome::failed) link.close();  // <7> reconnect next time
    result = work_on_body(run.work, result);  // <8> the hammer's CPU: holds the loop
    run.counts.count(result, clock::now() - started);
  }
}

uring_task<> tick(uring_run_state& run) {  // the ticker: late while a task holds the loop
  for (ticker ticks(run.work, &run.counts);;) {
    co_await run.loop.sleep_until(ticks.next());
    if (!ticks.woke()) co_return;
  }
}
// end::io_uring_fetch[]

// tag::io_uring_run[]
void run_io_uring(const job& work, tally& counts) {
  auto in_flight = tasks_in_flight(work);
  uring_run_state run(work, counts);
  std::vector<uring_task<>> tasks;
  tasks.reserve(in_flight + 1);
  for (std::size_t slot = 0; slot < in_flight; ++slot)
    tasks.push_back(work.kind == workload::sleep ? sleep_items(run) : fetch_items(run));
  if (has_ticker(work)) tasks.push_back(tick(run));
  run.loop.run(tasks);  // <1> start all, then submit and reap in batches
}
// end::io_uring_run[]

// A ring of eight entries, made and given back: why this kernel or sandbox refuses one.
std::string io_uring_refused() {
  try {
    uring_loop probe(8, 16);
    return "";
  } catch (const machine_limit& refused) {
    std::string why = refused.what();  // "io_uring: ...": the caller names the model
    return why.substr(why.find(": ") + 2);
  }
}

// Its connections, and the ring's own descriptor.
machine_needs connections_and_the_ring(const job& work) {
  std::size_t connections = uses_server(work.kind) ? tasks_in_flight(work) : 0;
  return {.open_files = connections + 1, .connections = connections};
}

}  // namespace

extern const model io_uring_model{
    .name = "io_uring",
    .label = "io_uring",
    .colour = "#44AA99",
    .how_it_waits = "C++20 coroutines await io_uring completions",
    .run = run_io_uring,
    .family = model_family::event_loop,
    .needs = connections_and_the_ring,
    .cannot_run_here = io_uring_refused};

}  // namespace hammertime::models
