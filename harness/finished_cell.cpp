#include "finished_cell.hpp"

#include <algorithm>
#include <tuple>

#include "flags_table.hpp"
#include "wire.hpp"

namespace hammertime::harness {

bool is_valid(const finished_cell& done) {
  return done.result.error.empty() && done.result.counted() == done.where.items;
}

std::size_t flags_among_first(std::size_t items) {
  items = std::min(items, models::flag_code_count);
  std::size_t found = 0;
  for (const auto& flag : server::flag_table())
    for (std::size_t index = 0; index < items; ++index)
      if (models::flag_code(index) == flag.code) ++found;
  return found;
}

std::optional<std::string> tally_problem(const cell& where, const cell_result& result,
                                         bool faults_injected) {
  auto counts = std::to_string(result.ok) + " ok / " + std::to_string(result.not_found) +
                " not found / " + std::to_string(result.failed) + " failed";
  if (result.counted() != where.items)
    return "the tally does not add up to " + std::to_string(where.items) + ": " + counts;
  if (!models::uses_server(where.workload) || faults_injected) return std::nullopt;
  auto expected_ok = flags_among_first(where.items);
  auto expected_not_found = where.items - expected_ok;
  if (result.ok == expected_ok && result.not_found == expected_not_found)
    return std::nullopt;
  return "expected " + std::to_string(expected_ok) + " ok / " +
         std::to_string(expected_not_found) + " not found, got " +
         std::to_string(result.ok) + " / " + std::to_string(result.not_found) + " (" +
         std::to_string(result.failed) + " failed)";
}

double items_per_second(const finished_cell& done) {
  return static_cast<double>(done.result.counted()) /
         std::max(done.result.wall_seconds, 1e-9);
}

std::optional<double> ideal_items_per_second(const cell& where) {
  auto ideal = where.ideal().count();
  if (ideal <= 0) return std::nullopt;
  return static_cast<double>(where.items) / ideal;
}

double bytes_per_task(const finished_cell& done) {
  const auto& r = done.result;
  auto above = r.peak_pss_bytes > r.baseline_pss_bytes
                   ? r.peak_pss_bytes - r.baseline_pss_bytes
                   : 0;
  return static_cast<double>(above) / static_cast<double>(done.where.tasks_in_flight());
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::vector<const finished_cell*> in_report_order(std::span<const finished_cell> cells) {
  std::vector<const finished_cell*> order;
  for (const auto& done : cells) order.push_back(&done);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->where.family_index, a->where.instance_index, a->where.repetition) <
           std::tie(b->where.family_index, b->where.instance_index, b->where.repetition);
  });
  return order;
}

std::size_t end_of_benchmark(std::span<const finished_cell* const> order,
                             std::size_t first) {
  auto end = first;
  while (end < order.size() &&
         order[end]->where.family_index == order[first]->where.family_index &&
         order[end]->where.instance_index == order[first]->where.instance_index)
    ++end;
  return end;
}

}  // namespace hammertime::harness
