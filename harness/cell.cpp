#include "cell.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

#include "finished_cell.hpp"
#include "model_selection.hpp"
#include "models/wire/wire.hpp"

namespace hammertime::harness {

std::string cell::name() const {
  auto name = std::string(models::to_string(workload)) + "/" + std::string(model->name) +
              "/C:" + std::to_string(concurrency);
  // Past one round of the 676 codes (a zero-delay throughput cell) a cell says so.
  if (models::uses_server(workload) && items > models::flag_code_count)
    name += "/N:" + std::to_string(items);
  if (workload == models::workload::hammer)
    name += "/work_us:" + std::to_string(work_us.count());
  if (ticker.count() > 0) name += "/ticker:" + std::to_string(ticker.count()) + "ms";
  if (link_delay.count() > 0)
    name += "/link_delay:" + std::to_string(link_delay.count()) + "ms";
  return name;
}

std::size_t cell::rounds() const {
  auto at_once = std::max<std::size_t>(models::waits_at_once(*model, work()), 1);
  if (workload != models::workload::chained) return (items + at_once - 1) / at_once;
  auto found = flags_among_first(items);
  auto delays = items + found;  // a found item waits for its metadata, then its flag
  return std::max<std::size_t>((delays + at_once - 1) / at_once, found > 0 ? 2 : 1);
}

std::chrono::duration<double> cell::one_wait() const {
  return std::chrono::duration<double>(delay + 2 * link_delay);
}

std::chrono::duration<double> cell::waiting() const {
  return one_wait() * static_cast<double>(rounds());
}

std::chrono::duration<double> cell::computing() const {
  if (workload != models::workload::hammer) return {};
  auto cores = models::cores_it_can_use(*model, work());
  return std::chrono::duration<double>(work_us) * static_cast<double>(items) /
         static_cast<double>(cores);
}

std::chrono::duration<double> cell::ideal() const {
  return std::max(waiting(), computing());
}

std::size_t cell::tasks_in_flight() const { return models::tasks_in_flight(work()); }

models::job cell::work() const {
  models::job job;
  job.kind = workload;
  job.items = items;
  job.concurrency = concurrency;
  job.delay = delay;
  job.timeout = timeout;
  job.stack_size = stack_size;
  job.bridge_threads = bridge_threads;
  job.cpu_per_item = work_us;
  job.ticker = ticker;
  return job;
}

namespace {

// The cells of a plan: every line's cells, repetition outermost, then line order;
// Google Benchmark's family is the (workload, model) pair, its instance the (N, C) and
// the settings that name a cell besides them (the hammer's X, a ticker).
std::vector<cell> plan_file_cells(const run_options& options) {
  std::vector<cell> cells;
  for (const auto& line : options.plan) {
    auto more = plan_cells(line);
    cells.insert(cells.end(), more.begin(), more.end());
  }
  std::stable_sort(cells.begin(), cells.end(), [](const cell& a, const cell& b) {
    return a.repetition < b.repetition;
  });
  std::vector<std::pair<models::workload, const models::model*>> families;
  using instance_key =
      std::tuple<std::size_t, std::size_t, std::int64_t, std::int64_t, std::int64_t>;
  std::vector<std::vector<instance_key>> instances;
  std::vector<std::string> names;
  for (auto& one : cells) {
    std::pair family{one.workload, one.model};
    auto f = std::find(families.begin(), families.end(), family) - families.begin();
    if (f == static_cast<long>(families.size()))
      families.push_back(family), instances.emplace_back();
    instance_key instance{one.items, one.concurrency, one.work_us.count(),
                          one.ticker.count(), one.link_delay.count()};
    auto& known = instances[f];
    auto i = std::find(known.begin(), known.end(), instance) - known.begin();
    if (i == static_cast<long>(known.size())) known.push_back(instance);
    one.family_index = f;
    one.instance_index = i;
    if (one.repetition == 0) {
      if (std::find(names.begin(), names.end(), one.name()) != names.end())
        throw usage_error(
            "the plan runs " + one.name() +
            " twice: its lines must differ in workload, model, C or link delay");
      names.push_back(one.name());
    }
  }
  return cells;
}

}  // namespace

std::vector<cell> plan_cells(const run_options& options) {
  if (!options.plan.empty()) return plan_file_cells(options);
  std::vector<std::size_t> asked = options.concurrency;
  if (asked.empty()) asked.push_back(options.items);

  // Each model's effective concurrencies, without the repeats a clamp makes. A model a
  // selector chose sits out an asked C above its most; one named is clamped to it.
  std::vector<std::vector<std::size_t>> effective(options.models.size());
  for (std::size_t m = 0; m < options.models.size(); ++m)
    for (auto c : asked) {
      const auto* chosen = options.models[m];
      if (c > chosen->max_concurrency && !options.concurrency.empty() &&
          !was_named(options.named_models, chosen))
        continue;
      auto clamped = std::min(c, chosen->max_concurrency);
      auto& list = effective[m];
      if (std::find(list.begin(), list.end(), clamped) == list.end())
        list.push_back(clamped);
    }

  // A family per model that has a cell, numbered without the gaps of those left out.
  std::vector<std::size_t> family(options.models.size());
  for (std::size_t m = 0, next = 0; m < options.models.size(); ++m)
    family[m] = effective[m].empty() ? next : next++;

  std::vector<cell> cells;
  for (std::size_t repetition = 0; repetition < options.repetitions; ++repetition)
    for (std::size_t slot = 0; slot < asked.size(); ++slot)
      for (std::size_t m = 0; m < options.models.size(); ++m) {
        if (slot >= effective[m].size()) continue;
        cell one;
        one.workload = options.workload;
        one.model = options.models[m];
        one.items = options.items;
        one.concurrency = effective[m][slot];
        one.delay = options.delay;
        one.timeout = options.timeout;
        one.link_delay = options.link_delay;
        one.stack_size = options.stack_size;
        one.bridge_threads = options.bridge_threads;
        one.work_us = options.work_us;
        one.ticker = options.ticker;
        one.repetition = repetition;
        one.repetitions = options.repetitions;
        one.family_index = family[m];
        one.instance_index = slot;
        cells.push_back(one);
      }
  return cells;
}

void shuffle_within_repetitions(std::vector<cell>& cells, std::uint64_t seed) {
  if (seed == 0) return;  // the planned order
  std::mt19937_64 engine(seed);
  for (std::size_t first = 0; first < cells.size();) {
    auto end = first;
    while (end < cells.size() && cells[end].repetition == cells[first].repetition) ++end;
    // Fisher-Yates over [first, end), the last slot first (the same draws, in the same
    // order, as ever: a seed gives the order it always gave).
    for (auto slots = end - first; slots > 1; --slots)
      std::swap(cells[first + slots - 1], cells[first + engine() % slots]);
    first = end;
  }
}

std::chrono::milliseconds cell_time_limit(const cell& one, const run_options& options) {
  if (options.cell_limit) return *options.cell_limit;
  double fault_share =
      std::min(1.0, options.stall_rate + (options.slow_body ? 1.0 : 0.0));
  std::chrono::duration<double> limit =
      2 * one.ideal() + std::chrono::seconds(10) +
      std::chrono::duration<double>(one.timeout) *
          (1 + std::ceil(static_cast<double>(one.rounds()) * fault_share));
  // Bounded, so that a huge N x delay neither overflows the milliseconds nor the
  // steady_clock deadline (nanoseconds) it is added to.
  constexpr std::chrono::duration<double> longest = std::chrono::hours(24 * 365);
  return std::chrono::round<std::chrono::milliseconds>(std::min(limit, longest));
}

}  // namespace hammertime::harness
