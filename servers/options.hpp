// hammertime-server's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

#include "common/duration.hpp"
#include "option_pairs.hpp"

namespace hammertime::server {

// Per-request probabilities; at most one fault per request, so they add up to <= 1.
struct fault_rates {
  double error = 0;     // answer 503
  double reset = 0;     // send part of the response, then RST
  double truncate = 0;  // fewer body bytes than Content-Length, then close
  double stall = 0;     // read the request, never answer
};

// The longest wait the server takes on, from --delay or ?delay_ms=N: longer is refused.
inline constexpr std::chrono::milliseconds max_delay = std::chrono::minutes(10);
inline constexpr std::chrono::milliseconds max_timeout = std::chrono::minutes(10);

struct options {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8001;  // the original demo's port
  unsigned threads = 1;
  common::delay_range delay;  // ?delay_ms=N overrides it per request
  // A connection is closed when its request header is not complete this long after its
  // first byte, or when it sends no request for idle_timeout (a delay is not idle).
  std::chrono::microseconds header_timeout = std::chrono::seconds(10);
  std::chrono::microseconds idle_timeout = std::chrono::seconds(60);
  fault_rates faults;
  std::uint64_t slow_body_bytes_per_second = 0;  // 0: the body goes out at once
  std::uint64_t seed = 1;
};

std::variant<options, usage_error, help_requested> parse_options(int argc, char** argv);

extern const char* const usage_text;

}  // namespace hammertime::server
