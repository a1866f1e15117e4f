#include "validity.hpp"

#include <algorithm>

#include "common/flags_table.hpp"
#include "finished_cell.hpp"
#include "models/wire/wire.hpp"
#include "number_text.hpp"

namespace hammertime::harness {
namespace {

// The place of a flag's code among the 676 (AA = 0, ZZ = 675).
std::size_t code_index(const common::flag_entry& flag) {
  return static_cast<std::size_t>(flag.code[0] - 'A') * 26 +
         static_cast<std::size_t>(flag.code[1] - 'A');
}

// How many of the first `items` items ask for the code at `index`: past 676 the items
// go round the codes again.
std::uint64_t times_asked(std::size_t index, std::size_t items) {
  return items / models::flag_code_count +
         (index < items % models::flag_code_count ? 1 : 0);
}

// A server that injects faults on its own (a --server started with --slow-body).
std::optional<std::string> fault_counter_problem(const cell_result& result) {
  if (!result.server_faults) return std::nullopt;
  std::string moved;
  for (const auto& [kind, count] : *result.server_faults)
    if (count > 0)
      moved += (moved.empty() ? "" : ", ") + kind + " " + std::to_string(count);
  if (moved.empty()) return std::nullopt;
  return "fault counters: the server injected faults the run did not ask for (" + moved +
         ")";
}

// A server that answers with bodies other than the flags (a stub's 1-byte bodies).
std::optional<std::string> body_bytes_problem(const cell& where,
                                              const cell_result& result) {
  auto expected = expected_body_bytes(where.workload, where.items);
  if (result.bytes >= expected.least && result.bytes <= expected.most)
    return std::nullopt;
  return "body bytes: " + std::to_string(result.bytes) +
         ", where the flags table gives " + std::to_string(expected.least) + " to " +
         std::to_string(expected.most);
}

// A server that does not wait the delay it is asked for.
std::optional<std::string> latency_problem(const cell& where, const cell_result& result) {
  double wait_ms = where.one_wait().count() * 1000;
  if (result.p50_ms >= wait_ms * (1 - clock_tolerance)) return std::nullopt;
  return "latency: p50 " + three_digits(result.p50_ms) + " ms is below the " +
         three_digits(wait_ms) + " ms each item waits at least";
}

// Items finished sooner than their waits allow: efficiency = the waits ÷ the wall time.
std::optional<std::string> efficiency_problem(const cell& where,
                                              const cell_result& result) {
  double waits = where.one_wait().count() * static_cast<double>(where.rounds());
  if (waits <= 0 || result.wall_seconds * (1 + clock_tolerance) >= waits)
    return std::nullopt;
  return "efficiency: " + three_digits(waits / std::max(result.wall_seconds, 1e-9)) +
         " is above 1: the items took " + three_digits(result.wall_seconds) +
         " s, their waits " + three_digits(waits) + " s at least";
}

}  // namespace

byte_range expected_body_bytes(models::workload workload, std::size_t items) {
  byte_range range;
  std::uint64_t found = 0;
  for (const auto& flag : common::flag_table()) {
    auto asked = times_asked(code_index(flag), items);
    auto body =
        flag.bytes +
        (workload == models::workload::chained ? common::flag_metadata(flag).size() : 0);
    range.least += asked * body;
    found += asked;
  }
  range.most = range.least + (items - found) * common::not_found_body.size();
  return range;
}

std::optional<std::string> validity_problem(const cell& where, const cell_result& result,
                                            bool faults_injected) {
  if (auto problem = tally_problem(where, result, faults_injected)) return problem;
  if (!models::uses_server(where.workload) || faults_injected) return std::nullopt;
  if (auto problem = fault_counter_problem(result)) return problem;
  if (auto problem = body_bytes_problem(where, result)) return problem;
  if (auto problem = latency_problem(where, result)) return problem;
  return efficiency_problem(where, result);
}

}  // namespace hammertime::harness
