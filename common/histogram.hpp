// A lock-free histogram of microseconds: exact below 1024 us, then 64 buckets per
// power of two (within 1.6 %). Any thread records; percentiles read a snapshot.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace hammertime::common {

class histogram {
 public:
  struct summary {
    std::uint64_t count = 0, p50 = 0, p99 = 0, max = 0;
  };

  void record(std::uint64_t micros) {
    buckets_[index(micros)].fetch_add(1, std::memory_order_relaxed);
    auto seen = max_.load(std::memory_order_relaxed);
    while (micros > seen &&
           !max_.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
    }
  }

  summary summarize() const {
    std::array<std::uint64_t, bucket_count> counts;
    summary result;
    for (std::size_t i = 0; i < bucket_count; ++i)
      result.count += counts[i] = buckets_[i].load(std::memory_order_relaxed);
    result.max = max_.load(std::memory_order_relaxed);
    result.p50 = percentile(counts, result.count, 0.50, result.max);
    result.p99 = percentile(counts, result.count, 0.99, result.max);
    return result;
  }

  void reset() {
    for (auto& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
    max_.store(0, std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t exact = 1024, per_octave = 64, octaves = 40;
  static constexpr std::size_t bucket_count = exact + octaves * per_octave;

  static std::size_t index(std::uint64_t micros) {
    if (micros < exact) return micros;
    auto octave = std::bit_width(micros) - 1;  // >= 10
    auto sub = (micros >> (octave - 6)) & (per_octave - 1);
    return std::min(bucket_count - 1, exact + (octave - 10) * per_octave + sub);
  }

  // The highest value that lands in bucket i.
  static std::uint64_t upper_bound(std::size_t i) {
    if (i < exact) return i;
    auto octave = (i - exact) / per_octave + 10, sub = (i - exact) % per_octave;
    return ((per_octave + sub + 1) << (octave - 6)) - 1;
  }

  static std::uint64_t percentile(const std::array<std::uint64_t, bucket_count>& counts,
                                  std::uint64_t total, double fraction,
                                  std::uint64_t max) {
    if (total == 0) return 0;
    auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(fraction * total + 0.999999));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i)
      if ((seen += counts[i]) >= rank) return std::min(upper_bound(i), max);
    return max;
  }

  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace hammertime::common
