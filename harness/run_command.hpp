// `hammertime run`: checks everything it can up front (arguments, machine limits, the
// server), then runs the matrix cell by cell, rewriting the result files after each.
#pragma once

#include <span>
#include <string_view>

namespace hammertime::harness {

// Exit status: 0 done, 1 failure (the server would not start, results not writable),
// 2 bad input or a machine limit, 130 / 143 stopped by SIGINT / SIGTERM.
int run_main(std::span<const std::string_view> args);

}  // namespace hammertime::harness
