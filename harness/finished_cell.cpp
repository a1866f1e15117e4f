#include "finished_cell.hpp"

#include <algorithm>
#include <tuple>

namespace hammertime::harness {

bool is_valid(const finished_cell& done) {
  return done.result.error.empty() && done.result.counted() == done.where.items;
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
