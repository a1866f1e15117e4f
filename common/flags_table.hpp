// The classic demo's flags: the 194 codes that exist, the size of each GIF and the
// country's name, embedded from data/flags.tsv at build time.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hammertime::common {

struct flag_entry {
  char code[3];  // upper case, "AD"
  std::size_t bytes;
  const char* country;  // UTF-8, "Andorra"
};

std::span<const flag_entry> flag_table();

// {"code":"AD","country":"Andorra"} and a newline: the flag's metadata as
// hammertime-server serves it (the chained workload's first answer).
std::string flag_metadata(const flag_entry& flag);

// The body of hammertime-server's 404, for a code that has no flag.
inline constexpr std::string_view not_found_body = "not found\n";

}  // namespace hammertime::common
