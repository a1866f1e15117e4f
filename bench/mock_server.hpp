// The mock server the request/ benchmarks talk to: hammertime-server beside this
// binary, started once on first use and stopped when the process exits (or is
// interrupted), asked for no delay.
#pragma once

#include "models/model.hpp"

namespace hammertime::bench {

// A flags job against the running server, delay 0 ms. Throws std::runtime_error,
// every time it is asked, when the server could not start.
const models::job& zero_delay_job();

}  // namespace hammertime::bench
