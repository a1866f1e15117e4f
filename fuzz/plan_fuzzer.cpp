// A plan file (`hammertime run --plan FILE`): any text gives the planned runs or a
// usage_error naming the line, never a crash. The text goes to a file of this process's
// own, as a user's plan would.
#include <unistd.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/hammertime-plan-fuzz." + std::to_string(getpid());
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::vector<std::string_view> args{"--plan", path};
  try {
    hammertime::harness::parse_run_options(args);
  } catch (const hammertime::harness::usage_error&) {
  }
  return 0;
}
