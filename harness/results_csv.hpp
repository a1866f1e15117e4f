// results.csv: one row per cell run, a column per measure; empty where a measure was
// not taken (results.json says why).
#pragma once

#include <span>
#include <string>

#include "finished_cell.hpp"

namespace hammertime::harness {

std::string results_csv(std::span<const finished_cell> cells);

}  // namespace hammertime::harness
