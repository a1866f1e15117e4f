// What could make a run's figures not repeat, checked before and after it, as pyperf
// and hyperfine do: a busy machine (the load average; CPU that other processes used
// while the run ran), CPU frequency scaling, a build that is not a release build, a
// git tree with changes that are not committed. Each is a warning at the top of
// summary.md and in results.json's context, never a refusal.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace hammertime::harness {

// The machine's CPU time so far (/proc/stat), and this process's and its reaped
// children's.
struct cpu_snapshot {
  double machine_busy_seconds = 0;  // all CPUs, all processes: user..steal less idle
  double own_seconds = 0;           // getrusage(SELF) + getrusage(CHILDREN)
  double wall_seconds = 0;          // steady clock
};
cpu_snapshot take_cpu_snapshot();

// A load average above this share of the CPUs before the run is a busy machine.
inline constexpr double busy_load_per_cpu = 0.25;
// Other processes' CPU above this share of one CPU over the run is a busy machine.
inline constexpr double busy_other_share = 0.05;

// The warnings the context shows before the run: load, scaling, build type, git tree.
std::vector<std::string> warnings_before_run(const boost::json::object& context);
// The CPU other processes used during the run (the machine's busy time less the
// harness's, its cells' and its server's; an outside --server's CPU, which the cells'
// rows record, given as outside_server_seconds), and its warning if there is one.
double other_cpu_seconds(const cpu_snapshot& before, const cpu_snapshot& after,
                         double outside_server_seconds);
std::vector<std::string> warnings_after_run(const cpu_snapshot& before,
                                            const cpu_snapshot& after,
                                            double outside_server_seconds);

}  // namespace hammertime::harness
