#include "options.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <string_view>
#include <utility>

namespace hammertime::server {

const char* const usage_text = R"(usage: hammertime-server [options]
Serves the classic flags demo on loopback: GET /flags/{cc}/{cc}.gif is 200 for the 194
flags of data/flags.tsv and 404 for the other 482 codes, and so is
GET /flags/{cc}/metadata.json ({"code":"AD","country":"Andorra"}), with the same delay
and faults; GET /stats shows its counters,
POST /stats/reset shows and zeroes them (curl -X POST localhost:8001/stats/reset).

  --bind ADDR           address to listen on (default 127.0.0.1)
  --port N              port, 0 for any free one (default 8001)
  --threads N           threads running the event loop (default 1)
  --delay D             delay before each answer (alias --latency): 500ms, or
                        50ms..500ms (uniform), at most 10m; ?delay_ms=N
                        (0..600000) overrides it for one request (default 0ms)
  --header-timeout D    close a connection whose request header is not complete
                        D after its first byte (default 10s, at most 10m)
  --idle-timeout D      close a connection that sends no request for D, or that
                        reads none of an answer for D; waiting out a delay is not
                        idle (default 60s, at most 10m)
  --error-rate P        probability of a 503 answer
  --reset-rate P        probability that the connection is reset mid-response
  --truncate-rate P     probability of a body shorter than Content-Length, then close
  --stall-rate P        probability that a request is read and never answered
  --slow-body B         send bodies at B bytes per second
  --seed N              seed of the fault and delay draws (default 1)
  --help                this text
)";

namespace {

constexpr std::array<std::string_view, 13> known{
    "--bind",       "--port",           "--threads",      "--delay",
    "--latency",    "--header-timeout", "--idle-timeout", "--error-rate",
    "--reset-rate", "--truncate-rate",  "--stall-rate",   "--slow-body",
    "--seed"};
constexpr std::pair<std::string_view, std::string_view> same_option[] = {
    {"--latency", "--delay"}};

template <class Number>
bool parse_number(std::string_view text, Number& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

// One option's value into the options, or why it is bad.
std::optional<usage_error> read_option(const option_pair& given, options& parsed) {
  auto name = given.name, value = given.value;
  auto bad = [&](const char* expected) { return given.bad(expected); };
  auto rate = [&](double& field) {
    return parse_number(value, field) && field >= 0 && field <= 1;
  };
  if (name == "--bind") {
    boost::system::error_code error;
    boost::asio::ip::make_address(std::string(value), error);
    if (error) return bad("an IP address such as 127.0.0.1");
    parsed.bind = value;
  } else if (name == "--port") {
    if (!parse_number(value, parsed.port)) return bad("a port 0..65535");
  } else if (name == "--threads") {
    if (!parse_number(value, parsed.threads) || parsed.threads < 1 ||
        parsed.threads > 1024)
      return bad("1..1024");
  } else if (name == "--delay" || name == "--latency") {
    auto range = common::parse_delay_range(value);
    if (!range || range->high > max_delay)
      return bad("a duration up to 10m like 500ms, or a range like 50ms..500ms");
    parsed.delay = *range;
  } else if (name == "--header-timeout" || name == "--idle-timeout") {
    auto timeout = common::parse_duration(value);
    if (!timeout || timeout->count() == 0 || *timeout > max_timeout)
      return bad("a duration > 0 and at most 10m, like 10s");
    (name == "--idle-timeout" ? parsed.idle_timeout : parsed.header_timeout) = *timeout;
  } else if (name == "--error-rate") {
    if (!rate(parsed.faults.error)) return bad("a probability 0..1");
  } else if (name == "--reset-rate") {
    if (!rate(parsed.faults.reset)) return bad("a probability 0..1");
  } else if (name == "--truncate-rate") {
    if (!rate(parsed.faults.truncate)) return bad("a probability 0..1");
  } else if (name == "--stall-rate") {
    if (!rate(parsed.faults.stall)) return bad("a probability 0..1");
  } else if (name == "--slow-body") {
    if (!parse_number(value, parsed.slow_body_bytes_per_second) ||
        parsed.slow_body_bytes_per_second == 0)
      return bad("bytes per second, > 0");
  } else if (name == "--seed") {
    if (!parse_number(value, parsed.seed)) return bad("an unsigned integer");
  }
  return std::nullopt;
}

}  // namespace

std::variant<options, usage_error, help_requested> parse_options(int argc, char** argv) {
  auto read = read_option_pairs(argc, argv, known, same_option);
  if (auto* error = std::get_if<usage_error>(&read)) return *error;
  if (std::holds_alternative<help_requested>(read)) return help_requested{};
  options parsed;
  for (const auto& given : std::get<std::vector<option_pair>>(read)) {
    if (auto error = read_option(given, parsed)) return *error;
  }
  const auto& f = parsed.faults;
  if (f.error + f.reset + f.truncate + f.stall > 1 + 1e-9)
    return usage_error{"the fault rates add up to more than 1"};
  return parsed;
}

}  // namespace hammertime::server
