// summary.md, the table a talk quotes: per (workload, model, C) the median items/s
// with min–max, the ideal and the efficiency, the attainable rate and the share of it
// reached, CPU per item, peak memory, bytes per task, kernel memory, p50 / p99, the
// tally and whether it is valid; then the failed cells with their messages.
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string>

#include "finished_cell.hpp"

namespace hammertime::harness {

std::string summary_markdown(const boost::json::object& context,
                             std::span<const finished_cell> cells);

}  // namespace hammertime::harness
