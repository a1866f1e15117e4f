#include "finished_cell.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "common/flags_table.hpp"
#include "models/wire/wire.hpp"

namespace hammertime::harness {

bool is_valid(const finished_cell& done) {
  return done.result.error.empty() && done.result.counted() == done.where.items;
}

std::size_t flags_among_first(std::size_t items) {
  // Past 676 the items go round the codes again: whole rounds, then the part left.
  auto rounds = items / models::flag_code_count;
  auto rest = items % models::flag_code_count;
  std::size_t in_a_round = 0, in_the_rest = 0;
  for (const auto& flag : common::flag_table())
    for (std::size_t index = 0; index < models::flag_code_count; ++index)
      if (models::flag_code(index) == flag.code) {
        ++in_a_round;
        if (index < rest) ++in_the_rest;
      }
  return rounds * in_a_round + in_the_rest;
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

std::optional<double> serial_floor_seconds(const cell& where,
                                           const machine_floors& floors) {
  constexpr double second = 1e-6;  // the floors are in µs
  bool one_loop = where.model->family == models::model_family::event_loop;
  auto rounds = static_cast<double>(where.rounds());
  if (where.workload == models::workload::sleep) {
    if (!floors.timer_spawn_us) return std::nullopt;
    auto armed_in_turn = one_loop ? static_cast<double>(where.items) : rounds;
    return armed_in_turn * *floors.timer_spawn_us * second;
  }
  if (!floors.connect_request_us) return std::nullopt;
  auto round_trips = rounds * *floors.connect_request_us * second;
  if (!one_loop) return round_trips;
  // The loop sends its T requests one after another, then reads their T answers as
  // they come back, in the order sent: the slower half sets the pace.
  auto step = floors.connect_request_cpu_us.value_or(*floors.connect_request_us);
  if (floors.connect_send_cpu_us && floors.answer_read_cpu_us)
    step = std::max(*floors.connect_send_cpu_us, *floors.answer_read_cpu_us);
  auto opened_before_the_last = static_cast<double>(where.tasks_in_flight()) - 1;
  return opened_before_the_last * step * second + round_trips;
}

std::optional<double> attainable_items_per_second(const cell& where,
                                                  const machine_floors& floors) {
  // A cell with nothing to wait for has no ideal, and no attainable rate either: the
  // floor is a new connection a request, and such a cell reuses its connections.
  auto ideal = ideal_items_per_second(where);
  auto floor = serial_floor_seconds(where, floors);
  if (!ideal || !floor) return ideal;
  // The ideal's wait or work is above 0, and a floor is never below it.
  auto seconds = std::max(where.waiting().count() + *floor, where.computing().count());
  return static_cast<double>(where.items) / seconds;
}

std::optional<double> of_attainable(const finished_cell& done,
                                    const machine_floors& floors) {
  auto attainable = attainable_items_per_second(done.where, floors);
  if (!attainable || !done.result.error.empty()) return std::nullopt;
  return items_per_second(done) / *attainable;
}

std::optional<double> bytes_per_task(const finished_cell& done, std::string* why_not) {
  const auto& r = done.result;
  auto baseline = r.baseline_memory_bytes();
  std::string why;
  if (!r.peak_memory_bytes)
    why = "no peak";
  else if (!baseline)
    why = "no baseline";
  else if (*r.peak_memory_bytes < *baseline)
    why = "peak below the baseline";
  else
    return static_cast<double>(*r.peak_memory_bytes - *baseline) /
           static_cast<double>(std::max<std::uint64_t>(
               r.tasks_held.value_or(done.where.tasks_in_flight()), 1));
  if (why_not) *why_not = why;
  return std::nullopt;
}

double cpu_us_per_item(const finished_cell& done) {
  return (done.result.cpu_user_s + done.result.cpu_system_s) * 1e6 /
         static_cast<double>(done.where.items);
}

double process_cpu_us_per_item(const finished_cell& done) {
  return (done.result.process_cpu_user_s + done.result.process_cpu_system_s) * 1e6 /
         static_cast<double>(done.where.items);
}

double outside_minus_inside_seconds(const finished_cell& done) {
  return done.result.seconds_outside - done.result.wall_seconds;
}

namespace {

// A lateness p99 above server_bound_share of the cell's delay.
bool late_beyond_share(const finished_cell& done, std::optional<double> lateness_p99_ms) {
  auto delay_ms = static_cast<double>(done.where.delay.count());
  return lateness_p99_ms && delay_ms > 0 &&
         *lateness_p99_ms > server_bound_share * delay_ms;
}

}  // namespace

bool server_bound(const finished_cell& done) {
  auto p99_of =
      [](const std::optional<server_lateness>& figure) -> std::optional<double> {
    if (!figure) return std::nullopt;
    return figure->p99_ms;
  };
  return late_beyond_share(done, p99_of(done.result.server_lateness_ms)) ||
         late_beyond_share(done, p99_of(done.result.server_own_queue_ms));
}

bool proxy_bound(const finished_cell& done) {
  return late_beyond_share(done, done.result.proxy_lateness_p99_ms);
}

dispersion dispersion_of(const std::vector<double>& values) {
  dispersion d;
  if (values.empty()) return d;
  d.median = median(values);
  auto [low, high] = std::minmax_element(values.begin(), values.end());
  d.min = *low, d.max = *high;
  double mean = 0, squares = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  for (double v : values) squares += (v - mean) * (v - mean);
  d.cv = mean > 0 ? std::sqrt(squares / static_cast<double>(values.size())) / mean : 0;
  d.unstable = d.median > 0 && (d.max - d.min) / d.median > unstable_spread;
  return d;
}

bool cpu_unstable(const std::vector<double>& cpu_per_item) {
  auto d = dispersion_of(cpu_per_item);
  return cpu_per_item.size() > 1 && d.median > 0 &&
         (d.max - d.min) / d.median > cpu_unstable_spread;
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
