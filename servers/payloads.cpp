#include "payloads.hpp"

#include "common/flags_table.hpp"
#include "random.hpp"

namespace hammertime::server {
namespace {

int code_index(char first, char second) { return (first - 'a') * 26 + (second - 'a'); }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

std::string flag_payload(std::string_view code, std::size_t bytes) {
  std::string payload = "GIF89a";
  payload.resize(bytes);
  std::uint64_t state =
      static_cast<unsigned char>(code[0]) * 256u + static_cast<unsigned char>(code[1]);
  for (std::size_t i = 6; i < bytes; ++i) {
    if (i % 8 == 6) state = splitmix64(state);
    payload[i] = static_cast<char>(state >> (8 * (i % 8)));
  }
  return payload;
}

payloads::payloads() {
  for (const auto& flag : common::flag_table()) {
    char lower[2] = {char(flag.code[0] - 'A' + 'a'), char(flag.code[1] - 'A' + 'a')};
    by_code_[code_index(lower[0], lower[1])] = flag_payload(flag.code, flag.bytes);
    metadata_by_code_[code_index(lower[0], lower[1])] = common::flag_metadata(flag);
  }
}

const std::string* payloads::find_metadata(std::string_view path) const {
  // "/flags/ad/metadata.json": 23 characters.
  constexpr std::string_view prefix = "/flags/", suffix = "/metadata.json";
  if (path.size() != prefix.size() + 2 + suffix.size() || !path.starts_with(prefix) ||
      !path.ends_with(suffix) || !is_lower(path[7]) || !is_lower(path[8]))
    return nullptr;
  const std::string& metadata = metadata_by_code_[code_index(path[7], path[8])];
  return metadata.empty() ? nullptr : &metadata;
}

const std::string* payloads::find(std::string_view path) const {
  // "/flags/ad/ad.gif": 16 characters, the code twice.
  constexpr std::string_view prefix = "/flags/";
  if (path.size() != 16 || !path.starts_with(prefix) || !path.ends_with(".gif"))
    return nullptr;
  char first = path[7], second = path[8];
  if (!is_lower(first) || !is_lower(second) || path[9] != '/' || path[10] != first ||
      path[11] != second)
    return nullptr;
  const std::string& payload = by_code_[code_index(first, second)];
  return payload.empty() ? nullptr : &payload;
}

}  // namespace hammertime::server
