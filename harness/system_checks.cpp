#include "system_checks.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace hammertime::harness {
namespace {

double seconds(const timeval& time) { return time.tv_sec + time.tv_usec / 1e6; }

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f %%", 100 * share);
  return text;
}

double number_at(const boost::json::object& context, const char* key, double fallback) {
  const auto* value = context.if_contains(key);
  if (value == nullptr) return fallback;
  if (value->is_double()) return value->as_double();
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  return fallback;
}

}  // namespace

cpu_snapshot take_cpu_snapshot() {
  cpu_snapshot snapshot;
  std::ifstream stat("/proc/stat");
  std::string label;
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (ticks; guest
  // time is already in user)
  if (stat >> label && label == "cpu") {
    double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    unsigned long long field[8] = {};
    for (auto& value : field) stat >> value;
    snapshot.process_seconds =
        static_cast<double>(field[0] + field[1] + field[2]) / ticks;
    snapshot.stolen_seconds = static_cast<double>(field[7]) / ticks;
    unsigned long long total = 0;
    for (auto value : field) total += value;
    snapshot.total_seconds = static_cast<double>(total) / ticks;
  }
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  snapshot.own_seconds = seconds(self.ru_utime) + seconds(self.ru_stime) +
                         seconds(children.ru_utime) + seconds(children.ru_stime);
  snapshot.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  return snapshot;
}

double busy_share(std::chrono::milliseconds window) {
  auto before = take_cpu_snapshot();
  std::this_thread::sleep_for(window);
  auto after = take_cpu_snapshot();
  double total = after.total_seconds - before.total_seconds;
  double busy = after.process_seconds - before.process_seconds + after.stolen_seconds -
                before.stolen_seconds;
  return total > 0 ? busy / total : 0;
}

std::vector<std::string> warnings_before_run(const boost::json::object& context) {
  std::vector<std::string> warnings;
  double cpus = number_at(context, "num_cpus", 1);
  if (const auto* busy = context.if_contains("busy_before_run");
      busy && busy->is_number() && busy->to_number<double>() > busy_before_share) {
    char text[160];
    std::snprintf(
        text, sizeof text,
        "the machine was busy before the run: %s of its CPU time in the quarter "
        "second before the first cell",
        percent(busy->to_number<double>()).c_str());
    warnings.push_back(text);
  }
  if (const auto* scaling = context.if_contains("cpu_scaling_enabled");
      scaling && scaling->is_bool() && scaling->as_bool())
    warnings.push_back("CPU frequency scaling is on (a governor other than performance)");
  if (const auto* build = context.if_contains("library_build_type");
      build && build->is_string() && build->as_string() != "release")
    warnings.push_back("not a release build: " + std::string(build->as_string()));
  if (const auto* dirty = context.if_contains("build_dirty");
      dirty && dirty->is_bool() && dirty->as_bool())
    warnings.push_back(
        "the build's git tree had uncommitted changes: build_commit is not all of what "
        "ran");
  return warnings;
}

double other_cpu_seconds(const cpu_snapshot& before, const cpu_snapshot& after,
                         double outside_server_seconds) {
  double machine = after.process_seconds - before.process_seconds;
  double ours = after.own_seconds - before.own_seconds + outside_server_seconds;
  return std::max(0.0, machine - ours);
}

std::vector<std::string> warnings_after_run(const cpu_snapshot& before,
                                            const cpu_snapshot& after,
                                            double outside_server_seconds) {
  std::vector<std::string> warnings;
  double wall = after.wall_seconds - before.wall_seconds;
  double other = other_cpu_seconds(before, after, outside_server_seconds);
  char text[200];
  // /proc/stat counts in ticks (10 ms): a short run's share is noise below a second.
  if (wall > 0 && other >= 1.0 && other / wall > busy_other_share) {
    std::snprintf(text, sizeof text,
                  "other processes used %.1f CPU-seconds during the run (%s of one CPU "
                  "over its %.0f s)",
                  other, percent(other / wall).c_str(), wall);
    warnings.push_back(text);
  }
  double stolen = after.stolen_seconds - before.stolen_seconds;
  double total = after.total_seconds - before.total_seconds;
  if (total > 0 && stolen >= 1.0 && stolen / total > busy_other_share) {
    std::snprintf(text, sizeof text,
                  "the hypervisor took %s of the CPUs' time during the run (steal)",
                  percent(stolen / total).c_str());
    warnings.push_back(text);
  }
  return warnings;
}

}  // namespace hammertime::harness
