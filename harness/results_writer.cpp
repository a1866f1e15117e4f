#include "results_writer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <set>
#include <sstream>

#include "atomic_file.hpp"
#include "pretty_json.hpp"
#include "summary_table.hpp"

namespace hammertime::harness {
namespace {

boost::json::object iteration_entry(const finished_cell& done) {
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
      {"cpu_time", (r.cpu_user_s + r.cpu_system_s) * 1000},
      {"time_unit", "ms"},
  };
  if (failed) {
    entry["error_occurred"] = true;
    entry["error_message"] = r.error;
  } else {
    entry["items_per_second"] = items_per_second(done);
  }
  entry["workload"] = models::to_string(where.workload);
  entry["model"] = where.model->name;
  entry["items"] = where.items;
  entry["concurrency"] = where.concurrency;
  entry["delay_ms"] = where.delay.count();
  entry["timeout_ms"] = where.timeout.count();
  if (where.model->knobs & models::uses_stack_size) entry["stack_size"] = where.stack_size;
  if (where.model->knobs & models::uses_bridge_threads)
    entry["bridge_threads"] = where.bridge_threads;
  entry["valid"] = is_valid(done);
  if (auto ideal = ideal_items_per_second(where))
    entry["ideal_items_per_second"] = *ideal;
  if (!failed) {
    entry["ok"] = r.ok;
    entry["not_found"] = r.not_found;
    entry["failed"] = r.failed;
    entry["bytes"] = r.bytes;
    if (auto ideal = ideal_items_per_second(where))
      entry["efficiency"] = items_per_second(done) / *ideal;
    entry["baseline_memory_bytes"] = r.baseline_pss_bytes;
    entry["bytes_per_task"] = bytes_per_task(done);
    entry["vm_hwm_bytes"] = r.vm_hwm_bytes;
    entry["p50_ms"] = r.p50_ms;
    entry["p99_ms"] = r.p99_ms;
    entry["max_ms"] = r.max_ms;
  }
  entry["peak_memory_bytes"] = r.peak_pss_bytes;
  entry["max_rss_bytes"] = r.max_rss_bytes;
  entry["kernel_memory_bytes"] = r.kernel_memory_bytes;
  entry["memory_samples"] = r.memory_samples;
  entry["cpu_user_s"] = r.cpu_user_s;
  entry["cpu_system_s"] = r.cpu_system_s;
  entry["seconds_outside"] = r.seconds_outside;
  if (r.server_cpu_s) entry["server_cpu_s"] = *r.server_cpu_s;
  if (r.server_lateness_p99_ms)
    entry["server_lateness_p99_ms"] = *r.server_lateness_p99_ms;
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
  static const std::set<std::string> copied{"items",      "concurrency", "delay_ms",
                                            "timeout_ms", "stack_size",  "bridge_threads"};
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
      entry[std::string(key) + "_min"] = *std::min_element(values.begin(), values.end());
      entry[std::string(key) + "_max"] = *std::max_element(values.begin(), values.end());
    }
  }
  entry["valid"] = all_valid;
  return entry;
}

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

boost::json::object results_json(const boost::json::object& context,
                                 std::span<const finished_cell> cells) {
  boost::json::array benchmarks;
  auto order = in_report_order(cells);
  for (std::size_t first = 0; first < order.size();) {
    // One benchmark (model, concurrency): its repetitions, then its median.
    auto end = end_of_benchmark(order, first);
    std::vector<boost::json::object> valid_runs;
    for (auto i = first; i < end; ++i) {
      auto entry = iteration_entry(*order[i]);
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

std::string results_csv(std::span<const finished_cell> cells) {
  std::ostringstream out;
  out << "name,workload,model,items,concurrency,delay_ms,repetition,items_per_second,"
         "real_time_ms,ideal_items_per_second,efficiency,cpu_user_s,cpu_system_s,ok,not_"
         "found,"
         "failed,valid,peak_memory_bytes,baseline_memory_bytes,bytes_per_task,vm_hwm_"
         "bytes,"
         "max_rss_bytes,kernel_memory_bytes,p50_ms,p99_ms,max_ms,server_cpu_s,"
         "server_lateness_p99_ms,error\n";
  for (const auto& done : cells) {
    const auto& w = done.where;
    const auto& r = done.result;
    bool ran = r.error.empty();
    auto ideal = ideal_items_per_second(w);
    auto when_ran = [&](auto value) { return ran ? fixed(value, 6) : std::string(); };
    out << w.name() << ',' << models::to_string(w.workload) << ',' << w.model->name << ','
        << w.items << ',' << w.concurrency << ',' << w.delay.count() << ','
        << w.repetition << ',' << when_ran(items_per_second(done)) << ','
        << fixed((ran ? r.wall_seconds : r.seconds_outside) * 1000, 3) << ','
        << (ideal ? fixed(*ideal, 6) : "") << ','
        << (ideal && ran ? fixed(items_per_second(done) / *ideal, 6) : "") << ','
        << fixed(r.cpu_user_s, 6) << ',' << fixed(r.cpu_system_s, 6) << ','
        << (ran ? std::to_string(r.ok) : "") << ','
        << (ran ? std::to_string(r.not_found) : "") << ','
        << (ran ? std::to_string(r.failed) : "") << ','
        << (is_valid(done) ? "true" : "false") << ',' << r.peak_pss_bytes << ','
        << (ran ? std::to_string(r.baseline_pss_bytes) : "") << ','
        << when_ran(bytes_per_task(done)) << ','
        << (ran ? std::to_string(r.vm_hwm_bytes) : "") << ',' << r.max_rss_bytes << ','
        << r.kernel_memory_bytes << ',' << when_ran(r.p50_ms) << ',' << when_ran(r.p99_ms)
        << ',' << when_ran(r.max_ms) << ','
        << (r.server_cpu_s ? fixed(*r.server_cpu_s, 6) : "") << ','
        << (r.server_lateness_p99_ms ? fixed(*r.server_lateness_p99_ms, 3) : "") << ','
        << csv_field(r.error) << '\n';
  }
  return out.str();
}

void write_results(const std::filesystem::path& folder,
                   const boost::json::object& context,
                   std::span<const finished_cell> cells) {
  write_file_atomically(folder / "results.json",
                        pretty_json(results_json(context, cells)) + "\n");
  write_file_atomically(folder / "results.csv", results_csv(cells));
  write_file_atomically(folder / "summary.md", summary_markdown(context, cells));
}

}  // namespace hammertime::harness
