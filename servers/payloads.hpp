// What each path answers: the 194 flags as deterministic GIF-like payloads of exactly
// the size the original demo served, and each one's metadata (the chained workload's
// first request), built once at start; every other path is a 404.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hammertime::server {

// "GIF89a" then bytes that depend only on the code, `bytes` long in all.
std::string flag_payload(std::string_view code, std::size_t bytes);

class payloads {
 public:
  payloads();

  // The payload for "/flags/ad/ad.gif" (lower case, path without query), or nullptr.
  const std::string* find(std::string_view path) const;
  // {"code":"AD","country":"Andorra"} for "/flags/ad/metadata.json", or nullptr.
  const std::string* find_metadata(std::string_view path) const;

 private:
  // Both empty for the 482 codes that don't exist.
  std::array<std::string, 26 * 26> by_code_, metadata_by_code_;
};

}  // namespace hammertime::server
