// hammertime-micro: what each concurrency model pays per task, with Google Benchmark.
// Families: spawn/ (start and finish one), switch/ (there and back between two),
// wake/ (an event loop woken by a deadline or a socket), request/ (one keep-alive
// request to the mock server at zero delay, per HTTP client the models use).
//
//   $ build/bin/hammertime-micro --benchmark_out=micro.json --benchmark_out_format=json
//   $ make micro RESULTS=results/latest      # the same, plus plots/micro.png
#include <benchmark/benchmark.h>

#include <string_view>

#include "harness/machine_context.hpp"

int main(int argc, char** argv) {
  // Google Benchmark writes the machine's cores and caches; these say the rest.
  constexpr std::string_view extra_context[] = {
      "cpu_model",           "kernel",      "compiler", "boost_version", "tbb_version",
      "cpp_httplib_version", "build_commit"};
  auto context = hammertime::harness::machine_context();
  for (auto key : extra_context)
    if (auto* value = context.if_contains(key); value && value->is_string())
      benchmark::AddCustomContext(std::string(key), std::string(value->get_string()));

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
