#include "blocking_client.hpp"

#include <httplib.h>

#include <thread>

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
  // cpp-httplib's read timeout bounds each recv, not the request: a body that trickles
  // in would never trip it. The receiver enforces the request's whole deadline.
  auto deadline = std::chrono::steady_clock::now() + job_.timeout;
  std::size_t bytes = 0;
  auto response = http_->Get(flag_target(index, job_.delay),
                             [&](const char*, std::size_t length) {
                               bytes += length;
                               return std::chrono::steady_clock::now() < deadline;
                             });
  if (!response) return {outcome::failed, 0};
  return {classify(response->status), bytes};
}

fetch_result do_blocking_item(const job& work, blocking_client* client, std::size_t index,
                              std::chrono::steady_clock::duration& latency) {
  auto started = std::chrono::steady_clock::now();
  fetch_result result{outcome::ok, 0};
  if (work.kind == workload::sleep)
    std::this_thread::sleep_for(work.delay);
  else
    result = client->fetch(index);
  latency = std::chrono::steady_clock::now() - started;
  return result;
}

void run_blocking_item(const job& work, blocking_client* client, std::size_t index,
                       tally& counts) {
  std::chrono::steady_clock::duration latency{};
  auto result = do_blocking_item(work, client, index, latency);
  counts.count(result.result, result.bytes, latency);
}

}  // namespace hammertime::models
