// A peer's environment setting ("NAME=value", the value maybe with spaces) as one word
// of a shell command line: NAME='value'.
#pragma once

#include <string>
#include <string_view>

namespace hammertime::testing {

inline std::string quoted_assignment(std::string_view setting) {
  auto equals = setting.find('=');
  if (equals == std::string_view::npos) return std::string(setting);
  return std::string(setting.substr(0, equals + 1)) + "'" +
         std::string(setting.substr(equals + 1)) + "'";
}

}  // namespace hammertime::testing
