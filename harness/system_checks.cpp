#include "system_checks.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

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
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (ticks)
  if (stat >> label && label == "cpu") {
    unsigned long long field[8] = {};
    for (auto& value : field) stat >> value;
    auto busy = field[0] + field[1] + field[2] + field[5] + field[6] + field[7];
    snapshot.machine_busy_seconds =
        static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
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

std::vector<std::string> warnings_before_run(const boost::json::object& context) {
  std::vector<std::string> warnings;
  double cpus = number_at(context, "num_cpus", 1);
  if (const auto* load = context.if_contains("load_avg");
      load && load->is_array() && !load->as_array().empty()) {
    double one_minute = load->as_array()[0].to_number<double>();
    if (one_minute > busy_load_per_cpu * cpus) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "the machine was busy before the run: load average %.2f on %.0f "
                    "CPUs",
                    one_minute, cpus);
      warnings.push_back(text);
    }
  }
  if (const auto* scaling = context.if_contains("cpu_scaling_enabled");
      scaling && scaling->is_bool() && scaling->as_bool())
    warnings.push_back("CPU frequency scaling is on (a governor other than performance)");
  if (const auto* build = context.if_contains("library_build_type");
      build && build->is_string() && build->as_string() != "release")
    warnings.push_back("not a release build: " + std::string(build->as_string()));
  if (const auto* dirty = context.if_contains("git_dirty");
      dirty && dirty->is_bool() && dirty->as_bool())
    warnings.push_back(
        "the git tree has uncommitted changes: git_commit is not all of what ran");
  return warnings;
}

double other_cpu_seconds(const cpu_snapshot& before, const cpu_snapshot& after,
                         double outside_server_seconds) {
  double machine = after.machine_busy_seconds - before.machine_busy_seconds;
  double ours = after.own_seconds - before.own_seconds + outside_server_seconds;
  return std::max(0.0, machine - ours);
}

std::vector<std::string> warnings_after_run(const cpu_snapshot& before,
                                            const cpu_snapshot& after,
                                            double outside_server_seconds) {
  double wall = after.wall_seconds - before.wall_seconds;
  double other = other_cpu_seconds(before, after, outside_server_seconds);
  // /proc/stat counts in ticks (10 ms): a short run's share is noise below a second.
  if (wall <= 0 || other < 1.0 || other / wall <= busy_other_share) return {};
  char text[200];
  std::snprintf(text, sizeof text,
                "other processes used %.1f CPU-seconds during the run (%s of one CPU "
                "over its %.0f s)",
                other, percent(other / wall).c_str(), wall);
  return {text};
}

}  // namespace hammertime::harness
