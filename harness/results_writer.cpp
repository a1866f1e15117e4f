#include "results_writer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "atomic_file.hpp"

namespace hammertime::harness {
namespace {

double items_per_second(const finished_cell& done) {
  return static_cast<double>(done.result.counted()) / std::max(done.result.wall_seconds, 1e-9);
}

std::optional<double> ideal_items_per_second(const cell& where) {
  auto ideal = where.ideal().count();
  if (ideal <= 0) return std::nullopt;
  return static_cast<double>(where.items) / ideal;
}

double bytes_per_task(const finished_cell& done) {
  const auto& r = done.result;
  auto above = r.peak_pss_bytes > r.baseline_pss_bytes ? r.peak_pss_bytes - r.baseline_pss_bytes : 0;
  return static_cast<double>(above) / static_cast<double>(done.where.tasks_in_flight());
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// Google Benchmark lists a benchmark's repetitions together, families in order.
std::vector<const finished_cell*> in_report_order(std::span<const finished_cell> cells) {
  std::vector<const finished_cell*> order;
  for (const auto& done : cells) order.push_back(&done);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->where.family_index, a->where.instance_index, a->where.repetition) <
           std::tie(b->where.family_index, b->where.instance_index, b->where.repetition);
  });
  return order;
}

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
  entry["valid"] = is_valid(done);
  if (auto ideal = ideal_items_per_second(where)) entry["ideal_items_per_second"] = *ideal;
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
  if (r.server_lateness_p99_ms) entry["server_lateness_p99_ms"] = *r.server_lateness_p99_ms;
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
                                             "repetitions", "repetition_index", "threads",
                                             "iterations"};
  static const std::set<std::string> copied{"items", "concurrency", "delay_ms", "timeout_ms"};
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

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1024 && unit < 4) bytes /= 1024, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

std::string rate(double value) {
  char text[32];
  std::snprintf(text, sizeof text, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
  return text;
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

std::string context_text(const boost::json::object& context, const char* key) {
  const auto* value = context.if_contains(key);
  if (value == nullptr) return "?";
  if (value->is_string()) return std::string(value->as_string());
  return boost::json::serialize(*value);
}

// Two-space indentation, one field per line, as Google Benchmark writes its files.
void pretty(const boost::json::value& value, std::string& out, int depth) {
  auto indent = [&](int level) { out += '\n' + std::string(2 * level, ' '); };
  if (value.is_object() && !value.as_object().empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, field] : value.as_object()) {
      if (!first) out += ',';
      first = false;
      indent(depth + 1);
      out += boost::json::serialize(boost::json::string(key)) + ": ";
      pretty(field, out, depth + 1);
    }
    indent(depth);
    out += '}';
  } else if (value.is_array() && !value.as_array().empty()) {
    out += '[';
    bool first = true;
    for (const auto& item : value.as_array()) {
      if (!first) out += ',';
      first = false;
      indent(depth + 1);
      pretty(item, out, depth + 1);
    }
    indent(depth);
    out += ']';
  } else if (value.is_double()) {
    // Shortest round-trip form, "9.87" rather than Boost.JSON's "9.87E0".
    double number = value.as_double();
    if (!std::isfinite(number)) {
      out += "null";
      return;
    }
    char text[64];
    auto end = std::to_chars(text, text + sizeof text, number).ptr;
    std::string_view written(text, static_cast<std::size_t>(end - text));
    out += written;
    if (written.find_first_of(".eE") == std::string_view::npos) out += ".0";
  } else {
    out += boost::json::serialize(value);
  }
}

}  // namespace

bool is_valid(const finished_cell& done) {
  return done.result.error.empty() && done.result.counted() == done.where.items;
}

boost::json::object results_json(const boost::json::object& context,
                                 std::span<const finished_cell> cells) {
  boost::json::array benchmarks;
  auto order = in_report_order(cells);
  for (std::size_t i = 0; i < order.size();) {
    // One benchmark (model, concurrency): its repetitions, then its median.
    std::size_t end = i;
    std::vector<boost::json::object> valid_runs;
    bool all_valid = true;
    while (end < order.size() && order[end]->where.family_index == order[i]->where.family_index &&
           order[end]->where.instance_index == order[i]->where.instance_index) {
      auto entry = iteration_entry(*order[end]);
      if (is_valid(*order[end])) valid_runs.push_back(entry);
      else all_valid = false;
      benchmarks.push_back(std::move(entry));
      ++end;
    }
    auto planned = order[i]->where.repetitions;
    if (planned > 1 && !valid_runs.empty())
      benchmarks.push_back(
          median_entry(valid_runs, planned, all_valid && end - i == planned));
    i = end;
  }
  return {{"context", context}, {"benchmarks", std::move(benchmarks)}};
}

std::string results_csv(std::span<const finished_cell> cells) {
  std::ostringstream out;
  out << "name,workload,model,items,concurrency,delay_ms,repetition,items_per_second,"
         "real_time_ms,ideal_items_per_second,efficiency,cpu_user_s,cpu_system_s,ok,not_found,"
         "failed,valid,peak_memory_bytes,baseline_memory_bytes,bytes_per_task,vm_hwm_bytes,"
         "max_rss_bytes,kernel_memory_bytes,p50_ms,p99_ms,max_ms,server_cpu_s,"
         "server_lateness_p99_ms,error\n";
  for (const auto& done : cells) {
    const auto& w = done.where;
    const auto& r = done.result;
    bool ran = r.error.empty();
    auto ideal = ideal_items_per_second(w);
    auto when_ran = [&](auto value) { return ran ? fixed(value, 6) : std::string(); };
    out << w.name() << ',' << models::to_string(w.workload) << ',' << w.model->name << ','
        << w.items << ',' << w.concurrency << ',' << w.delay.count() << ',' << w.repetition
        << ',' << when_ran(items_per_second(done)) << ','
        << fixed((ran ? r.wall_seconds : r.seconds_outside) * 1000, 3) << ','
        << (ideal ? fixed(*ideal, 6) : "") << ','
        << (ideal && ran ? fixed(items_per_second(done) / *ideal, 6) : "") << ','
        << fixed(r.cpu_user_s, 6) << ',' << fixed(r.cpu_system_s, 6) << ','
        << (ran ? std::to_string(r.ok) : "") << ',' << (ran ? std::to_string(r.not_found) : "")
        << ',' << (ran ? std::to_string(r.failed) : "") << ','
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

std::string summary_markdown(const boost::json::object& context,
                             std::span<const finished_cell> cells) {
  std::ostringstream out;
  out << "# hammertime run " << context_text(context, "run_name") << "\n\n"
      << context_text(context, "cpu_model") << ", " << context_text(context, "num_cpus")
      << " CPUs, " << context_text(context, "kernel") << ", commit "
      << context_text(context, "git_commit").substr(0, 10) << ", "
      << context_text(context, "date") << ".\n\n"
      << "Median over the valid repetitions (min–max). Ideal = N / (ceil(N/C) × delay). "
         "Peak memory: the child's whole process tree, summed PSS; bytes/task = (peak − the "
         "child's memory before its first item) ÷ min(C, N). Kernel memory is system-wide: "
         "the peak increase of KernelStack + PageTables during the cell.\n\n"
      << "| workload | model | C | items/s (min–max) | ideal items/s | efficiency | "
         "CPU s / 1000 items | peak memory | bytes/task | kernel memory (system-wide) | "
         "p50 / p99 ms | ok / not found / failed | valid |\n"
      << "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";

  std::vector<std::string> failures;
  auto order = in_report_order(cells);
  for (std::size_t i = 0; i < order.size();) {
    std::size_t end = i;
    std::vector<const finished_cell*> runs, valid_runs;
    while (end < order.size() && order[end]->where.family_index == order[i]->where.family_index &&
           order[end]->where.instance_index == order[i]->where.instance_index) {
      runs.push_back(order[end]);
      if (is_valid(*order[end])) valid_runs.push_back(order[end]);
      if (!order[end]->result.error.empty())
        failures.push_back(order[end]->where.name() + " repetition " +
                           std::to_string(order[end]->where.repetition + 1) + ": " +
                           order[end]->result.error);
      ++end;
    }
    i = end;
    const cell& where = runs.front()->where;
    auto ideal = ideal_items_per_second(where);
    out << "| " << models::to_string(where.workload) << " | " << where.model->name << " | "
        << where.concurrency << " | ";
    auto valid_text = std::to_string(valid_runs.size()) + " of " + std::to_string(runs.size());
    if (valid_runs.empty()) {
      out << "— | " << (ideal ? rate(*ideal) : "—") << " | — | — | — | — | — | — | — | "
          << (valid_runs.size() == runs.size() ? "yes" : "no (" + valid_text + ")") << " |\n";
      continue;
    }
    auto each = [&](auto field) {
      std::vector<double> values;
      for (const auto* done : valid_runs) values.push_back(field(*done));
      return values;
    };
    auto speeds = each([](const finished_cell& d) { return items_per_second(d); });
    double speed = median(speeds);
    out << rate(speed) << " (" << rate(*std::min_element(speeds.begin(), speeds.end())) << "–"
        << rate(*std::max_element(speeds.begin(), speeds.end())) << ") | "
        << (ideal ? rate(*ideal) : "—") << " | "
        << (ideal ? fixed(100 * speed / *ideal, 1) + " %" : "—") << " | "
        << fixed(median(each([](const finished_cell& d) {
                   return (d.result.cpu_user_s + d.result.cpu_system_s) /
                          static_cast<double>(d.where.items) * 1000;
                 })),
                 3)
        << " | "
        << human_bytes(median(each([](const finished_cell& d) {
             return static_cast<double>(d.result.peak_pss_bytes);
           })))
        << " | " << human_bytes(median(each([](const finished_cell& d) { return bytes_per_task(d); })))
        << " | "
        << human_bytes(median(each([](const finished_cell& d) {
             return static_cast<double>(d.result.kernel_memory_bytes);
           })))
        << " | " << fixed(median(each([](const finished_cell& d) { return d.result.p50_ms; })), 1)
        << " / " << fixed(median(each([](const finished_cell& d) { return d.result.p99_ms; })), 1)
        << " | ";
    std::vector<std::string> tallies;
    for (const auto* done : valid_runs) {
      auto tally = std::to_string(done->result.ok) + " / " +
                   std::to_string(done->result.not_found) + " / " +
                   std::to_string(done->result.failed);
      if (std::find(tallies.begin(), tallies.end(), tally) == tallies.end())
        tallies.push_back(tally);
    }
    for (std::size_t t = 0; t < tallies.size(); ++t) out << (t ? "; " : "") << tallies[t];
    out << " | " << (valid_runs.size() == runs.size() ? "yes" : "no (" + valid_text + ")")
        << " |\n";
  }
  if (!failures.empty()) {
    out << "\n## Failed cells\n\n";
    for (const auto& line : failures) out << "- " << line << "\n";
  }
  return out.str();
}

void write_results(const std::filesystem::path& folder, const boost::json::object& context,
                   std::span<const finished_cell> cells) {
  std::string json;
  pretty(results_json(context, cells), json, 0);
  write_file_atomically(folder / "results.json", json + "\n");
  write_file_atomically(folder / "results.csv", results_csv(cells));
  write_file_atomically(folder / "summary.md", summary_markdown(context, cells));
}

}  // namespace hammertime::harness
