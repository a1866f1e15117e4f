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

struct shared_work : shared_run {
  using shared_run::shared_run;
  uring_loop loop;
};

// tag::io_uring_sleep[]
uring_task<> sleep_items(shared_work& shared) {
  for (std::size_t index; shared.items.take(index);) {
    auto deadline = clock::now() + shared.work.delay;
    int result = co_await shared.loop.sleep_until(deadline);  // <1> a timeout op
    count_sleep(shared.counts, shared.work, deadline, result != -ETIME);  // <2>
  }
}
// end::io_uring_sleep[]

// tag::io_uring_fetch[]
// tag::chained[]
uring_task<fetch_result> get(shared_work& shared, uring_connection& link,
                             flag_response_parser& parser, std::string target,
                             clock::time_point deadline) {
  uring_loop& loop = shared.loop;
  if (link.fd < 0) {
    link.fd = open_client_socket(shared.server);
    if (link.fd < 0) co_return fetch_result{};
    int connected = co_await loop.connect(link.fd, shared.server, deadline);  // <1>
    if (connected == -EADDRNOTAVAIL)
      throw common::ran_out("connect", "no local port left",
                            common::machine_setting::local_ports);
    if (connected < 0) co_return fetch_result{};
  }
  std::string request = serialize(make_request(shared.work, std::move(target)));
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

uring_task<fetch_result> fetch_chained(shared_work& shared, uring_connection& link,
                                       flag_response_parser& parser, std::size_t i,
                                       clock::time_point deadline) {
  auto delay = shared.work.delay;
  auto metadata = co_await get(shared, link, parser, metadata_target(i, delay), deadline);
  if (metadata.outcome != outcome::ok) co_return metadata;  // <5> no country, no flag
  auto flag = co_await get(shared, link, parser, flag_target(i, delay), deadline);
  co_return chain(metadata, flag);
}
// end::chained[]

uring_task<> fetch_items(shared_work& shared) {
  uring_connection link;  // kept alive from one item to the next
  flag_response_parser parser;
  for (std::size_t i; shared.items.take(i);) {
    auto started = clock::now();
    auto deadline = started + shared.work.timeout;  // <6> one deadline per exchange
    fetch_result result;
    if (shared.work.kind == workload::chained)
      result = co_await fetch_chained(shared, link, parser, i, deadline);
    else
      result =
          co_await get(shared, link, parser, flag_target(i, shared.work.delay), deadline);
    if (result.outcome == outcome::failed) link.close();  // <7> reconnect next time
    result = work_on_body(shared.work, result);  // <8> the hammer's CPU: holds the loop
    shared.counts.count(result, clock::now() - started);
  }
}

uring_task<> tick(shared_work& shared) {  // the spinner: late while a task holds the loop
  for (ticker spinner(shared.work, &shared.counts);;) {
    co_await shared.loop.sleep_until(spinner.next());
    if (!spinner.woke()) co_return;
  }
}
// end::io_uring_fetch[]

// tag::io_uring_run[]
void run_io_uring(const job& work, tally& counts) {
  auto in_flight = tasks_in_flight(work);
  if (uses_server(work.kind)) common::require_open_files(in_flight + 1, "io_uring");
  shared_work shared(work, counts);
  std::vector<uring_task<>> tasks;
  tasks.reserve(in_flight + 1);
  for (std::size_t slot = 0; slot < in_flight; ++slot)
    tasks.push_back(work.kind == workload::sleep ? sleep_items(shared)
                                                 : fetch_items(shared));
  if (has_ticker(work)) tasks.push_back(tick(shared));
  shared.loop.run(tasks);  // <1> start all, then submit and reap in batches
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

}  // namespace

extern const model io_uring_model{"io_uring",
                                  "C++20 coroutines await io_uring completions",
                                  run_io_uring,
                                  model_family::event_loop,
                                  task_holder::nothing,
                                  std::numeric_limits<std::size_t>::max(),
                                  no_knobs,
                                  nullptr,
                                  io_uring_refused};

}  // namespace hammertime::models
