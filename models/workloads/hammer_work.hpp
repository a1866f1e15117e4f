// The hammer workload's CPU work: a checksum of the item's body, repeated for X us of
// one core. Calibrated once per process, so that X us means X us on this machine; each
// item's checksum goes into the tally (tally::checksum), so the compiler cannot drop
// the work and a test can check it was all done.
//
//   work.work_rounds = calibrated_rounds(work.cpu_per_item);   // once, before the clock
//   starts result = work_on_body(work, result);                // per item, on its own
//   thread
#pragma once

#include <chrono>
#include <cstdint>

#include "models/model.hpp"

namespace hammertime::models {

// `rounds` rounds of the checksum of a body, seeded by what is kept of it (its size and
// outcome: every model counts a body's bytes and drops them). Never 0.
std::uint64_t body_checksum(const fetch_result& body, std::uint64_t rounds);

// The rounds that take `work` of one core's time here: the rate is measured once per
// process (about 20 ms of the thread's CPU time), then scaled; 0 for no work.
std::uint64_t calibrated_rounds(std::chrono::microseconds work);

// What an item does with its body once the response came: for the hammer workload,
// work.work_rounds rounds of the checksum, kept in the result (a failed item has no
// body and does none); for the other workloads, nothing.
fetch_result work_on_body(const job& work, fetch_result got);

}  // namespace hammertime::models
