#include "summary_table.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace hammertime::harness {
namespace {

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
  std::snprintf(text, sizeof text,
                value >= 100  ? "%.0f"
                : value >= 10 ? "%.1f"
                              : "%.2f",
                value);
  return text;
}

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string context_text(const boost::json::object& context, const char* key) {
  const auto* value = context.if_contains(key);
  if (value == nullptr) return "?";
  if (value->is_string()) return std::string(value->as_string());
  return boost::json::serialize(*value);
}

// The workload as a row names it: the hammer with its X, a ticker when there is one.
std::string workload_text(const cell& where) {
  std::string text(models::to_string(where.workload));
  if (where.workload == models::workload::hammer)
    text += " X=" + std::to_string(where.work_us.count()) + "µs";
  if (where.ticker.count() > 0)
    text += " +ticker " + std::to_string(where.ticker.count()) + "ms";
  return text;
}

// The ticker's lateness, medians of p50 / p99 / max, or "—" for a cell without one.
std::string lag_text(std::span<const finished_cell* const> valid) {
  std::vector<double> p50, p99, max;
  for (const auto* done : valid)
    if (done->result.loop_lag_p50_ms) {
      p50.push_back(*done->result.loop_lag_p50_ms);
      p99.push_back(*done->result.loop_lag_p99_ms);
      max.push_back(*done->result.loop_lag_max_ms);
    }
  if (p50.empty()) return "—";
  return fixed(median(p50), 1) + " / " + fixed(median(p99), 1) + " / " +
         fixed(median(max), 1);
}

// One benchmark's repetitions as one row: medians over its valid runs.
std::string table_row(std::span<const finished_cell* const> runs, bool with_lag) {
  std::vector<const finished_cell*> valid;
  for (const auto* done : runs)
    if (is_valid(*done)) valid.push_back(done);
  const cell& where = runs.front()->where;
  auto ideal = ideal_items_per_second(where);
  auto median_of = [&](auto field) {
    std::vector<double> values;
    for (const auto* done : valid) values.push_back(field(*done));
    return median(values);
  };
  std::ostringstream row;
  row << "| " << workload_text(where) << " | " << where.model->name << " | "
      << where.concurrency << " | " << where.items << " | " << where.delay.count()
      << " | ";
  auto validity = valid.size() == runs.size()
                      ? std::string("yes")
                      : "no (" + std::to_string(valid.size()) + " of " +
                            std::to_string(runs.size()) + ")";
  if (valid.empty()) {
    row << "— | " << (ideal ? rate(*ideal) : "—") << " | — | — | — | — | — | — | — | "
        << (with_lag ? "— | " : "") << validity << " |\n";
    return row.str();
  }

  std::vector<double> speeds;
  for (const auto* done : valid) speeds.push_back(items_per_second(*done));
  double speed = median(speeds);
  auto [slowest, fastest] = std::minmax_element(speeds.begin(), speeds.end());
  row << rate(speed) << " (" << rate(*slowest) << "–" << rate(*fastest) << ") | "
      << (ideal ? rate(*ideal) : "—") << " | "
      << (ideal ? fixed(100 * speed / *ideal, 1) + " %" : "—") << " | ";
  row << fixed(median_of([](const finished_cell& d) {
                 return (d.result.cpu_user_s + d.result.cpu_system_s) /
                        static_cast<double>(d.where.items) * 1000;
               }),
               3)
      << " | ";
  row << human_bytes(median_of([](const finished_cell& d) {
    return static_cast<double>(d.result.peak_pss_bytes);
  })) << " | ";
  row << human_bytes(median_of([](const finished_cell& d) { return bytes_per_task(d); }))
      << " | ";
  row << human_bytes(median_of([](const finished_cell& d) {
    return static_cast<double>(d.result.kernel_memory_bytes);
  })) << " | ";
  row << fixed(median_of([](const finished_cell& d) { return d.result.p50_ms; }), 1)
      << " / "
      << fixed(median_of([](const finished_cell& d) { return d.result.p99_ms; }), 1)
      << " | ";
  if (with_lag) row << lag_text(valid) << " | ";

  std::vector<std::string> tallies;  // the distinct ones, usually one
  for (const auto* done : valid) {
    auto tally = std::to_string(done->result.ok) + " / " +
                 std::to_string(done->result.not_found) + " / " +
                 std::to_string(done->result.failed);
    if (std::find(tallies.begin(), tallies.end(), tally) == tallies.end())
      tallies.push_back(tally);
  }
  for (std::size_t t = 0; t < tallies.size(); ++t) row << (t ? "; " : "") << tallies[t];
  row << " | " << validity << " |\n";
  return row.str();
}

}  // namespace

std::string summary_markdown(const boost::json::object& context,
                             std::span<const finished_cell> cells) {
  bool with_lag = std::any_of(cells.begin(), cells.end(), [](const finished_cell& done) {
    return done.where.ticker.count() > 0;
  });
  std::ostringstream out;
  out << "# hammertime run " << context_text(context, "run_name") << "\n\n"
      << context_text(context, "cpu_model") << ", " << context_text(context, "num_cpus")
      << " CPUs, " << context_text(context, "kernel") << ", commit "
      << context_text(context, "git_commit").substr(0, 10) << ", "
      << context_text(context, "date") << ".\n\n"
      << "Median over the valid repetitions (min–max). Ideal = N / (ceil(N/C) × delay) "
         "(chained: a found item waits two delays; hammer: at most cores × 1e6 / X "
         "items/s). "
         "Peak memory: the child's whole process tree, summed PSS; bytes/task = (peak − "
         "the "
         "child's memory before its first item) ÷ min(C, N). Kernel memory is "
         "system-wide: "
         "the peak increase of KernelStack + PageTables during the cell.\n\n"
      << "| workload | model | C | N | delay ms | items/s (min–max) | ideal items/s | "
         "efficiency | "
         "CPU s / 1000 items | peak memory | bytes/task | kernel memory (system-wide) | "
         "p50 / p99 ms | "
      << (with_lag ? "loop lag p50 / p99 / max ms | " : "")
      << "ok / not found / failed | valid |\n"
      << "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
      << (with_lag ? "--:|" : "") << "--:|---|\n";

  std::vector<std::string> failures;
  auto order = in_report_order(cells);
  for (std::size_t first = 0; first < order.size();) {
    auto end = end_of_benchmark(order, first);
    std::span<const finished_cell* const> runs(order.data() + first, end - first);
    out << table_row(runs, with_lag);
    for (const auto* done : runs)
      if (!done->result.error.empty())
        failures.push_back(done->where.name() + " repetition " +
                           std::to_string(done->where.repetition + 1) + ": " +
                           done->result.error);
    first = end;
  }
  if (!failures.empty()) {
    out << "\n## Failed cells\n\n";
    for (const auto& line : failures) out << "- " << line << "\n";
  }
  return out.str();
}

}  // namespace hammertime::harness
