// `hammertime run`'s options: any arguments give a run's options or a usage_error (one
// line, exit 2 in the CLI), never a crash (NUL-separated in the input).
#include <string_view>
#include <vector>

#include "argv_from_bytes.hpp"
#include "harness/cli.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hammertime::fuzz::command_line line("run", data, size);
  std::vector<std::string_view> args(line.words.begin() + 1, line.words.end());
  for (auto arg : args)  // a plan is the plan fuzzer's; here it would read a real file
    if (arg.starts_with("--plan")) return 0;
  try {
    hammertime::harness::parse_run_options(args);
  } catch (const hammertime::harness::usage_error&) {
  }
  return 0;
}
