// io_uring: completions instead of readiness. One thread, C coroutines; each co_awaits
// an operation the kernel does for it (connect, send, recv, each with a linked timeout;
// a sleep is a timeout op), and the loop (uring_loop.hpp) submits them in batches and
// resumes each task when its completion is reaped.
//   $ build/bin/hammertime run --workload flags --models io_uring --delay 500ms
//   flags/io_uring/C:676   1,248 items/s   (ideal 1,352; 2 shared cores, median of 5)
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "async_wire.hpp"
#include "machine_limits.hpp"
#include "uring_loop.hpp"
#include "wire.hpp"

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

// One task's keep-alive connection: the socket, the bytes the parser left, a buffer
// the kernel receives into (it must outlive each recv).
struct connection {
  int fd = -1;
  std::string unparsed;
  std::vector<char> buffer = std::vector<char>(16 * 1024);

  ~connection() { close(); }
  void close() noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
    unparsed.clear();
  }
};

// tag::io_uring_fetch[]
uring_task<fetch_result> fetch(shared_work& shared, connection& link,
                               flag_response_parser& parser, std::size_t index,
                               clock::time_point deadline) {
  uring_loop& loop = shared.loop;
  if (link.fd < 0) {
    link.fd = open_client_socket(shared.server);
    if (link.fd < 0) co_return fetch_result{};
    int connected = co_await loop.connect(link.fd, shared.server, deadline);  // <1>
    if (connected == -EADDRNOTAVAIL)
      throw ran_out("connect", "no local port left", machine_setting::local_ports);
    if (connected < 0) co_return fetch_result{};
  }
  std::string request = serialize(make_flag_request(shared.work, index));
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
  co_return state == parse_state::done ? to_fetch_result(parser) : fetch_result{};
}

uring_task<> fetch_items(shared_work& shared) {
  connection link;  // kept alive from one item to the next
  flag_response_parser parser;
  for (std::size_t index; shared.items.take(index);) {
    auto started = clock::now();
    auto deadline = started + shared.work.timeout;  // <4> one deadline per exchange
    auto result = co_await fetch(shared, link, parser, index, deadline);
    if (result.outcome == outcome::failed || !parser.keep_alive()) link.close();  // <5>
    shared.counts.count(result, clock::now() - started);
  }
}
// end::io_uring_fetch[]

// tag::io_uring_run[]
void run_io_uring(const job& work, tally& counts) {
  auto in_flight = tasks_in_flight(work);
  if (work.kind == workload::flags) require_open_files(in_flight + 1, "io_uring");
  shared_work shared(work, counts);
  std::vector<uring_task<>> tasks;
  tasks.reserve(in_flight);
  for (std::size_t slot = 0; slot < in_flight; ++slot)
    tasks.push_back(work.kind == workload::sleep ? sleep_items(shared)
                                                 : fetch_items(shared));
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
