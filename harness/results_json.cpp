#include "results_json.hpp"

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "peers.hpp"

namespace hammertime::harness {
namespace {

// Google Benchmark's own fields, and the error or the speed.
boost::json::object benchmark_fields(const finished_cell& done) {
  const auto& where = done.where;
  const auto& r = done.result;
  bool failed = !r.error.empty();
  double real_ms = (failed ? r.seconds_outside : r.wall_seconds) * 1000;
  boost::json::object entry{
      {"name", where.name()},
      {"family_index", where.family_index},
      {"per_family_instance_index", where.instance_index},
      {"run_name", where.name()},
      {"run_type", "iteration"},
      {"repetitions", where.repetitions},
      {"repetition_index", where.repetition},
      {"threads", 1},
      {"iterations", 1},
      {"real_time", real_ms},
      {"cpu_time", (failed ? 0 : r.cpu_user_s + r.cpu_system_s) * 1000},
      {"time_unit", "ms"},
  };
  if (failed) {
    entry["error_occurred"] = true;
    entry["error_message"] = r.error;
  } else {
    entry["items_per_second"] = items_per_second(done);
  }
  return entry;
}

// What the cell asked for: the workload, the model and its settings.
void add_cell_settings(const cell& where, boost::json::object& entry) {
  entry["workload"] = models::to_string(where.workload);
  entry["model"] = where.model->name;
  if (const auto* peer = peer_of(where.model)) entry["runtime"] = runtime_version(*peer);
  entry["items"] = where.items;
  entry["concurrency"] = where.concurrency;
  entry["delay_ms"] = where.delay.count();
  entry["timeout_ms"] = where.timeout.count();
  if (where.link_delay.count() > 0) entry["link_delay_ms"] = where.link_delay.count();
  if (where.model->knobs & models::uses_stack_size)
    entry["stack_size"] = where.stack_size;
  if (where.model->knobs & models::uses_bridge_threads)
    entry["bridge_threads"] = where.bridge_threads;
  if (where.workload == models::workload::hammer)
    entry["work_us"] = where.work_us.count();
  if (where.ticker.count() > 0) entry["ticker_ms"] = where.ticker.count();
}

// What the child reported of a run that finished: its tally, its shares of the ideal
// and of the attainable rate, latencies, CPU and memory.
void add_child_report(const finished_cell& done, const machine_floors& floors,
                      boost::json::object& entry) {
  const auto& r = done.result;
  entry["ok"] = r.ok;
  entry["not_found"] = r.not_found;
  entry["failed"] = r.failed;
  entry["bytes"] = r.bytes;
  if (auto ideal = ideal_items_per_second(done.where))
    entry["efficiency"] = items_per_second(done) / *ideal;
  if (auto share = of_attainable(done, floors)) entry["of_attainable"] = *share;
  entry["p50_ms"] = r.p50_ms;
  entry["p99_ms"] = r.p99_ms;
  entry["max_ms"] = r.max_ms;
  entry["cpu_user_s"] = r.cpu_user_s;
  entry["cpu_system_s"] = r.cpu_system_s;
  entry["cpu_us_per_item"] = cpu_us_per_item(done);
  entry["outside_minus_inside_ms"] = outside_minus_inside_seconds(done) * 1000;
  if (auto baseline = r.baseline_memory_bytes())
    entry["baseline_memory_bytes"] = *baseline;
  std::string why_not;
  if (auto per_task = bytes_per_task(done, &why_not))
    entry["bytes_per_task"] = *per_task;
  else
    entry["bytes_per_task_missing"] = why_not;
  entry["vm_hwm_bytes"] = r.vm_hwm_bytes;
  if (r.runtime_threads) entry["runtime_threads"] = *r.runtime_threads;
  if (r.tasks_held) entry["tasks_held"] = *r.tasks_held;
  if (r.sockets_left_open) entry["sockets_left_open"] = *r.sockets_left_open;
  if (r.loop_lag_p50_ms) {
    entry["loop_lag_p50_ms"] = *r.loop_lag_p50_ms;
    entry["loop_lag_p99_ms"] = *r.loop_lag_p99_ms;
    entry["loop_lag_max_ms"] = *r.loop_lag_max_ms;
  }
}

// What the harness measured from outside: the tree's memory and the process's CPU.
void add_outside_measures(const finished_cell& done, boost::json::object& entry) {
  const auto& r = done.result;
  entry["memory_method"] = r.memory_method;
  if (r.peak_memory_bytes) entry["peak_memory_bytes"] = *r.peak_memory_bytes;
  if (r.kernel_memory_bytes) {
    entry["kernel_memory_bytes"] = *r.kernel_memory_bytes;
    entry["kernel_memory_scope"] = r.kernel_memory_system_wide ? "system-wide" : "cell";
  }
  if (r.kernel_memory_system_wide) entry["memory_samples"] = r.memory_samples;
  if (!r.memory_doubt.empty()) entry["memory_doubt"] = r.memory_doubt;
  entry["max_rss_bytes"] = r.max_rss_bytes;
  entry["process_cpu_user_s"] = r.process_cpu_user_s;
  entry["process_cpu_system_s"] = r.process_cpu_system_s;
  entry["process_cpu_us_per_item"] = process_cpu_us_per_item(done);
  entry["seconds_outside"] = r.seconds_outside;
}

// What the server and the proxy saw of the cell.
void add_server_measures(const finished_cell& done, boost::json::object& entry) {
  const auto& r = done.result;
  if (r.server_cpu_s) entry["server_cpu_s"] = *r.server_cpu_s;
  if (r.server_answered) entry["server_answered"] = *r.server_answered;
  auto add_percentiles = [&](const std::string& name,
                             const std::optional<server_lateness>& figure) {
    if (!figure) return;
    entry[name + "_p50_ms"] = figure->p50_ms;
    entry[name + "_p99_ms"] = figure->p99_ms;
    entry[name + "_max_ms"] = figure->max_ms;
  };
  add_percentiles("server_lateness", r.server_lateness_ms);
  add_percentiles("server_own_queue", r.server_own_queue_ms);
  add_percentiles("client_send_wait", r.client_send_wait_ms);
  if (r.server_lateness_ms || r.server_own_queue_ms)
    entry["server_bound"] = server_bound(done);
  if (r.proxy_lateness_p99_ms) {
    entry["proxy_lateness_p99_ms"] = *r.proxy_lateness_p99_ms;
    entry["proxy_bound"] = proxy_bound(done);
  }
}

boost::json::object iteration_entry(const finished_cell& done,
                                    const machine_floors& floors) {
  auto entry = benchmark_fields(done);
  add_cell_settings(done.where, entry);
  entry["valid"] = is_valid(done);
  if (auto ideal = ideal_items_per_second(done.where))
    entry["ideal_items_per_second"] = *ideal;
  if (auto attainable = attainable_items_per_second(done.where, floors))
    entry["attainable_items_per_second"] = *attainable;
  if (done.result.error.empty()) add_child_report(done, floors, entry);
  add_outside_measures(done, entry);
  add_server_measures(done, entry);
  return entry;
}

std::optional<double> number(const boost::json::value& value) {
  if (value.is_double()) return value.as_double();
  if (value.is_int64()) return static_cast<double>(value.as_int64());
  if (value.is_uint64()) return static_cast<double>(value.as_uint64());
  return std::nullopt;
}

// The median of every numeric field over the valid runs, as Google Benchmark's
// "<name>_median"; min and max beside the headline figures.
boost::json::object median_entry(const std::vector<boost::json::object>& runs,
                                 std::size_t planned, bool all_valid) {
  static const std::set<std::string> skipped{"family_index", "per_family_instance_index",
                                             "repetitions",  "repetition_index",
                                             "threads",      "iterations"};
  static const std::set<std::string> copied{
      "items",          "concurrency",   "delay_ms", "timeout_ms", "stack_size",
      "bridge_threads", "link_delay_ms", "work_us",  "ticker_ms"};
  const auto& first = runs.front();
  boost::json::object entry{
      {"name", std::string(first.at("run_name").as_string()) + "_median"},
      {"family_index", first.at("family_index")},
      {"per_family_instance_index", first.at("per_family_instance_index")},
      {"run_name", first.at("run_name")},
      {"run_type", "aggregate"},
      {"repetitions", planned},
      {"threads", 1},
      {"aggregate_name", "median"},
      {"aggregate_unit", "time"},
      {"iterations", runs.size()},
  };
  for (const auto& [key, value] : first) {
    if (entry.contains(key) || skipped.count(key)) continue;
    if (!number(value) || copied.count(key)) {
      entry[key] = value;
      continue;
    }
    std::vector<double> values;
    for (const auto& run : runs)
      if (const auto* field = run.if_contains(key); field && number(*field))
        values.push_back(*number(*field));
    entry[key] = median(values);
    if (key == "items_per_second" || key == "real_time" || key == "cpu_time") {
      auto spread = dispersion_of(values);
      entry[std::string(key) + "_min"] = spread.min;
      entry[std::string(key) + "_max"] = spread.max;
      entry[std::string(key) + "_cv"] = spread.cv;
      if (key == "items_per_second") entry["unstable"] = spread.unstable;
      if (key == "cpu_time") entry["cpu_unstable"] = cpu_unstable(values);
    }
  }
  // Flags that hold for the benchmark when they hold for any of its runs.
  for (const char* flag : {"server_bound", "proxy_bound"}) {
    bool any = false;
    for (const auto& run : runs)
      if (const auto* value = run.if_contains(flag); value && value->is_bool())
        any = any || value->as_bool();
    if (first.contains(flag)) entry[flag] = any;
  }
  entry["valid"] = all_valid;
  return entry;
}

}  // namespace

boost::json::object results_json(const boost::json::object& context,
                                 std::span<const finished_cell> cells) {
  boost::json::array benchmarks;
  auto floors = floors_of(context);
  auto order = in_report_order(cells);
  for (std::size_t first = 0; first < order.size();) {
    // One benchmark (model, concurrency): its repetitions, then its median.
    auto end = end_of_benchmark(order, first);
    std::vector<boost::json::object> valid_runs;
    for (auto i = first; i < end; ++i) {
      auto entry = iteration_entry(*order[i], floors);
      if (is_valid(*order[i])) valid_runs.push_back(entry);
      benchmarks.push_back(std::move(entry));
    }
    auto planned = order[first]->where.repetitions;
    if (planned > 1 && !valid_runs.empty())
      benchmarks.push_back(
          median_entry(valid_runs, planned, valid_runs.size() == planned));
    first = end;
  }
  return {{"context", context}, {"benchmarks", std::move(benchmarks)}};
}

}  // namespace hammertime::harness
