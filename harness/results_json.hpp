// results.json in Google Benchmark's layout (context + benchmarks), so its compare.py
// reads it.
#pragma once

#include <boost/json/object.hpp>
#include <span>

#include "finished_cell.hpp"

namespace hammertime::harness {

// One "iteration" entry per cell run, and per (model, concurrency) with more than one
// repetition an "aggregate" entry "<name>_median" with *_min / *_max fields.
boost::json::object results_json(const boost::json::object& context,
                                 std::span<const finished_cell> cells);

}  // namespace hammertime::harness
