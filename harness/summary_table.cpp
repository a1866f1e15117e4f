#include "summary_table.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "number_text.hpp"

namespace hammertime::harness {
namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1024 && unit < 4) bytes /= 1024, ++unit;
  return three_digits(bytes) + " " + units[unit];
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

// The median of a measure over the runs that have it, or "n/a (reason)" when none has.
template <class Pick>
std::string median_or_na(const std::vector<const finished_cell*>& runs, Pick pick,
                         std::string (*show)(double)) {
  std::vector<double> values;
  std::string why;
  for (const auto* done : runs)
    if (auto value = pick(*done, why)) values.push_back(*value);
  if (values.empty()) return "n/a" + (why.empty() ? std::string() : " (" + why + ")");
  return show(median(values));
}

// What a reader must know before quoting the row: unstable, server- or proxy-bound,
// memory that is not exact, a cell that was not valid in every repetition.
std::string row_flags(std::span<const finished_cell* const> runs,
                      const std::vector<const finished_cell*>& valid, bool unstable) {
  std::vector<std::string> flags;
  if (unstable) flags.push_back("**unstable**");
  std::vector<double> cpu;
  for (const auto* done : valid) cpu.push_back(cpu_us_per_item(*done));
  if (cpu_unstable(cpu)) flags.push_back("**CPU unstable**");
  using bound_rule = std::pair<bool (*)(const finished_cell&), const char*>;
  for (auto [bound, name] : {bound_rule{server_bound, "server-bound"},
                             bound_rule{proxy_bound, "proxy-bound"}}) {
    std::size_t count = 0;
    for (const auto* done : valid) count += bound(*done) ? 1 : 0;
    if (count > 0)
      flags.push_back("**" + std::string(name) + "** (" + std::to_string(count) + " of " +
                      std::to_string(valid.size()) + ")");
  }
  for (const auto* done : valid)
    if (!done->result.memory_doubt.empty()) {
      flags.push_back("memory: " + done->result.memory_doubt);
      break;
    }
  if (valid.size() != runs.size()) flags.push_back("invalid repetitions");
  std::string text;
  for (const auto& flag : flags) text += (text.empty() ? "" : "; ") + flag;
  return text;
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

// The row's first cells: what the cell asked for.
std::string setting_cells(const cell& where) {
  std::ostringstream cells;
  cells << "| " << workload_text(where) << " | " << where.model->name << " | "
        << where.concurrency << " | " << where.items << " | " << where.delay.count()
        << (where.link_delay.count() > 0
                ? " + 2 × " + std::to_string(where.link_delay.count()) + " link"
                : "")
        << " | ";
  return cells.str();
}

std::string validity_text(std::size_t valid_runs, std::size_t runs) {
  return valid_runs == runs
             ? std::string("yes")
             : "no (" + std::to_string(valid_runs) + " of " + std::to_string(runs) + ")";
}

// A rate and the share of it that `reached` is: "1352 | 91.5 % | ", or "— | — | ".
std::string rate_and_share(std::optional<double> limit, std::optional<double> reached) {
  return (limit ? rate(*limit) : "—") + " | " +
         (limit && reached ? fixed(100 * *reached / *limit, 1) + " %" : "—") + " | ";
}

// Items/s: the median (min–max), its spread, the ideal and the attainable rate, each
// with the share of it reached.
std::string speed_cells(const dispersion& spread, std::size_t valid_runs,
                        std::optional<double> ideal, std::optional<double> attainable) {
  bool one_run = valid_runs == 1;  // no spread measured: never a range of one number
  std::ostringstream cells;
  cells << rate(spread.median)
        << (one_run ? " (1 run)" : " (" + rate(spread.min) + "–" + rate(spread.max) + ")")
        << " | " << (one_run ? "1 run" : fixed(100 * spread.cv, 1) + " %") << " | "
        << rate_and_share(ideal, spread.median)
        << rate_and_share(attainable, spread.median);
  return cells.str();
}

using cell_ref = const finished_cell&;

// CPU per item, then the memory: peak, per task, kernel.
std::string cpu_and_memory_cells(const std::vector<const finished_cell*>& valid) {
  auto measure = [&](auto pick, std::string (*show)(double)) {
    return median_or_na(valid, pick, show);
  };
  std::ostringstream cells;
  cells << measure(
               [](cell_ref d, std::string&) -> std::optional<double> {
                 return cpu_us_per_item(d);
               },
               three_digits)
        << " | ";
  cells << measure(
               [](cell_ref d, std::string& why) -> std::optional<double> {
                 if (!d.result.peak_memory_bytes) why = "not read";
                 return d.result.peak_memory_bytes;
               },
               human_bytes)
        << " | ";
  cells << measure([](cell_ref d, std::string& why) { return bytes_per_task(d, &why); },
                   human_bytes)
        << " | ";
  cells << measure(
               [](cell_ref d, std::string& why) -> std::optional<double> {
                 if (!d.result.kernel_memory_bytes) why = "not kept";
                 return d.result.kernel_memory_bytes;
               },
               human_bytes)
        << (valid.front()->result.kernel_memory_system_wide ? " (system-wide)" : "")
        << " | ";
  return cells.str();
}

// The median p99 of one of the server's figures, "—" where no run measured it.
std::string server_p99_text(const std::vector<const finished_cell*>& valid,
                            std::optional<server_lateness> cell_result::*figure) {
  bool measured = std::any_of(valid.begin(), valid.end(), [&](const auto* done) {
    return (done->result.*figure).has_value();
  });
  if (!measured) return "—";
  return median_or_na(
      valid,
      [&](cell_ref d, std::string& why) -> std::optional<double> {
        if (!(d.result.*figure)) {
          why = "not kept";
          return std::nullopt;
        }
        return (d.result.*figure)->p99_ms;
      },
      three_digits);
}

// The latency p50 / p99, then the server's lateness p99 and, with_queue, its own queue
// p99 / the client's send wait p99 ("—" where none was measured).
std::string latency_cells(const std::vector<const finished_cell*>& valid,
                          bool with_queue) {
  auto measure = [&](auto pick, std::string (*show)(double)) {
    return median_or_na(valid, pick, show);
  };
  std::ostringstream cells;
  cells << measure([](cell_ref d,
                      std::string&) -> std::optional<double> { return d.result.p50_ms; },
                   three_digits)
        << " / "
        << measure([](cell_ref d,
                      std::string&) -> std::optional<double> { return d.result.p99_ms; },
                   three_digits)
        << " | " << server_p99_text(valid, &cell_result::server_lateness_ms) << " | ";
  if (with_queue)
    cells << server_p99_text(valid, &cell_result::server_own_queue_ms) << " / "
          << server_p99_text(valid, &cell_result::client_send_wait_ms) << " | ";
  return cells.str();
}

// ok / not found / failed, each distinct tally once (usually one).
std::string tallies_text(const std::vector<const finished_cell*>& valid) {
  std::vector<std::string> tallies;
  for (const auto* done : valid) {
    auto tally = std::to_string(done->result.ok) + " / " +
                 std::to_string(done->result.not_found) + " / " +
                 std::to_string(done->result.failed);
    if (std::find(tallies.begin(), tallies.end(), tally) == tallies.end())
      tallies.push_back(tally);
  }
  std::string text;
  for (std::size_t t = 0; t < tallies.size(); ++t) text += (t ? "; " : "") + tallies[t];
  return text;
}

// The columns a run shows only where some cell measured them.
struct optional_columns {
  bool queue = false;  // the server's own queue / the client's send wait
  bool lag = false;    // the ticker's
};

// One benchmark's repetitions as one row: medians over its valid runs.
std::string table_row(std::span<const finished_cell* const> runs,
                      optional_columns columns, const machine_floors& floors) {
  std::vector<const finished_cell*> valid;
  for (const auto* done : runs)
    if (is_valid(*done)) valid.push_back(done);
  const cell& where = runs.front()->where;
  auto ideal = ideal_items_per_second(where);
  auto attainable = attainable_items_per_second(where, floors);
  std::ostringstream row;
  row << setting_cells(where);
  auto validity = validity_text(valid.size(), runs.size());
  if (valid.empty()) {
    row << "— | — | " << rate_and_share(ideal, std::nullopt)
        << rate_and_share(attainable, std::nullopt) << "— | — | — | — | — | — | "
        << (columns.queue ? "— | " : "") << (columns.lag ? "— | " : "") << "— | "
        << validity << " | |\n";
    return row.str();
  }

  std::vector<double> speeds;
  for (const auto* done : valid) speeds.push_back(items_per_second(*done));
  auto spread = dispersion_of(speeds);
  row << speed_cells(spread, valid.size(), ideal, attainable)
      << cpu_and_memory_cells(valid) << latency_cells(valid, columns.queue);
  if (columns.lag) row << lag_text(valid) << " | ";
  row << tallies_text(valid) << " | " << validity << " | "
      << row_flags(runs, valid, spread.unstable) << " |\n";
  return row.str();
}

// The context's warnings (system checks), as a list at the top.
std::string warnings_text(const boost::json::object& context) {
  const auto* warnings = context.if_contains("warnings");
  if (warnings == nullptr || !warnings->is_array() || warnings->as_array().empty())
    return "";
  std::string text = "**Warnings** (the figures below may not repeat):\n\n";
  for (const auto& warning : warnings->as_array())
    if (warning.is_string()) text += "- " + std::string(warning.as_string()) + "\n";
  return text + "\n";
}

// ", the server SCHED_FIFO 10" where the harness started one.
std::string server_scheduling_text(const boost::json::object& context) {
  auto* scheduling = context.if_contains("server_scheduling");
  if (scheduling == nullptr || !scheduling->is_string()) return "";
  return ", the server " + std::string(scheduling->as_string());
}

// The paragraph under the run's line: how each column is computed, and what each flag
// means (docs/columns.md says it at length).
constexpr std::string_view summary_legend =
    "Median over the valid repetitions (min–max, CV). Ideal = N / (ceil(N/C) × "
    "delay) (with a link delay L, each delay is delay + 2 × L; chained: a found "
    "item waits two delays; hammer: at most cores × 1e6 / X items/s). "
    "Attainable: the ideal with this machine's serial floor added, the floors "
    "one thread of the model pays in turn × the calibrated cost of each "
    "(connect + request, or a timer's spawn; docs/columns.md); of attainable = "
    "items/s ÷ attainable. CPU: the work's own CPU (user + system, workers "
    "included) per item. "
    "Peak memory: the cell's whole process tree, by the method results.json "
    "records (memory_method: the cell's own memory cgroup where the harness may "
    "make one, else sampled PSS); bytes/task = (peak − the child's memory before "
    "its first item) ÷ the tasks it held at once (tasks_held). Server late: how "
    "much later than the delay the server answered (p99). Own queue / send wait: "
    "how long requests waited before the server took them up, split at the "
    "kernel's receipt: the server's own part (accept queue, socket, requests "
    "ahead on the connection), then the client's before it (p99 each). Flags: "
    "**unstable** when the repetitions' items/s spread (max − min) exceeds 10 % "
    "of their median; **CPU unstable** when their CPU per item spreads more than "
    "25 % of its median; **server-bound** when the server answered later than 2 % "
    "of the delay, or its own queue exceeded 2 % of the delay, **proxy-bound** "
    "when the link delay's proxy passed bytes on later than 2 % of the delay. "
    "1 run: one valid repetition, no spread measured.\n\n";

}  // namespace

std::string summary_markdown(const boost::json::object& context,
                             std::span<const finished_cell> cells) {
  optional_columns columns{
      .queue = std::any_of(cells.begin(), cells.end(),
                           [](const finished_cell& done) {
                             return done.result.server_own_queue_ms.has_value();
                           }),
      .lag = std::any_of(cells.begin(), cells.end(), [](const finished_cell& done) {
        return done.where.ticker.count() > 0;
      })};
  std::ostringstream out;
  out << "# hammertime run " << context_text(context, "run_name") << "\n\n"
      << warnings_text(context) << context_text(context, "cpu_model") << ", "
      << context_text(context, "num_cpus") << " CPUs, " << context_text(context, "kernel")
      << ", commit " << context_text(context, "build_commit").substr(0, 10) << ", "
      << context_text(context, "date") << server_scheduling_text(context) << ".\n\n"
      << summary_legend
      << "| workload | model | C | N | delay ms | items/s (min–max) | CV | "
         "ideal items/s | efficiency | attainable items/s | of attainable | "
         "CPU µs/item | peak memory | bytes/task | kernel memory | p50 / p99 ms | "
         "server late p99 ms | "
      << (columns.queue ? "own queue / send wait p99 ms | " : "")
      << (columns.lag ? "loop lag p50 / p99 / max ms | " : "")
      << "ok / not found / failed | valid | flags |\n"
      << "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
      << (columns.queue ? "--:|" : "") << (columns.lag ? "--:|" : "") << "--:|---|---|\n";

  std::vector<std::string> failures;
  auto floors = floors_of(context);
  auto order = in_report_order(cells);
  for (std::size_t first = 0; first < order.size();) {
    auto end = end_of_benchmark(order, first);
    std::span<const finished_cell* const> runs(order.data() + first, end - first);
    out << table_row(runs, columns, floors);
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
