#include "model.hpp"

#include <algorithm>
#include <thread>

namespace hammertime::models {

std::string_view to_string(workload kind) {
  switch (kind) {
    case workload::flags:
      return "flags";
    case workload::sleep:
      return "sleep";
    case workload::hammer:
      return "hammer";
    case workload::chained:
      return "chained";
  }
  return "flags";
}

std::optional<workload> workload_from_string(std::string_view name) {
  for (auto kind :
       {workload::flags, workload::sleep, workload::hammer, workload::chained})
    if (name == to_string(kind)) return kind;
  return std::nullopt;
}

bool uses_server(workload kind) { return kind != workload::sleep; }

std::string_view to_string(outcome result) {
  switch (result) {
    case outcome::ok:
      return "ok";
    case outcome::not_found:
      return "not_found";
    case outcome::failed:
      return "failed";
  }
  return "failed";
}

std::size_t tasks_in_flight(const job& work) {
  return std::min(std::max<std::size_t>(work.concurrency, 1), work.items);
}

std::size_t waits_at_once(const model& chosen, const job& work) {
  return chosen.waits_at_once ? chosen.waits_at_once(work) : tasks_in_flight(work);
}

std::size_t cores_it_can_use(const model& chosen, const job& work) {
  if (chosen.each_task_holds == task_holder::nothing) return 1;
  auto cores = std::max<std::size_t>(std::thread::hardware_concurrency(), 1);
  return std::clamp<std::size_t>(waits_at_once(chosen, work), 1, cores);
}

std::size_t timeline_stride(std::size_t items) {
  return std::max<std::size_t>(1, (items + timeline_items - 1) / timeline_items);
}

machine_needs needs_of_tasks(const model& chosen, const job& work) {
  auto tasks = std::min(tasks_in_flight(work), chosen.max_concurrency);
  auto connections = uses_server(work.kind) ? tasks : 0;
  switch (chosen.each_task_holds) {
    case task_holder::thread:
      return {.open_files = connections, .connections = connections, .threads = tasks};
    case task_holder::process:  // a pair of pipes to each worker in this process
      return {.open_files = 2 * tasks, .connections = connections, .processes = tasks};
    case task_holder::nothing:
      break;
  }
  return {.open_files = connections, .connections = connections};
}

machine_needs needs_of(const model& chosen, const job& work) {
  return chosen.needs ? chosen.needs(work) : needs_of_tasks(chosen, work);
}

void require_what_it_needs(const model& chosen, const job& work) {
  auto needs = needs_of(chosen, work);
  if (needs.threads > 0) common::require_threads(needs.threads, chosen.name);
  if (needs.processes > 0) common::require_processes(needs.processes, chosen.name);
  if (needs.open_files > 0) common::require_open_files(needs.open_files, chosen.name);
}

void tally::count(fetch_result result, clock::duration latency) noexcept {
  auto slot = next_slot_.fetch_add(1, std::memory_order_relaxed);
  if (slot < latency_ms_.size())
    latency_ms_[slot] = std::chrono::duration<float, std::milli>(latency).count();
  if (slot % stride_ == 0 && slot / stride_ < item_times_.size()) {
    auto end = clock::now();
    item_times_[slot / stride_] = {slot, end - latency, end};
  }
  bytes_.fetch_add(result.bytes, std::memory_order_relaxed);
  checksum_.fetch_add(result.checksum, std::memory_order_relaxed);
  switch (result.outcome) {
    case outcome::ok:
      ok_.fetch_add(1, std::memory_order_relaxed);
      break;
    case outcome::not_found:
      not_found_.fetch_add(1, std::memory_order_relaxed);
      break;
    case outcome::failed:
      failed_.fetch_add(1, std::memory_order_relaxed);
      break;
  }
}

std::span<const float> tally::latencies_ms() const noexcept {
  return {latency_ms_.data(), std::min(next_slot_.load(), latency_ms_.size())};
}

std::span<const item_time> tally::item_times() const noexcept {
  auto sampled =
      (std::min(next_slot_.load(), latency_ms_.size()) + stride_ - 1) / stride_;
  return {item_times_.data(), std::min(sampled, item_times_.size())};
}

clock::duration sleep_latency(const job& work, clock::time_point deadline) {
  return clock::now() - (deadline - work.delay);
}

void count_sleep(tally& counts, const job& work, clock::time_point deadline,
                 bool wait_failed) {
  counts.count({wait_failed ? outcome::failed : outcome::ok, 0},
               sleep_latency(work, deadline));
}

const model* find_model(std::string_view name) {
  auto models = all_models();
  auto found = std::find_if(models.begin(), models.end(),
                            [&](const model& m) { return m.name == name; });
  return found == models.end() ? nullptr : &*found;
}

}  // namespace hammertime::models
