// A cell that ran, with what it measured, and the figures derived from it that every
// result file shows the same way.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cell.hpp"
#include "cell_runner.hpp"

namespace hammertime::harness {

struct finished_cell {
  cell where;
  cell_result result;
};

// ok + not_found + failed == items, and the child reported without error.
bool is_valid(const finished_cell& done);
// How many of the flags workload's first `items` codes (AA, AB, ...) have a flag.
std::size_t flags_among_first(std::size_t items);
// Why a reported tally is not a measurement, or nullopt when it is one: the counts must
// add up to N, and a flags cell run without injected faults must get exactly the
// flags that exist among its N codes, the rest not found, none failed.
std::optional<std::string> tally_problem(const cell& where, const cell_result& result,
                                         bool faults_injected);
// Items counted ÷ the model's wall time.
double items_per_second(const finished_cell& done);
// N / (ceil(N/C) x delay); nullopt for a zero delay.
std::optional<double> ideal_items_per_second(const cell& where);
// (peak - baseline) ÷ min(C, N).
double bytes_per_task(const finished_cell& done);
double median(std::vector<double> values);
// Each benchmark's repetitions together, benchmarks in family order, as Google
// Benchmark lists them (the run itself interleaves them).
std::vector<const finished_cell*> in_report_order(std::span<const finished_cell> cells);
// One benchmark (model, concurrency): [first, end) of that order.
std::size_t end_of_benchmark(std::span<const finished_cell* const> order,
                             std::size_t first);

}  // namespace hammertime::harness
