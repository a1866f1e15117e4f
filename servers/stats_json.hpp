// The parts of GET /stats that hammertime-server and hammertime-proxy share: a
// lateness histogram's summary and the process's own CPU time.
#pragma once

#include <sys/resource.h>

#include <boost/json.hpp>

#include "common/histogram.hpp"

namespace hammertime::server {

inline boost::json::object summary_json(const common::histogram::summary& summary) {
  return {{"count", summary.count},
          {"p50", summary.p50},
          {"p99", summary.p99},
          {"max", summary.max}};
}

// {"user": s, "system": s} of this process so far.
inline boost::json::object own_cpu_seconds_json() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) { return time.tv_sec + time.tv_usec / 1e6; };
  return {{"user", seconds(usage.ru_utime)}, {"system", seconds(usage.ru_stime)}};
}

}  // namespace hammertime::server
