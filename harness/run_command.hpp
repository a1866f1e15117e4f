// `hammertime run`: checks everything it can up front (arguments, machine limits, the
// server), then runs the matrix cell by cell, rewriting the result files after each.
#pragma once

#include <span>
#include <string_view>

namespace hammertime::harness {

// Exit status: 0 done, 1 failure (the server would not start, results not writable),
// 2 bad input, a machine limit or a folder another run holds, 128 + the signal when
// SIGINT, SIGTERM, SIGHUP or SIGQUIT stopped it (130, 143, 129, 131).
int run_main(std::span<const std::string_view> args);

}  // namespace hammertime::harness
