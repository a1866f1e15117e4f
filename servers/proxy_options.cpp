#include "proxy_options.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <string_view>
#include <utility>

namespace hammertime::server {

const char* const proxy_usage_text =
    R"(usage: hammertime-proxy --upstream HOST:PORT [options]
A TCP proxy that puts latency on the wire: it forwards between its listen port and
the upstream, and holds each direction's bytes D before passing them on (as
toxiproxy's latency toxic does). Connecting is not delayed; a request's bytes reach
the upstream D after the client sent them, the answer's bytes reach the client D after
the upstream sent them, and a close reaches the other side after the bytes before it.
So one request and its answer take at least 2 x D more than without the proxy.

  --upstream HOST:PORT  where to forward to (an IP address or a name)
  --listen N            port to listen on, 0 for any free one (default 8002)
  --bind ADDR           address to listen on (default 127.0.0.1)
  --latency D           each direction's delay (alias --delay): 25ms, 250ms, 1s,
                        at most 10m (default 0ms)
  --idle-timeout D      end a link whose writes, either way, make no progress for D
                        (a side that stops reading; default 60s, at most 10m)
  --hold-per-link B     bytes held at most per link and direction; reading pauses
                        there (default 1048576)
  --hold-total B        bytes held at most over all links; reading pauses on every
                        link until writes make room (default an eighth of the
                        machine's memory, at most 1 GiB)
  --control-port N      serve GET /stats (and POST /stats/reset) on 127.0.0.1:N, 0
                        for any free one: connections, bytes, and lateness - how much
                        later than meant (arrival + D) each chunk began to be written
  --help                this text

It prints "listening on ADDR:PORT ..." once ready, and its stats as one JSON line
when SIGINT or SIGTERM stops it.
)";

namespace {

constexpr std::array<std::string_view, 9> known{
    "--upstream",     "--listen",       "--bind",          "--latency",   "--delay",
    "--control-port", "--idle-timeout", "--hold-per-link", "--hold-total"};
constexpr std::pair<std::string_view, std::string_view> same_option[] = {
    {"--delay", "--latency"}};

template <class Number>
bool parse_number(std::string_view text, Number& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

// One option's value into the options, or why it is bad.
std::optional<usage_error> read_option(const option_pair& given, proxy_options& parsed) {
  auto name = given.name, value = given.value;
  auto bad = [&](const char* expected) { return given.bad(expected); };
  if (name == "--upstream") {
    auto colon = value.rfind(':');
    auto host = colon == std::string_view::npos ? value : value.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    if (colon == std::string_view::npos || host.empty() ||
        !parse_number(value.substr(colon + 1), parsed.upstream_port) ||
        parsed.upstream_port == 0)
      return bad("HOST:PORT, like 127.0.0.1:8001");
    parsed.upstream_host = host;
  } else if (name == "--listen") {
    if (!parse_number(value, parsed.listen_port)) return bad("a port 0..65535");
  } else if (name == "--bind") {
    boost::system::error_code error;
    boost::asio::ip::make_address(std::string(value), error);
    if (error) return bad("an IP address such as 127.0.0.1");
    parsed.bind = value;
  } else if (name == "--latency" || name == "--delay") {
    auto latency = common::parse_duration(value);
    if (!latency || *latency > max_delay)
      return bad("a duration up to 10m like 25ms or 1s");
    parsed.latency = *latency;
  } else if (name == "--control-port") {
    std::uint16_t port = 0;
    if (!parse_number(value, port)) return bad("a port 0..65535");
    parsed.control_port = port;
  } else if (name == "--idle-timeout") {
    auto timeout = common::parse_duration(value);
    if (!timeout || timeout->count() == 0 || *timeout > max_delay)
      return bad("a duration from 1ms up to 10m like 3s");
    parsed.idle_timeout = *timeout;
  } else if (name == "--hold-per-link" || name == "--hold-total") {
    std::uint64_t bytes = 0;
    if (!parse_number(value, bytes) || bytes < 65536 || bytes > (std::uint64_t{1} << 40))
      return bad("a number of bytes from 65536 up to 2^40");
    (name == "--hold-total" ? parsed.hold_total : parsed.hold_per_link) = bytes;
  }
  return std::nullopt;
}

}  // namespace

std::variant<proxy_options, usage_error, help_requested> parse_proxy_options(
    int argc, char** argv) {
  auto read = read_option_pairs(argc, argv, known, same_option);
  if (auto* error = std::get_if<usage_error>(&read)) return *error;
  if (std::holds_alternative<help_requested>(read)) return help_requested{};
  proxy_options parsed;
  for (const auto& given : std::get<std::vector<option_pair>>(read))
    if (auto error = read_option(given, parsed)) return *error;
  if (parsed.upstream_host.empty())
    return usage_error{"--upstream HOST:PORT is required (see --help)"};
  return parsed;
}

}  // namespace hammertime::server
