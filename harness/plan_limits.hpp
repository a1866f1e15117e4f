// A plan checked against the limits of the machine before any long work: open files,
// local ports, threads, process ids, memory maps. A problem is one line naming the
// limit and how to lift it (models/machine_limits.hpp says both).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "cell.hpp"
#include "machine_limits.hpp"

namespace hammertime::harness {

// The first cell whose needs exceed a limit, as one line; nullopt when all fit.
std::optional<std::string> first_limit_problem(std::span<const cell> cells,
                                               const models::machine_limits& limits);

}  // namespace hammertime::harness
