// hammertime-proxy's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "options.hpp"

namespace hammertime::server {

struct proxy_options {
  std::string bind = "127.0.0.1";
  std::uint16_t listen_port = 8002;
  std::string upstream_host;  // required
  std::uint16_t upstream_port = 0;
  std::chrono::microseconds latency{0};       // each direction's bytes are held this long
  std::optional<std::uint16_t> control_port;  // GET /stats there, on loopback only
};

std::variant<proxy_options, usage_error, help_requested> parse_proxy_options(int argc,
                                                                             char** argv);

extern const char* const proxy_usage_text;

}  // namespace hammertime::server
