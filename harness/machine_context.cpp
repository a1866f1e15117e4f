#include "machine_context.hpp"

#include <httplib.h>
#include <oneapi/tbb/version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "harness/build_stamp.hpp"
#include "process_group.hpp"

namespace hammertime::harness {
namespace {

std::string first_line(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

// The value of the first "key : value" line of /proc/cpuinfo with that key.
std::string cpuinfo(const std::string& key) {
  std::ifstream file("/proc/cpuinfo");
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind(key, 0) != 0) continue;
    auto colon = line.find(':');
    if (colon != std::string::npos && colon + 2 <= line.size())
      return line.substr(colon + 2);
  }
  return "";
}

// ISO 8601 with the offset as "+01:00", as Google Benchmark writes it.
std::string local_date() {
  std::string date = local_time("%Y-%m-%dT%H:%M:%S%z");
  if (date.size() >= 2) date.insert(date.size() - 2, ":");
  return date;
}

boost::json::array caches() {
  boost::json::array list;
  std::filesystem::path root = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code error;
  for (int index = 0;; ++index) {
    auto folder = root / ("index" + std::to_string(index));
    if (!std::filesystem::exists(folder, error)) break;
    auto size_text = first_line(folder / "size");  // "32K"
    long long size = std::atoll(size_text.c_str());
    if (!size_text.empty() && size_text.back() == 'K') size *= 1024;
    if (!size_text.empty() && size_text.back() == 'M') size *= 1024 * 1024;
    auto shared = first_line(folder / "shared_cpu_list");  // "0-1" or "0,2"
    int sharing = 0;
    for (std::size_t start = 0; start <= shared.size() && !shared.empty();) {
      auto end = shared.find(',', start);
      auto part = shared.substr(start, end - start);
      auto dash = part.find('-');
      sharing += dash == std::string::npos
                     ? 1
                     : std::atoi(part.c_str() + dash + 1) - std::atoi(part.c_str()) + 1;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    list.push_back({{"type", first_line(folder / "type")},
                    {"level", std::atoi(first_line(folder / "level").c_str())},
                    {"size", size},
                    {"num_sharing", sharing}});
  }
  return list;
}

bool cpu_scaling_enabled() {
  auto governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  return !governor.empty() && governor != "performance";
}

// build_dirty as JSON: null when the binaries were not built from a git tree.
boost::json::value build_dirty_json() {
  if (!build_dirty) return nullptr;
  return *build_dirty;
}

}  // namespace

std::string local_time(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[64];
  std::strftime(text, sizeof text, format, &local);
  return text;
}

boost::json::object machine_context() {
  utsname system{};
  uname(&system);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);

  return {
      {"date", local_date()},
      {"host_name", host},
      {"executable", executable_folder() + "/hammertime"},
      {"num_cpus", sysconf(_SC_NPROCESSORS_ONLN)},
      {"mhz_per_cpu", static_cast<long long>(std::atof(cpuinfo("cpu MHz").c_str()))},
      {"cpu_scaling_enabled", cpu_scaling_enabled()},
      {"caches", caches()},
      {"load_avg", {load[0], load[1], load[2]}},
#ifdef NDEBUG
      {"library_build_type", "release"},
#else
      {"library_build_type", "debug"},
#endif
      {"cpu_model", cpuinfo("model name")},
      // Which CPU exactly: two VMs sold as one kind may sit on different hosts.
      {"cpu_family", cpuinfo("cpu family")},
      {"cpu_model_number", cpuinfo("model\t")},
      {"cpu_stepping", cpuinfo("stepping")},
      {"kernel",
       std::string(system.sysname) + " " + system.release + " " + system.machine},
      {"compiler", "GCC " __VERSION__},
      {"boost_version", std::to_string(BOOST_VERSION / 100000) + "." +
                            std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                            std::to_string(BOOST_VERSION % 100)},
      {"tbb_version", TBB_VERSION_STRING},
      {"cpp_httplib_version", CPPHTTPLIB_VERSION},
      {"hammertime_version", HAMMERTIME_VERSION},
      {"build_commit", build_commit},
      {"build_dirty", build_dirty_json()},
  };
}

}  // namespace hammertime::harness
