// The child's report (the last line it prints, JSON): any output gives a result, a
// missing-line false or an error naming what is wrong, never a crash.
#include <string>

#include "harness/cell_runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string output(reinterpret_cast<const char*>(data), size);
  hammertime::harness::cell_result result;
  std::string error;
  hammertime::harness::read_child_report(output, result, error);
  return 0;
}
