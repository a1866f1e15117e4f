#include "child.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "common/exit_codes.hpp"
#include "memory_cgroup.hpp"
#include "models/model.hpp"
#include "models/workloads/hammer_work.hpp"
#include "models/workloads/ticker.hpp"
#include "process_memory.hpp"

namespace hammertime::harness {
namespace {

using models::clock;
using models::job;
using models::machine_limit;
using models::model;
using models::tally;

double percentile(std::vector<float>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(fraction * sorted.size()));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// User and system CPU seconds of this process and the children it has reaped.
struct cpu_seconds {
  double user = 0, system = 0;
  static cpu_seconds now() {
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return {seconds(self.ru_utime) + seconds(children.ru_utime),
            seconds(self.ru_stime) + seconds(children.ru_stime)};
  }
};

int print_error(const std::string& message, bool limit, int code) {
  boost::json::object line{{"error", message}};
  if (limit) line["limit"] = true;
  std::cout << boost::json::serialize(line) << std::endl;
  return code;
}

// Each flag once, with a value; numbers whole and in range. Throws child_usage.
struct child_usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::string_view child_flags[] = {
    "--model",      "--workload",       "--items",   "--concurrency",
    "--delay-ms",   "--timeout-ms",     "--host",    "--port",
    "--stack-size", "--bridge-threads", "--work-us", "--ticker-ms"};
// The flags a child may go without.
constexpr std::string_view optional_flags[] = {
    "--host", "--port", "--stack-size", "--bridge-threads", "--work-us", "--ticker-ms"};

constexpr std::string_view child_usage_text =
    R"(usage: hammertime child --model M --workload W --items N --concurrency C
                        --delay-ms D --timeout-ms T [--host H] [--port P]
                        [--stack-size BYTES] [--bridge-threads B]
                        [--work-us X] [--ticker-ms T]
Runs one model once in this process and prints one JSON line (the cell's tally, times
and memory); what `hammertime run` starts for each cell. --work-us: the hammer's CPU
per item (calibrated here, before the clock starts); --ticker-ms: a ticker beside the
work, its lateness reported as loop_lag_p50_ms, loop_lag_p99_ms, loop_lag_max_ms. Exit 0 when the model ran, 3
with {"error":..,"limit":true} when a machine limit stopped it, 1 on another failure,
2 on bad arguments.
)";

std::map<std::string_view, std::string_view> child_arguments(int argc, char** argv) {
  std::map<std::string_view, std::string_view> given;
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (std::find(std::begin(child_flags), std::end(child_flags), name) ==
        std::end(child_flags))
      throw child_usage("unknown argument '" + escaped(name) + "' (see --help)");
    if (i + 1 >= argc) throw child_usage(std::string(name) + " needs a value");
    if (!given.emplace(name, argv[++i]).second)
      throw child_usage(std::string(name) + " given twice");
  }
  for (auto name : child_flags)
    if (!given.count(name) &&
        std::find(std::begin(optional_flags), std::end(optional_flags), name) ==
            std::end(optional_flags))
      throw child_usage(std::string(name) + " is missing");
  return given;
}

std::uint64_t whole_number(const std::map<std::string_view, std::string_view>& given,
                           std::string_view name, std::uint64_t least,
                           std::uint64_t most) {
  auto text = given.at(name);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() ||
      value < least || value > most)
    throw child_usage("bad " + std::string(name) + " '" + escaped(text) +
                      "': expected a whole number " + std::to_string(least) + ".." +
                      std::to_string(most));
  return value;
}

job child_job(const std::map<std::string_view, std::string_view>& given,
              const model*& chosen) {
  chosen = models::find_model(given.at("--model"));
  if (chosen == nullptr)
    throw child_usage("unknown --model '" + escaped(given.at("--model")) + "'");
  auto kind = models::workload_from_string(given.at("--workload"));
  if (!kind)
    throw child_usage("unknown --workload '" + escaped(given.at("--workload")) + "'");
  job work;
  work.kind = *kind;
  // The bounds `run` itself holds its options to (cli.hpp).
  constexpr std::uint64_t most_items = max_items;
  work.items = whole_number(given, "--items", 1, most_items);
  work.concurrency = std::min<std::size_t>(
      whole_number(given, "--concurrency", 1, most_items), chosen->max_concurrency);
  work.delay =
      std::chrono::milliseconds(whole_number(given, "--delay-ms", 0, max_delay.count()));
  work.timeout = std::chrono::milliseconds(
      whole_number(given, "--timeout-ms", 1, max_timeout.count()));
  if (given.count("--host")) {
    if (given.at("--host").empty()) throw child_usage("--host is empty");
    work.host = given.at("--host");
  }
  if (given.count("--port"))
    work.port = static_cast<std::uint16_t>(whole_number(given, "--port", 0, 65535));
  if (given.count(
          "--stack-size"))  // the bounds of run's --stack-size and --bridge-threads
    work.stack_size = whole_number(given, "--stack-size", 4096, 64u << 20);
  if (given.count("--bridge-threads"))
    work.bridge_threads = whole_number(given, "--bridge-threads", 1, 10000);
  if (given.count("--work-us")) {
    if (work.kind != models::workload::hammer)
      throw child_usage("--work-us is for the hammer workload");
    work.cpu_per_item = std::chrono::microseconds(
        whole_number(given, "--work-us", 0, std::uint64_t(max_work.count())));
  }
  if (given.count("--ticker-ms"))
    work.ticker = std::chrono::milliseconds(
        whole_number(given, "--ticker-ms", 1, std::uint64_t(max_ticker.count())));
  return work;
}

// The timeline's samples: [index, start_us, end_us], µs from the work's clock start.
boost::json::array item_times_json(const tally& counts,
                                   models::clock::time_point started) {
  auto us = [&](models::clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::microseconds>(at - started).count();
  };
  boost::json::array times;
  times.reserve(counts.item_times().size());
  for (const auto& item : counts.item_times())
    times.push_back(boost::json::array{item.index, us(item.start), us(item.end)});
  return times;
}

// The OS threads the model's items run on (a process pool's workers count one each),
// as the peers report their runtime's: the loop's one, the pool's C, the bridge's 1 + B.
std::size_t runtime_threads(const model& chosen, const job& work) {
  if (chosen.each_task_holds != models::task_holder::nothing)
    return models::tasks_in_flight(work);
  if (chosen.knobs & models::uses_bridge_threads) return 1 + work.bridge_threads;
  return 1;
}

bool asks_for_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h")
      return true;
  return false;
}

// The child's memory before the work: its PSS and RSS, and its cell's cgroup's usage
// where the harness made a memory cgroup for the cell.
struct memory_baseline {
  std::uint64_t pss_bytes = 0, rss_bytes = 0;
  std::optional<std::uint64_t> cgroup_bytes;
};

memory_baseline measure_memory_baseline() {
  memory_baseline baseline;
  baseline.pss_bytes = pss_bytes(getpid()).value_or(0);
  baseline.rss_bytes = status_bytes(getpid(), "VmRSS").value_or(0);
  if (const char* folder = std::getenv(memory_cgroup::folder_variable))
    baseline.cgroup_bytes = cgroup_usage_bytes(folder);
  return baseline;
}

// The work's time and CPU: from before the first item to after the model's tear-down
// (threads joined, processes reaped, frames freed).
struct work_span {
  std::chrono::duration<double> wall{};
  cpu_seconds cpu_before, cpu_after;
  clock::time_point started;
};

work_span run_work(const model& chosen, const job& work, tally& counts) {
  work_span span;
  span.cpu_before = cpu_seconds::now();
  span.started = clock::now();
  chosen.run(work, counts);
  span.wall = clock::now() - span.started;
  span.cpu_after = cpu_seconds::now();
  return span;
}

// The one JSON line the harness reads: the tally, the times and the memory.
boost::json::object result_line(const model& chosen, const job& work, const tally& counts,
                                const memory_baseline& baseline, const work_span& span) {
  auto latencies = counts.latencies_ms();
  std::vector<float> sorted(latencies.begin(), latencies.end());
  std::sort(sorted.begin(), sorted.end());
  boost::json::object line{
      {"model", chosen.name},
      {"workload", models::to_string(work.kind)},
      {"items", work.items},
      {"concurrency", work.concurrency},
      {"delay_ms", work.delay.count()},
      {"timeout_ms", work.timeout.count()},
      {"wall_seconds", span.wall.count()},
      {"cpu_user_seconds", span.cpu_after.user - span.cpu_before.user},
      {"cpu_system_seconds", span.cpu_after.system - span.cpu_before.system},
      {"ok", counts.ok()},
      {"not_found", counts.not_found()},
      {"failed", counts.failed()},
      {"bytes", counts.bytes()},
      {"p50_ms", percentile(sorted, 0.50)},
      {"p99_ms", percentile(sorted, 0.99)},
      {"max_ms", sorted.empty() ? 0.0 : double(sorted.back())},
      {"baseline_pss_bytes", baseline.pss_bytes},
      {"baseline_rss_bytes", baseline.rss_bytes},
      {"vm_hwm_bytes", status_bytes(getpid(), "VmHWM").value_or(0)},
      {"runtime_threads", runtime_threads(chosen, work)},
      {"tasks_held", models::tasks_in_flight(work)},
  };
  line["item_times"] = item_times_json(counts, span.started);
  if (baseline.cgroup_bytes) line["baseline_cgroup_bytes"] = *baseline.cgroup_bytes;
  if (chosen.knobs & models::uses_stack_size) line["stack_size"] = work.stack_size;
  if (chosen.knobs & models::uses_bridge_threads)
    line["bridge_threads"] = work.bridge_threads;
  if (work.kind == models::workload::hammer) {
    line["work_us"] = work.cpu_per_item.count();
    line["work_rounds"] = work.work_rounds;
    line["work_checksum"] = counts.checksum();
  }
  if (models::has_ticker(work)) {
    auto lag = models::ticker_lag();
    line["ticker_ms"] = work.ticker.count();
    line["ticker_wakeups"] = lag.wakeups;
    line["loop_lag_p50_ms"] = lag.p50_ms;
    line["loop_lag_p99_ms"] = lag.p99_ms;
    line["loop_lag_max_ms"] = lag.max_ms;
  }
  return line;
}

}  // namespace

int child_main(int argc, char** argv) {
  if (asks_for_help(argc, argv)) {
    std::cout << child_usage_text;
    return common::exit_code::success;
  }
  const model* chosen = nullptr;
  job work;
  try {
    work = child_job(child_arguments(argc, argv), chosen);
  } catch (const child_usage& error) {
    std::cerr << "hammertime child: " << error.what() << "\n";
    return common::exit_code::bad_usage;
  }

  work.work_rounds =
      models::calibrated_rounds(work.cpu_per_item);  // before the clock starts
  models::reset_ticker_lag();
  tally counts(work.items);
  auto baseline = measure_memory_baseline();
  work_span span;
  try {
    models::require_what_it_needs(*chosen, work);  // a limit now, not half-way
    span = run_work(*chosen, work, counts);
  } catch (const machine_limit& limit) {
    return print_error(limit.what(), true, common::exit_code::machine_limit);
  } catch (const std::exception& error) {
    return print_error(error.what(), false, common::exit_code::failure);
  }
  std::cout << boost::json::serialize(result_line(*chosen, work, counts, baseline, span))
            << std::endl;
  return common::exit_code::success;
}

}  // namespace hammertime::harness
