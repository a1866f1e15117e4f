// Whether a row is a measurement: its tally first (tally_problem), then, for a cell
// that talks to the server and asked for no faults, that the server is what it says:
//
//   if (auto problem = validity_problem(one, result, faults_injected))
//     result.error = *problem;  // "body bytes: 20, where the flags table gives ..."
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cell.hpp"
#include "cell_runner.hpp"

namespace hammertime::harness {

// How far the clocks of the child, the server and the proxy may disagree, as a share
// of the waits a check compares with.
inline constexpr double clock_tolerance = 0.01;

// The body bytes the answers to the first `items` codes bring, by the flags table: at
// least the found items' (each flag, and for the chained workload its metadata too), at
// most that and hammertime-server's 404 body for each code not found.
struct byte_range {
  std::uint64_t least = 0, most = 0;
};
byte_range expected_body_bytes(models::workload workload, std::size_t items);

// Why the row is not a measurement, one line that names the check it failed, or nullopt
// when it is one. In order: the tally; then, unless the run asked for faults, the
// server's fault counters did not move, the body bytes are the flags table's, the p50
// is at least one wait (the delay and twice the link delay) and the efficiency against
// the waits is at most 1, both within clock_tolerance.
std::optional<std::string> validity_problem(const cell& where, const cell_result& result,
                                            bool faults_injected);

}  // namespace hammertime::harness
