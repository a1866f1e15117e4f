// Repeatable draws without shared state: the n-th request's k-th draw is a pure
// function of (seed, n, k), so any thread can draw and a run repeats with its --seed.
#pragma once

#include <cstdint>

namespace hammertime::server {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Uniform in [0, 1).
inline double uniform(std::uint64_t seed, std::uint64_t request, std::uint64_t draw) {
  auto bits = splitmix64(seed ^ splitmix64(request * 4 + draw));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace hammertime::server
