// A plan checked against the limits of the machine before any long work: open files,
// local ports, threads, process ids, memory maps. A problem is one line naming the
// limit and how to lift it (models/machine_limits.hpp says both).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "cell.hpp"
#include "common/machine_limits.hpp"

namespace hammertime::harness {

// The first cell whose needs exceed a limit, as one line; nullopt when all fit. Open
// files are counted in each process a cell has: its child, the proxy of a link delay,
// and the server when the harness starts it (not a --server URL).
std::optional<std::string> first_limit_problem(std::span<const cell> cells,
                                               const common::machine_limits& limits,
                                               bool harness_starts_server = true);

// The first model of the plan that says this machine cannot run it at all
// (model::cannot_run_here: a kernel that refuses io_uring), as one line; nullopt when
// every model can run.
std::optional<std::string> first_model_that_cannot_run(std::span<const cell> cells);

}  // namespace hammertime::harness
