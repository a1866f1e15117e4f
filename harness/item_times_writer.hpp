// DIR/item_times/<cell>.rep<K>.json: each cell run's timeline samples (the child's
// item_times: [index, start_us, end_us], µs from the work's clock start), one file a
// cell run, written once when the cell has finished, so results.json stays lean and a
// long run does not rewrite them all after every cell. scripts/report.py and
// scripts/plot_results.py draw the timelines from them.
//
//   {"name": "flags/sequential/C:1", "repetition_index": 0, "model": "sequential",
//    "workload": "flags", "items": 676, "concurrency": 1, "delay_ms": 50,
//    "stride": 1, "unit": "us", "fields": ["index", "start_us", "end_us"],
//    "item_times": [[0, 12, 50890], ...]}
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "finished_cell.hpp"

namespace hammertime::harness {

inline constexpr const char* item_times_folder = "item_times";

// "flags/sequential/C:1", repetition 0 -> "flags_sequential_C1.rep1.json"
std::string item_times_file_name(const cell& where);
// The files of the cells that sent item_times and have none yet; a cell without any
// (a child that sent no samples, an error) gets none.
void write_item_times(const std::filesystem::path& folder,
                      std::span<const finished_cell> cells);

}  // namespace hammertime::harness
