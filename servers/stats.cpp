#include "stats.hpp"

#include <boost/json.hpp>

#include "stats_json.hpp"

namespace hammertime::server {
namespace {

constexpr auto relaxed = std::memory_order_relaxed;

std::uint64_t read(std::atomic<std::uint64_t>& value, bool reset) {
  return reset ? value.exchange(0, relaxed) : value.load(relaxed);
}

// A histogram's value: whole microseconds, none below zero.
std::uint64_t whole_microseconds(std::chrono::steady_clock::duration span) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(span).count();
  return micros > 0 ? static_cast<std::uint64_t>(micros) : 0;
}

}  // namespace

void stats::connection_opened() {
  accepted_.fetch_add(1, relaxed);
  auto open = open_.fetch_add(1, relaxed) + 1;
  auto max = max_open_.load(relaxed);
  while (open > max && !max_open_.compare_exchange_weak(max, open, relaxed)) {
  }
}

void stats::connection_closed() { open_.fetch_sub(1, relaxed); }

void stats::read_request() { read_.fetch_add(1, relaxed); }

void stats::answered(unsigned status, std::chrono::steady_clock::duration lateness) {
  by_status_[status < by_status_.size() ? status : 0].fetch_add(1, relaxed);
  lateness_.record(whole_microseconds(lateness));
}

void stats::record_own_queue(std::chrono::steady_clock::duration waited) {
  own_queue_.record(whole_microseconds(waited));
}

void stats::record_client_send_wait(std::chrono::steady_clock::duration waited) {
  client_send_wait_.record(whole_microseconds(waited));
}

void stats::injected(fault kind) {
  by_fault_[static_cast<int>(kind)].fetch_add(1, relaxed);
}

void stats::slowed() { slow_bodies_.fetch_add(1, relaxed); }

void stats::stats_asked() { stats_requests_.fetch_add(1, relaxed); }

std::string stats::to_json(bool reset) {
  boost::json::object requests{{"200", 0}, {"404", 0}};
  std::uint64_t total = 0;
  for (std::size_t status = 0; status < by_status_.size(); ++status) {
    auto count = read(by_status_[status], reset);
    if (count != 0) requests[std::to_string(status)] = count;
    total += count;
  }
  auto lateness = summary_json(lateness_.summarize());
  auto own_queue = summary_json(own_queue_.summarize());
  auto client_send_wait = summary_json(client_send_wait_.summarize());
  if (reset) {
    lateness_.reset(), own_queue_.reset(), client_send_wait_.reset();
    counting_since_.store(std::chrono::steady_clock::now(), relaxed);
  }
  auto open = open_.load(relaxed);
  auto max = reset ? max_open_.exchange(open, relaxed) : max_open_.load(relaxed);

  boost::json::object json{
      {"read", read(read_, reset)},
      {"requests", std::move(requests)},
      {"answered", total},
      {"faults",
       {{"error", read(by_fault_[int(fault::error)], reset)},
        {"reset", read(by_fault_[int(fault::reset)], reset)},
        {"truncate", read(by_fault_[int(fault::truncate)], reset)},
        {"stall", read(by_fault_[int(fault::stall)], reset)},
        {"slow_body", read(slow_bodies_, reset)}}},
      {"connections",
       {{"open", open}, {"max", max}, {"accepted", read(accepted_, reset)}}},
      {"lateness_us", std::move(lateness)},
      {"own_queue_us", std::move(own_queue)},
      {"client_send_wait_us", std::move(client_send_wait)},
      {"stats_requests", stats_requests_.load(relaxed)},
      {"cpu_seconds", own_cpu_seconds_json()},
  };
  return boost::json::serialize(json);
}

}  // namespace hammertime::server
