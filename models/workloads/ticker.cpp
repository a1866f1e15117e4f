#include "ticker.hpp"

#include <sys/mman.h>

#include <new>

#include "common/histogram.hpp"

namespace hammertime::models {
namespace {

// Mapped shared before any fork, so each worker process records into the same one.
common::histogram* map_recorder() {
  void* memory = mmap(nullptr, sizeof(common::histogram), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  return new (memory) common::histogram();
}

common::histogram& recorder() {
  static common::histogram* shared = map_recorder();
  return *shared;
}
[[maybe_unused]] const bool mapped_at_start = (recorder(), true);

}  // namespace

ticker::ticker(const job& work, const tally* counts)
    : work_(work), counts_(counts), next_(clock::now() + work.ticker) {}

bool ticker::woke() {
  auto now = clock::now();
  auto late = std::chrono::duration_cast<std::chrono::microseconds>(now - next_).count();
  recorder().record(late > 0 ? static_cast<std::uint64_t>(late) : 0);
  next_ = now + work_.ticker;
  return counts_ == nullptr || counts_->finished() < work_.items;
}

ticker_thread::ticker_thread(const job& work) {
  if (!has_ticker(work)) return;
  thread_ = std::thread([this, &work] {
    std::unique_lock lock(mutex_);
    for (ticker ticks(work);;) {
      if (wake_.wait_until(lock, ticks.next(), [this] { return stop_; })) return;
      ticks.woke();
    }
  });
}

ticker_thread::~ticker_thread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void reset_ticker_lag() { recorder().reset(); }

lag_summary ticker_lag() {
  auto seen = recorder().summarize();
  return {seen.count, seen.p50 / 1000.0, seen.p99 / 1000.0, seen.max / 1000.0};
}

}  // namespace hammertime::models
