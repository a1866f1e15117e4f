// hammertime-server's command line: any arguments give options, a usage error or help,
// never a crash (arguments are NUL-separated in the input: argv_from_bytes.hpp).
#include "argv_from_bytes.hpp"
#include "servers/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hammertime::fuzz::command_line line("hammertime-server", data, size);
  hammertime::server::parse_options(line.argc(), line.argv.data());
  return 0;
}
