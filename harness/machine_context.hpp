// The "context" block of results.json: the machine, the build and the commit a run
// was measured on, in Google Benchmark's field names plus hammertime's own.
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace hammertime::harness {

// The local time now, as std::strftime writes it with this format (at most 63 chars).
std::string local_time(const char* format);

// date, host_name, executable, num_cpus, mhz_per_cpu, cpu_scaling_enabled, caches,
// load_avg, library_build_type, cpu_model, kernel, compiler, boost_version,
// tbb_version, cpp_httplib_version, build_commit and build_dirty (stamped at build
// time: harness/build_stamp.hpp).
boost::json::object machine_context();

}  // namespace hammertime::harness
