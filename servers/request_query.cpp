#include "request_query.hpp"

#include <charconv>

namespace hammertime::server {
namespace {

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::int64_t whole_microseconds(std::chrono::steady_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::string_view> query_value(std::string_view query,
                                            std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
      return pair.substr(key.size() + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> delay_asked(std::string_view text,
                                                     std::chrono::milliseconds most) {
  auto value = whole_number(text);
  if (!value || *value < 0 || *value > most.count()) return std::nullopt;
  return std::chrono::milliseconds(*value);
}

std::optional<std::chrono::microseconds> queue_wait(
    std::string_view text, std::chrono::steady_clock::time_point now,
    std::chrono::steady_clock::time_point counting_since) {
  auto sent = whole_number(text);
  auto now_us = whole_microseconds(now);
  if (!sent || *sent > now_us || *sent < whole_microseconds(counting_since))
    return std::nullopt;
  return std::chrono::microseconds(now_us - *sent);
}

}  // namespace hammertime::server
