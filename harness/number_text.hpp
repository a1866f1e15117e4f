// A figure as a row or a message shows it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace hammertime::harness {

// Three significant digits, never an exponent, never "0.000" for a figure that is not 0:
// 0.000661, 0.661, 6.61, 66.1, 661, 6610.
inline std::string three_digits(double value) {
  if (value == 0 || !std::isfinite(value)) return value == 0 ? "0" : "n/a";
  int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  int decimals = std::max(0, 2 - magnitude);
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace hammertime::harness
