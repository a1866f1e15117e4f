#include "child.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <iostream>
#include <map>
#include <string>

#include "model.hpp"
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

int print_error(const std::string& message, bool limit, int code) {
  boost::json::object line{{"error", message}};
  if (limit) line["limit"] = true;
  std::cout << boost::json::serialize(line) << std::endl;
  return code;
}

}  // namespace

int child_main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  auto arg = [&](const char* name) -> const std::string& { return args[name]; };

  const model* chosen = models::find_model(arg("--model"));
  auto kind = models::workload_from_string(arg("--workload"));
  if (chosen == nullptr || !kind) {
    std::cerr << "hammertime child: unknown model or workload\n";
    return 2;
  }
  job work;
  try {
    work.kind = *kind;
    work.items = std::stoull(arg("--items"));
    work.concurrency = std::min<std::size_t>(std::stoull(arg("--concurrency")), chosen->max_concurrency);
    work.delay = std::chrono::milliseconds(std::stoll(arg("--delay-ms")));
    work.timeout = std::chrono::milliseconds(std::stoll(arg("--timeout-ms")));
    if (!arg("--host").empty()) work.host = arg("--host");
    work.port = static_cast<std::uint16_t>(std::stoul(arg("--port").empty() ? "0" : arg("--port")));
    if (!arg("--stack-size").empty()) work.stack_size = std::stoull(arg("--stack-size"));
    if (!arg("--bridge-threads").empty())
      work.bridge_threads = std::stoull(arg("--bridge-threads"));
  } catch (const std::exception&) {
    std::cerr << "hammertime child: bad numeric argument\n";
    return 2;
  }

  tally counts(work.items);
  auto baseline_pss = pss_bytes(getpid()).value_or(0);
  auto baseline_rss = status_bytes(getpid(), "VmRSS").value_or(0);
  std::chrono::duration<double> wall{};
  try {
    auto started = clock::now();
    chosen->run(work, counts);
    wall = clock::now() - started;
  } catch (const machine_limit& limit) {
    return print_error(limit.what(), true, 3);
  } catch (const std::exception& error) {
    return print_error(error.what(), false, 1);
  }

  auto latencies = counts.latencies_ms();
  std::vector<float> sorted(latencies.begin(), latencies.end());
  std::sort(sorted.begin(), sorted.end());
  boost::json::object line{
      {"model", chosen->name},
      {"workload", models::to_string(work.kind)},
      {"items", work.items},
      {"concurrency", work.concurrency},
      {"delay_ms", work.delay.count()},
      {"timeout_ms", work.timeout.count()},
      {"wall_seconds", wall.count()},
      {"ok", counts.ok()},
      {"not_found", counts.not_found()},
      {"failed", counts.failed()},
      {"bytes", counts.bytes()},
      {"p50_ms", percentile(sorted, 0.50)},
      {"p99_ms", percentile(sorted, 0.99)},
      {"max_ms", sorted.empty() ? 0.0 : double(sorted.back())},
      {"baseline_pss_bytes", baseline_pss},
      {"baseline_rss_bytes", baseline_rss},
      {"vm_hwm_bytes", status_bytes(getpid(), "VmHWM").value_or(0)},
  };
  if (chosen->knobs & models::uses_stack_size) line["stack_size"] = work.stack_size;
  if (chosen->knobs & models::uses_bridge_threads) line["bridge_threads"] = work.bridge_threads;
  std::cout << boost::json::serialize(line) << std::endl;
  return 0;
}

}  // namespace hammertime::harness
