// A cell that ran, with what it measured, and the figures derived from it that every
// result file shows the same way.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "calibration.hpp"
#include "cell.hpp"
#include "cell_runner.hpp"

namespace hammertime::harness {

struct finished_cell {
  cell where;
  cell_result result;
};

// ok + not_found + failed == items, and the child reported without error.
bool is_valid(const finished_cell& done);
// How many of the flags workload's first `items` codes (AA, AB, ..., ZZ, AA, ...: past
// 676 the items go round again) have a flag: 194 per 676.
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
// What one thread of the model must do in series before its last item can end, from the
// machine's floors, in seconds (docs/columns.md); nullopt when the calibration lacks
// them. A request: an event loop opens its T connections in turn (T - 1 times the CPU
// of a connection and its request) and the last one opened makes its rounds requests;
// a blocking model's W workers open theirs at once and each makes its rounds requests
// in turn (rounds round trips). A sleep: an event loop arms all N timers; a blocking
// worker its rounds.
std::optional<double> serial_floor_seconds(const cell& where,
                                           const machine_floors& floors);
// The rate this machine allows any client of the model's family: N / the slower of
// (waiting + the serial floor) and the hammer's CPU bound. The ideal where the
// calibration lacks the floor; nullopt when there is neither delay nor floor.
std::optional<double> attainable_items_per_second(const cell& where,
                                                  const machine_floors& floors);
// items/s ÷ attainable items/s; nullopt for a run that failed or no attainable rate.
std::optional<double> of_attainable(const finished_cell& done,
                                    const machine_floors& floors);
// (peak − baseline) ÷ the tasks the child held at once (tasks_held; min(C, N) for a
// child that does not say), both in the cell's memory_method's terms; nullopt,
// with the reason in why_not, when either was not measured or the peak is below the
// baseline (a sampler that missed it).
std::optional<double> bytes_per_task(const finished_cell& done,
                                     std::string* why_not = nullptr);
// The work's CPU (user + system, workers included) per item, in µs.
double cpu_us_per_item(const finished_cell& done);
// The process's whole CPU (wait4: start-up, exit, and the work) per item, in µs.
double process_cpu_us_per_item(const finished_cell& done);
// Outside − inside: the harness's fork-to-exit time less the model's own wall time
// (the process's start-up and exit, and any tear-down the model left to its exit).
double outside_minus_inside_seconds(const finished_cell& done);
// The server answered later than 2 % of the delay it meant to inject (its lateness
// p99), or requests waited in its own queue longer than that (the p99 from the kernel's
// receipt to the server taking them up): the figure shows the server as much as the
// model. False for a zero delay and where neither was measured.
bool server_bound(const finished_cell& done);
inline constexpr double server_bound_share = 0.02;
// The same for the delay proxy (--link-delay): it passed bytes on later than 2 % of the
// delay (its lateness p99). False for a zero delay and when there is no proxy.
bool proxy_bound(const finished_cell& done);
// A benchmark's repetitions (valid ones) vary too much to quote one figure:
// (max − min) ÷ median of items/s above 10 %.
inline constexpr double unstable_spread = 0.10;
struct dispersion {
  double median = 0, min = 0, max = 0;
  double cv = 0;  // standard deviation ÷ mean (population), 0 for one value
  bool unstable = false;
};
dispersion dispersion_of(const std::vector<double>& values);
// The repetitions' CPU per item varies too much to quote one figure (CPU that mostly
// waits is mostly the VM's system time): (max − min) ÷ median above 25 %.
inline constexpr double cpu_unstable_spread = 0.25;
bool cpu_unstable(const std::vector<double>& cpu_per_item);
double median(std::vector<double> values);
// Each benchmark's repetitions together, benchmarks in family order, as Google
// Benchmark lists them (the run itself interleaves them).
std::vector<const finished_cell*> in_report_order(std::span<const finished_cell> cells);
// One benchmark (model, concurrency): [first, end) of that order.
std::size_t end_of_benchmark(std::span<const finished_cell* const> order,
                             std::size_t first);

}  // namespace hammertime::harness
