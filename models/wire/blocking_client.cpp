#include "blocking_client.hpp"

#include <httplib.h>

#include <thread>

#include "models/workloads/hammer_work.hpp"
#include "wire.hpp"

namespace hammertime::models {

blocking_client::blocking_client(const job& work)
    : job_(work), http_(std::make_unique<httplib::Client>(work.host, work.port)) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  auto timeout = duration_cast<microseconds>(work.timeout).count();
  http_->set_keep_alive(true);
  http_->set_connection_timeout(timeout / 1'000'000, timeout % 1'000'000);
  http_->set_read_timeout(timeout / 1'000'000, timeout % 1'000'000);
  http_->set_write_timeout(timeout / 1'000'000, timeout % 1'000'000);
}

blocking_client::~blocking_client() = default;

fetch_result blocking_client::fetch(std::size_t index) {
  return get(flag_target(index, job_.delay));
}

fetch_result blocking_client::get(const std::string& target) {
  // cpp-httplib's read timeout bounds each recv, not the request: a body that trickles
  // in would never trip it. The receiver enforces the request's whole deadline.
  auto deadline = clock::now() + job_.timeout;
  std::size_t bytes = 0;
  auto response = http_->Get(target, [&](const char*, std::size_t length) {
    bytes += length;
    return clock::now() < deadline;
  });
  if (!response) return {outcome::failed, 0};
  return {classify(response->status), bytes};
}

// tag::chained[]
fetch_result fetch_chained(blocking_client& client, const job& work, std::size_t index) {
  auto metadata = client.get(metadata_target(index, work.delay));  // <1> blocks
  if (metadata.outcome != outcome::ok) return metadata;  // <2> no country, no flag
  return chain(metadata, client.get(flag_target(index, work.delay)));
}
// end::chained[]

timed_result time_blocking_item(const job& work, blocking_connection& connection,
                                std::size_t index) {
  if (work.kind == workload::sleep) {
    auto deadline = clock::now() + work.delay;
    std::this_thread::sleep_until(deadline);
    return {{outcome::ok, 0}, sleep_latency(work, deadline)};
  }
  auto started = clock::now();
  auto result = work.kind == workload::chained ? fetch_chained(*connection, work, index)
                                               : connection->fetch(index);
  return {work_on_body(work, result), clock::now() - started};
}

void count_blocking_item(const job& work, blocking_connection& connection,
                         std::size_t index, tally& counts) {
  auto done = time_blocking_item(work, connection, index);
  counts.count(done.result, done.latency);
}

blocking_connection connection_for(const job& work) {
  blocking_connection connection;
  if (uses_server(work.kind)) connection.emplace(work);
  return connection;
}

}  // namespace hammertime::models
