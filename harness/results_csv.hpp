// results.csv: one row per cell run, a column per measure; empty where a measure was
// not taken (results.json says why).
#pragma once

#include <span>
#include <string>

#include "finished_cell.hpp"

namespace hammertime::harness {

// floors: the run's calibration (floors_of its context), for the attainable rate.
std::string results_csv(std::span<const finished_cell> cells,
                        const machine_floors& floors);

}  // namespace hammertime::harness
