// The thread pool model's threads: C oneTBB threads, each running one blocking task.
//
// TBB is built for one thread per core; an I/O-bound pool is far larger. So the pool
// lifts TBB's cap to C when its scheduler starts (in the harness's fresh child; a
// process whose TBB started earlier with a lower cap gets a machine_limit, never a
// smaller pool), and gives each thread a 256 KiB stack instead of 4 MiB: a thread
// blocked in cpp-httplib uses a few KiB, and 10,000 threads reserve 2.5 GiB of address
// space instead of 40. Idle TBB threads spin while they look for work, so the pool
// lets threads in 64 at a time and sends them all to sleep once the work is done:
// 10,000 threads spinning at once on 2 cores would starve the rest.
#pragma once

#include <cstddef>
#include <functional>

namespace hammertime::models {

// Runs `task` once on each of `threads` TBB threads, all of them at once (pool_gate.hpp),
// and returns when every one has finished. Throws machine_limit when the machine or
// TBB has no room for that many threads.
void run_on_tbb_threads(std::size_t threads, const std::function<void()>& task);

}  // namespace hammertime::models
