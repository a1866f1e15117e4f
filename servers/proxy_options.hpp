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
  // A write to either side that makes no progress for this long ends the link: a
  // client that never reads cannot hold the proxy's descriptors and bytes forever.
  std::chrono::microseconds idle_timeout{std::chrono::seconds(60)};
  // Bytes held at most per link and direction (reading pauses there), and in all, over
  // every link (reading pauses on every link until writes make room). 0: the default,
  // an eighth of the machine's memory, at most 1 GiB.
  std::uint64_t hold_per_link = 1 << 20;
  std::uint64_t hold_total = 0;
};

std::variant<proxy_options, usage_error, help_requested> parse_proxy_options(int argc,
                                                                             char** argv);

extern const char* const proxy_usage_text;

}  // namespace hammertime::server
