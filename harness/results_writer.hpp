// DIR/results.json (Google Benchmark's layout: context + benchmarks, so its compare.py
// reads it), DIR/results.csv (one row per cell run) and DIR/summary.md (the table a
// talk quotes). Rewritten, atomically and as one set, after every cell: an interrupted
// or killed run keeps every cell it finished.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <span>
#include <string>

#include "finished_cell.hpp"

namespace hammertime::harness {

// One "iteration" entry per cell run, and per (model, concurrency) with more than one
// repetition an "aggregate" entry "<name>_median" with *_min / *_max fields.
boost::json::object results_json(const boost::json::object& context,
                                 std::span<const finished_cell> cells);
std::string results_csv(std::span<const finished_cell> cells);

// results.json, results.csv and summary.md (summary_table.hpp), written as one set:
// a reader, or a run killed at any moment, sees all three from the same cells (see
// results_writer.cpp for how).
void write_results(const std::filesystem::path& folder,
                   const boost::json::object& context,
                   std::span<const finished_cell> cells);
// At the end of a run: the three names become plain files again (the set's last
// version), and the hidden set folders go.
void settle_results(const std::filesystem::path& folder);

}  // namespace hammertime::harness
