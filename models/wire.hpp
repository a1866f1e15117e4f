// The wire every model shares: which item is which flag, the URL to ask for it,
// and what an HTTP status means for the tally.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "model.hpp"

namespace hammertime::models {

// The classic demo's item list: every two-letter code AA, AB, ..., ZZ.
inline constexpr std::size_t flag_code_count = 26 * 26;

// "AA" for 0, "AB" for 1, ..., "ZZ" for 675.
std::string flag_code(std::size_t index);

// "/flags/ad/ad.gif?delay_ms=100": the demo's path (lower case), with the run's delay
// asked explicitly so that the ideal a run is compared with is the delay it really got.
std::string flag_target(std::size_t index, std::chrono::milliseconds delay);

// What one request came to: its outcome and the body bytes it brought.
struct fetch_result {
  outcome result = outcome::failed;
  std::size_t bytes = 0;
};

// 200 is a flag, 404 a code that does not exist, anything else a failure.
outcome classify(int http_status);

}  // namespace hammertime::models
