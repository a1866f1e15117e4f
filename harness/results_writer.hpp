// The file set of a run's folder: DIR/results.json (results_json.hpp), DIR/results.csv
// (results_csv.hpp) and DIR/summary.md (summary_table.hpp, the table a talk quotes).
// Rewritten, atomically and as one set, after every cell: an interrupted or killed run
// keeps every cell it finished.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <span>

#include "finished_cell.hpp"

namespace hammertime::harness {

// results.json, results.csv and summary.md, written as one set:
// a reader, or a run killed at any moment, sees all three from the same cells (see
// results_writer.cpp for how).
void write_results(const std::filesystem::path& folder,
                   const boost::json::object& context,
                   std::span<const finished_cell> cells);
// At the end of a run: the three names become plain files again (the set's last
// version), and the hidden set folders go.
void settle_results(const std::filesystem::path& folder);

}  // namespace hammertime::harness
