// The one rulebook of the server's and the proxy's command lines: `--name value`
// pairs, each name known and given once, each with a value, echoed escaped.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hammertime::server {

struct usage_error {
  std::string message;  // one line, naming the bad argument
};
struct help_requested {};

// A command line of `--name value` pairs read by one rulebook, the server's and the
// proxy's: each name known and given once (two names of one option count as one), each
// with a value; what was given is echoed escaped. --help (or -h) anywhere asks for help.
//
//   read_option_pairs(argc, argv, {"--port", "--delay", "--latency"},
//                     {{"--latency", "--delay"}})  ->  {{"--port", "0"}, ...}
struct option_pair {
  std::string_view name, value;
  usage_error bad(std::string_view expected) const;  // "bad NAME 'VALUE': expected ..."
};
std::variant<std::vector<option_pair>, usage_error, help_requested> read_option_pairs(
    int argc, char** argv, std::span<const std::string_view> known,
    std::span<const std::pair<std::string_view, std::string_view>> aliases = {});

}  // namespace hammertime::server
