// Which fault, if any, one request gets: one uniform draw u in [0, 1) falls into
// consecutive slices [stall | error | reset | truncate | none], each as wide as its rate.
#pragma once

#include "options.hpp"

namespace hammertime::server {

enum class fault { none, stall, error, reset, truncate };

inline fault pick_fault(const fault_rates& rates, double u) {
  if ((u -= rates.stall) < 0) return fault::stall;
  if ((u -= rates.error) < 0) return fault::error;
  if ((u -= rates.reset) < 0) return fault::reset;
  if ((u -= rates.truncate) < 0) return fault::truncate;
  return fault::none;
}

}  // namespace hammertime::server
