// What could make a run's figures not repeat, checked before and after it, as pyperf
// and hyperfine do: a busy machine (its CPUs busy in the moment before the first cell;
// CPU that other processes used while the run ran; time the hypervisor stole), CPU
// frequency scaling, a build that is not a release build, a git tree with changes that
// are not committed. Each is a warning at the top of summary.md and in results.json's
// context, never a refusal. (Not the load average: a thread_pool cell of 10,000 threads
// leaves it in the hundreds for minutes after, so it says more about the last run.)
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hammertime::harness {

// The machine's CPU time so far (/proc/stat), and this process's and its reaped
// children's.
struct cpu_snapshot {
  double process_seconds = 0;  // all CPUs' time in processes: user + nice + system
  double stolen_seconds = 0;   // steal: the hypervisor ran something else
  double total_seconds = 0;    // all of /proc/stat's fields, idle included
  double own_seconds = 0;      // getrusage(SELF) + getrusage(CHILDREN)
  double wall_seconds = 0;     // steady clock
};
cpu_snapshot take_cpu_snapshot();

// The share of the machine's CPU time that was busy (in processes, or stolen) over
// `window` from now: what the machine is doing while the harness waits.
double busy_share(std::chrono::milliseconds window);
// Busier than this in the quarter second before the first cell is a busy machine.
inline constexpr double busy_before_share = 0.25;
// Other processes' CPU above this share of one CPU over the run is a busy machine.
inline constexpr double busy_other_share = 0.05;

// The warnings the context shows before the run: a busy machine (context's
// "busy_before_run", a share), scaling, build type, git tree.
std::vector<std::string> warnings_before_run(const boost::json::object& context);
// The CPU other processes used during the run (the machine's time in processes less
// the harness's, its cells' and its server's; an outside --server's CPU, which the
// cells' rows record, given as outside_server_seconds), and the warnings after the run:
// other processes above 5 % of one CPU, stolen time above 5 % of the machine's.
double other_cpu_seconds(const cpu_snapshot& before, const cpu_snapshot& after,
                         double outside_server_seconds);
std::vector<std::string> warnings_after_run(const cpu_snapshot& before,
                                            const cpu_snapshot& after,
                                            double outside_server_seconds);

}  // namespace hammertime::harness
