#include "results_csv.hpp"

#include <cstdio>
#include <functional>
#include <sstream>
#include <utility>
#include <vector>

namespace hammertime::harness {
namespace {

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

using field = std::function<std::string(const finished_cell&)>;
using column = std::pair<const char*, field>;

template <class Number>
std::string number(Number value) {
  return fixed(static_cast<double>(value), 6);
}

// A measure of the run's work: empty when the run failed.
template <class Pick>
field when_ran(Pick pick) {
  return [=](const finished_cell& d) {
    return d.result.error.empty() ? number(pick(d)) : std::string();
  };
}

// A measure that may be missing: empty then.
template <class Pick>
field maybe(Pick pick) {
  return [=](const finished_cell& d) {
    auto value = pick(d);
    return value ? number(*value) : std::string();
  };
}

// The columns in their order, each with how a cell run fills it. Empty where a measure
// was not taken; results.json says why.
std::vector<column> csv_columns(const machine_floors& floors) {
  return {
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
       [](const auto& d) {
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
      {"attainable_items_per_second", maybe([floors](const auto& d) {
         return attainable_items_per_second(d.where, floors);
       })},
      {"of_attainable",
       maybe([floors](const auto& d) { return of_attainable(d, floors); })},
      {"cpu_user_s", when_ran([](const auto& d) { return d.result.cpu_user_s; })},
      {"cpu_system_s", when_ran([](const auto& d) { return d.result.cpu_system_s; })},
      {"cpu_us_per_item", when_ran([](const auto& d) { return cpu_us_per_item(d); })},
      {"process_cpu_us_per_item",
       [](const auto& d) { return number(process_cpu_us_per_item(d)); }},
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
      {"max_rss_bytes", [](const auto& d) { return number(d.result.max_rss_bytes); }},
      {"p50_ms", when_ran([](const auto& d) { return d.result.p50_ms; })},
      {"p99_ms", when_ran([](const auto& d) { return d.result.p99_ms; })},
      {"max_ms", when_ran([](const auto& d) { return d.result.max_ms; })},
      {"server_cpu_s", maybe([](const auto& d) { return d.result.server_cpu_s; })},
      {"server_lateness_p99_ms", maybe([](const auto& d) -> std::optional<double> {
         if (!d.result.server_lateness_ms) return std::nullopt;
         return d.result.server_lateness_ms->p99_ms;
       })},
      {"server_own_queue_p99_ms", maybe([](const auto& d) -> std::optional<double> {
         if (!d.result.server_own_queue_ms) return std::nullopt;
         return d.result.server_own_queue_ms->p99_ms;
       })},
      {"client_send_wait_p99_ms", maybe([](const auto& d) -> std::optional<double> {
         if (!d.result.client_send_wait_ms) return std::nullopt;
         return d.result.client_send_wait_ms->p99_ms;
       })},
      {"proxy_lateness_p99_ms",
       maybe([](const auto& d) { return d.result.proxy_lateness_p99_ms; })},
      {"server_bound",
       [](const auto& d) { return std::string(server_bound(d) ? "true" : "false"); }},
      {"proxy_bound",
       [](const auto& d) { return std::string(proxy_bound(d) ? "true" : "false"); }},
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
}

}  // namespace

std::string results_csv(std::span<const finished_cell> cells,
                        const machine_floors& floors) {
  const auto columns = csv_columns(floors);
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

}  // namespace hammertime::harness
