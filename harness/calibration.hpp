// A few milliseconds of measuring the machine itself before a run, recorded in the
// context: what spawn-heavy cells cost depends on them, and they differ between two
// VMs of the "same" kind by 3-10x (two reference runs on hosts of one kind disagreed
// 8x on the process pool; forks and page faults were the difference). Two runs whose
// calibrations differ that much are not comparable cell by cell (`make compare` says so).
#pragma once

#include <boost/json.hpp>

namespace hammertime::harness {

// {"fork_exit_ms": fork + exit + wait of an 8 MiB process, median of 20;
//  "page_fault_ns": first touch of a page, mean over 64 MiB;
//  "thread_create_us": create + join of a thread, median of 200}
boost::json::object calibrate_machine();

}  // namespace hammertime::harness
