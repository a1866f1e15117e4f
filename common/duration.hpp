// Durations as people type them: "500ms", "1s", "250us", "2m", and delay ranges
// "50ms..500ms". Shared by hammertime-server's and the harness's command lines.
#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string_view>

namespace hammertime::common {

struct delay_range {
  std::chrono::microseconds low{0};
  std::chrono::microseconds high{0};  // == low for a fixed delay
};

// "100ms" -> 100000us; nullopt for anything malformed, negative (-0 too), not finite
// (nan, inf) or beyond what microseconds hold. A bare number is rejected: a unit is
// required, so "100" cannot mean two things.
inline std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end == text.data() || !std::isfinite(value) ||
      std::signbit(value))
    return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  double scale = 0;
  if (unit == "us")
    scale = 1;
  else if (unit == "ms")
    scale = 1e3;
  else if (unit == "s")
    scale = 1e6;
  else if (unit == "m")
    scale = 60e6;
  else
    return std::nullopt;
  double micros = value * scale;
  if (micros >= static_cast<double>(std::chrono::microseconds::max().count()))
    return std::nullopt;
  return std::chrono::microseconds(
      static_cast<std::chrono::microseconds::rep>(micros + 0.5));
}

// "500ms" (fixed) or "50ms..500ms" (uniform in between); nullopt when malformed or
// when the range runs backwards.
inline std::optional<delay_range> parse_delay_range(std::string_view text) {
  auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    auto fixed = parse_duration(text);
    if (!fixed) return std::nullopt;
    return delay_range{*fixed, *fixed};
  }
  auto low = parse_duration(text.substr(0, dots));
  auto high = parse_duration(text.substr(dots + 2));
  if (!low || !high || *high < *low) return std::nullopt;
  return delay_range{*low, *high};
}

}  // namespace hammertime::common
