// DIR/results.json (Google Benchmark's layout: context + benchmarks, so its compare.py
// reads it), DIR/results.csv (one row per cell run) and DIR/summary.md (the table a
// talk quotes). Rewritten, atomically, after every cell: an interrupted or killed run
// keeps every cell it finished.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <span>
#include <string>

#include "cell.hpp"
#include "cell_runner.hpp"

namespace hammertime::harness {

struct finished_cell {
  cell where;
  cell_result result;
};

// ok + not_found + failed == items, and the child reported without error.
bool is_valid(const finished_cell& done);

// One "iteration" entry per cell run, and per (model, concurrency) with more than one
// repetition an "aggregate" entry "<name>_median" with *_min / *_max fields.
boost::json::object results_json(const boost::json::object& context,
                                 std::span<const finished_cell> cells);
std::string results_csv(std::span<const finished_cell> cells);
std::string summary_markdown(const boost::json::object& context,
                             std::span<const finished_cell> cells);

// All three files, each written to a temporary name and renamed.
void write_results(const std::filesystem::path& folder, const boost::json::object& context,
                   std::span<const finished_cell> cells);

}  // namespace hammertime::harness
