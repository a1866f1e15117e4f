#include "server_stats.hpp"

#include <httplib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

namespace hammertime::harness {
namespace {

// GET path, or POST it (with no body) when `post`.
httplib::Result request(const endpoint& where, const char* path, bool post,
                        std::chrono::milliseconds within) {
  httplib::Client client(where.host, where.port);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(within).count();
  client.set_connection_timeout(micros / 1'000'000, micros % 1'000'000);
  client.set_read_timeout(micros / 1'000'000, micros % 1'000'000);
  client.set_write_timeout(micros / 1'000'000, micros % 1'000'000);
  return post ? client.Post(path) : client.Get(path);
}

std::optional<double> number_at(const boost::json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_double()) return value->as_double();
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  if (value->is_uint64()) return static_cast<double>(value->as_uint64());
  return std::nullopt;
}

}  // namespace

bool answers_http(const endpoint& where, std::chrono::milliseconds within) {
  return static_cast<bool>(request(where, "/stats", false, within));
}

std::optional<server_stats> fetch_server_stats(const endpoint& where, bool reset,
                                               std::chrono::milliseconds within) {
  auto response = request(where, reset ? "/stats/reset" : "/stats", reset, within);
  if (!response || response->status != 200) return std::nullopt;
  boost::system::error_code error;
  auto parsed = boost::json::parse(response->body, error);
  if (error || !parsed.is_object()) return std::nullopt;
  // Ours counts every answer, every status and every fault: without them it is some
  // other server.
  auto answered = number_at(parsed.find_pointer("/answered", error));
  const auto* requests = parsed.find_pointer("/requests", error);
  const auto* faults = parsed.find_pointer("/faults", error);
  if (!answered || requests == nullptr || !requests->is_object() || faults == nullptr ||
      !faults->is_object())
    return std::nullopt;
  server_stats stats;
  stats.answered = static_cast<std::uint64_t>(*answered);
  for (const auto& [kind, count] : faults->as_object())
    if (auto number = number_at(&count))
      stats.faults[std::string(kind)] = static_cast<std::uint64_t>(*number);
  auto percentiles = [&](const std::string& group) -> std::optional<server_lateness> {
    auto count = number_at(parsed.find_pointer("/" + group + "/count", error));
    auto p50 = number_at(parsed.find_pointer("/" + group + "/p50", error));
    auto p99 = number_at(parsed.find_pointer("/" + group + "/p99", error));
    auto max = number_at(parsed.find_pointer("/" + group + "/max", error));
    if (!count || *count == 0 || !p50 || !p99 || !max) return std::nullopt;
    return server_lateness{*p50 / 1e3, *p99 / 1e3, *max / 1e3};
  };
  stats.lateness = percentiles("lateness_us");
  stats.own_queue = percentiles("own_queue_us");
  stats.client_send_wait = percentiles("client_send_wait_us");
  auto user = number_at(parsed.find_pointer("/cpu_seconds/user", error));
  auto system = number_at(parsed.find_pointer("/cpu_seconds/system", error));
  if (user && system) stats.cpu_seconds = *user + *system;
  return stats;
}

std::optional<double> fetch_proxy_lateness_p99_ms(const endpoint& control, bool reset,
                                                  std::chrono::milliseconds within) {
  auto response = request(control, reset ? "/stats/reset" : "/stats", reset, within);
  if (!response || response->status != 200) return std::nullopt;
  boost::system::error_code error;
  auto parsed = boost::json::parse(response->body, error);
  if (error || !parsed.is_object()) return std::nullopt;
  auto p99 = number_at(parsed.find_pointer("/lateness_us/p99", error));
  if (!p99) return std::nullopt;
  return *p99 / 1000.0;
}

std::optional<double> process_cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(file, content)) return std::nullopt;
  auto close = content.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  // After "pid (comm)": state is field 3, utime field 14, stime field 15.
  std::istringstream fields(content.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace hammertime::harness
