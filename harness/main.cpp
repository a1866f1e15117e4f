// hammertime: the benchmark harness. `run` runs the matrix, `list` shows what there is,
// `child` is the protocol each cell's fresh process speaks (see models/child.hpp).
//
//   $ hammertime run --workload flags --models sequential --items 20 --repetitions 1
#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

#include "child.hpp"
#include "cli.hpp"
#include "common/exit_codes.hpp"
#include "list_command.hpp"
#include "run_command.hpp"

int main(int argc, char** argv) {
  using namespace hammertime;
  std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "child") return harness::child_main(argc - 1, argv + 1);
  std::vector<std::string_view> args(argv + std::min(argc, 2), argv + argc);
  try {
    if (command == "run") return harness::run_main(args);
    if (command == "list") return harness::list_main(args);
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << harness::main_help();
      return common::exit_code::success;
    }
  } catch (const std::exception& error) {
    std::cerr << "hammertime: " << error.what() << "\n";
    return common::exit_code::failure;
  }
  std::cerr << "hammertime: "
            << (command.empty() ? "a command is needed"
                                : "unknown command '" + std::string(command) + "'")
            << " (list, run; see hammertime --help)\n";
  return common::exit_code::bad_usage;
}
