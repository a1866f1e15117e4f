#include "results_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <system_error>

#include "atomic_file.hpp"
#include "item_times_writer.hpp"
#include "peers.hpp"
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
      {"cpu_time", (failed ? 0 : r.cpu_user_s + r.cpu_system_s) * 1000},
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
  if (r.server_cpu_s) entry["server_cpu_s"] = *r.server_cpu_s;
  if (r.server_answered) entry["server_answered"] = *r.server_answered;
  if (r.server_lateness_ms) {
    entry["server_lateness_p50_ms"] = r.server_lateness_ms->p50_ms;
    entry["server_lateness_p99_ms"] = r.server_lateness_ms->p99_ms;
    entry["server_lateness_max_ms"] = r.server_lateness_ms->max_ms;
    entry["server_bound"] = server_bound(done);
  }
  if (r.server_queue_ms) {
    entry["server_queue_p50_ms"] = r.server_queue_ms->p50_ms;
    entry["server_queue_p99_ms"] = r.server_queue_ms->p99_ms;
    entry["server_queue_max_ms"] = r.server_queue_ms->max_ms;
  }
  if (r.proxy_lateness_p99_ms) entry["proxy_lateness_p99_ms"] = *r.proxy_lateness_p99_ms;
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
  for (const char* flag : {"server_bound"}) {
    bool any = false;
    for (const auto& run : runs)
      if (const auto* value = run.if_contains(flag); value && value->is_bool())
        any = any || value->as_bool();
    if (first.contains(flag)) entry[flag] = any;
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
  using field = std::function<std::string(const finished_cell&)>;
  auto number = [](auto value) { return fixed(static_cast<double>(value), 6); };
  auto when_ran = [&](auto pick) -> field {
    return [=](const finished_cell& d) {
      return d.result.error.empty() ? number(pick(d)) : std::string();
    };
  };
  auto maybe = [&](auto pick) -> field {
    return [=](const finished_cell& d) {
      auto value = pick(d);
      return value ? number(*value) : std::string();
    };
  };
  // Empty where a measure was not taken; results.json says why.
  const std::vector<std::pair<const char*, field>> columns{
      {"name", [](const auto& d) { return d.where.name(); }},
      {"workload",
       [](const auto& d) { return std::string(to_string(d.where.workload)); }},
      {"model", [](const auto& d) { return std::string(d.where.model->name); }},
      {"items", [](const auto& d) { return std::to_string(d.where.items); }},
      {"concurrency", [](const auto& d) { return std::to_string(d.where.concurrency); }},
      {"delay_ms", [](const auto& d) { return std::to_string(d.where.delay.count()); }},
      {"repetition", [](const auto& d) { return std::to_string(d.where.repetition); }},
      {"items_per_second", when_ran([](const auto& d) { return items_per_second(d); })},
      {"real_time_ms",
       [&](const auto& d) {
         const auto& r = d.result;
         return fixed((r.error.empty() ? r.wall_seconds : r.seconds_outside) * 1000, 3);
       }},
      {"ideal_items_per_second",
       maybe([](const auto& d) { return ideal_items_per_second(d.where); })},
      {"efficiency", maybe([](const auto& d) -> std::optional<double> {
         auto ideal = ideal_items_per_second(d.where);
         if (!ideal || !d.result.error.empty()) return std::nullopt;
         return items_per_second(d) / *ideal;
       })},
      {"cpu_user_s", when_ran([](const auto& d) { return d.result.cpu_user_s; })},
      {"cpu_system_s", when_ran([](const auto& d) { return d.result.cpu_system_s; })},
      {"cpu_us_per_item", when_ran([](const auto& d) { return cpu_us_per_item(d); })},
      {"process_cpu_us_per_item",
       [&](const auto& d) { return number(process_cpu_us_per_item(d)); }},
      {"outside_minus_inside_ms",
       when_ran([](const auto& d) { return outside_minus_inside_seconds(d) * 1000; })},
      {"ok", when_ran([](const auto& d) { return d.result.ok; })},
      {"not_found", when_ran([](const auto& d) { return d.result.not_found; })},
      {"failed", when_ran([](const auto& d) { return d.result.failed; })},
      {"valid",
       [](const auto& d) { return std::string(is_valid(d) ? "true" : "false"); }},
      {"memory_method", [](const auto& d) { return csv_field(d.result.memory_method); }},
      {"peak_memory_bytes",
       maybe([](const auto& d) { return d.result.peak_memory_bytes; })},
      {"baseline_memory_bytes",
       maybe([](const auto& d) { return d.result.baseline_memory_bytes(); })},
      {"bytes_per_task", maybe([](const auto& d) { return bytes_per_task(d); })},
      {"runtime_threads", maybe([](const auto& d) { return d.result.runtime_threads; })},
      {"tasks_held", maybe([](const auto& d) { return d.result.tasks_held; })},
      {"kernel_memory_bytes",
       maybe([](const auto& d) { return d.result.kernel_memory_bytes; })},
      {"memory_doubt", [](const auto& d) { return csv_field(d.result.memory_doubt); }},
      {"vm_hwm_bytes", when_ran([](const auto& d) { return d.result.vm_hwm_bytes; })},
      {"max_rss_bytes", [&](const auto& d) { return number(d.result.max_rss_bytes); }},
      {"p50_ms", when_ran([](const auto& d) { return d.result.p50_ms; })},
      {"p99_ms", when_ran([](const auto& d) { return d.result.p99_ms; })},
      {"max_ms", when_ran([](const auto& d) { return d.result.max_ms; })},
      {"server_cpu_s", maybe([](const auto& d) { return d.result.server_cpu_s; })},
      {"server_lateness_p99_ms", maybe([](const auto& d) -> std::optional<double> {
         if (!d.result.server_lateness_ms) return std::nullopt;
         return d.result.server_lateness_ms->p99_ms;
       })},
      {"server_queue_p99_ms", maybe([](const auto& d) -> std::optional<double> {
         if (!d.result.server_queue_ms) return std::nullopt;
         return d.result.server_queue_ms->p99_ms;
       })},
      {"proxy_lateness_p99_ms",
       maybe([](const auto& d) { return d.result.proxy_lateness_p99_ms; })},
      {"server_bound",
       [](const auto& d) { return std::string(server_bound(d) ? "true" : "false"); }},
      {"work_us",
       [](const auto& d) {
         return d.where.workload == models::workload::hammer
                    ? std::to_string(d.where.work_us.count())
                    : std::string();
       }},
      {"ticker_ms",
       [](const auto& d) {
         return d.where.ticker.count() > 0 ? std::to_string(d.where.ticker.count())
                                           : std::string();
       }},
      {"loop_lag_p50_ms", maybe([](const auto& d) { return d.result.loop_lag_p50_ms; })},
      {"loop_lag_p99_ms", maybe([](const auto& d) { return d.result.loop_lag_p99_ms; })},
      {"loop_lag_max_ms", maybe([](const auto& d) { return d.result.loop_lag_max_ms; })},
      {"error", [](const auto& d) { return csv_field(d.result.error); }},
  };
  std::ostringstream out;
  for (std::size_t c = 0; c < columns.size(); ++c)
    out << (c ? "," : "") << columns[c].first;
  out << '\n';
  for (const auto& done : cells) {
    for (std::size_t c = 0; c < columns.size(); ++c)
      out << (c ? "," : "") << columns[c].second(done);
    out << '\n';
  }
  return out.str();
}

// One set, three files. Renaming three files over the old ones one by one leaves a
// moment (or, after a SIGKILL, for good) where results.json has one cell more than
// results.csv. So while a run writes, each name in DIR is a fixed symlink into
// DIR/.results, itself a symlink to the current set, DIR/.set-XXXXXX:
//
//   DIR/results.json -> .results/results.json     DIR/.results -> .set-a1b2c3
//
// A new set is written whole into a fresh .set-XXXXXX, fsync'd, and one rename() of
// .results swaps all three files at once. The set before stays one more write, for a
// reader still opening it. settle_results() turns the names back into plain files at
// the end: each name is then the last set, whether still a link or already a copy.
namespace {

namespace fs = std::filesystem;
constexpr const char* set_files[] = {"results.json", "results.csv", "summary.md"};
constexpr const char* current_set = ".results";

// A file that must not exist yet (O_EXCL), nor be a link (O_NOFOLLOW).
void write_new_file(const fs::path& path, std::string_view content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot write " + path.string());
  write_and_close(fd, content, path);
}

// The set folders but the current one and the one before it.
void remove_old_sets(const fs::path& folder, const std::set<std::string>& kept) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    auto name = entry.path().filename().string();
    if (name.rfind(".set-", 0) == 0 && !kept.count(name) && entry.is_directory(error) &&
        !entry.is_symlink(error))
      fs::remove_all(entry.path(), error);
  }
}

std::string link_target(const fs::path& link) {
  std::error_code error;
  auto target = fs::read_symlink(link, error);
  return error ? std::string() : target.string();
}

}  // namespace

void write_results(const std::filesystem::path& folder,
                   const boost::json::object& context,
                   std::span<const finished_cell> cells) {
  std::string pattern = (folder / ".set-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "cannot write " + pattern);
  fs::path set = pattern;
  write_new_file(set / "results.json", pretty_json(results_json(context, cells)) + "\n");
  write_new_file(set / "results.csv", results_csv(cells));
  write_new_file(set / "summary.md", summary_markdown(context, cells));
  chmod(set.c_str(), 0755);
  sync_folder(set);

  auto before = link_target(folder / current_set);
  point_symlink_atomically(folder / current_set, set.filename());
  for (const char* name : set_files) {
    auto fixed = fs::path(current_set) / name;
    if (link_target(folder / name) != fixed.string())
      point_symlink_atomically(folder / name, fixed);
  }
  sync_folder(folder);
  remove_old_sets(folder, {set.filename().string(), before});
  write_item_times(folder, cells);
}

void settle_results(const std::filesystem::path& folder) {
  auto set = link_target(folder / current_set);
  if (set.empty()) return;
  for (const char* name : set_files) {
    std::ifstream file(folder / set / name, std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    if (!file) return;
    write_file_atomically(folder / name, content.str());
  }
  unlink((folder / current_set).c_str());
  remove_old_sets(folder, {});
  sync_folder(folder);
}

}  // namespace hammertime::harness
