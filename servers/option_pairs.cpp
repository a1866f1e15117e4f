#include "option_pairs.hpp"

#include <algorithm>

#include "common/escaped.hpp"

namespace hammertime::server {

usage_error option_pair::bad(std::string_view expected) const {
  return usage_error{"bad " + std::string(name) + " '" + common::escaped(value) +
                     "': expected " + std::string(expected)};
}

std::variant<std::vector<option_pair>, usage_error, help_requested> read_option_pairs(
    int argc, char** argv, std::span<const std::string_view> known,
    std::span<const std::pair<std::string_view, std::string_view>> aliases) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h")
      return help_requested{};
  std::vector<option_pair> pairs;
  std::vector<std::pair<std::string_view, std::string_view>> seen;  // option, as given
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (std::find(known.begin(), known.end(), name) == known.end())
      return usage_error{"unknown option '" + common::escaped(name) + "' (see --help)"};
    auto option = name;
    for (auto [alias, first_name] : aliases)
      if (name == alias) option = first_name;
    for (auto [earlier, as_given] : seen)
      if (earlier == option)
        return usage_error{as_given == name
                               ? std::string(name) + " given twice"
                               : std::string(as_given) + " and " + std::string(name) +
                                     " are the same option: give one"};
    seen.emplace_back(option, name);
    if (i + 1 >= argc) return usage_error{std::string(name) + " needs a value"};
    pairs.push_back({name, argv[++i]});
  }
  return pairs;
}

}  // namespace hammertime::server
