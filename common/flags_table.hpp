// The classic demo's flags: the 194 codes that exist, the size of each GIF and the
// country's name, embedded from data/flags.tsv at build time.
#pragma once

#include <cstddef>
#include <span>

namespace hammertime::common {

struct flag_entry {
  char code[3];  // upper case, "AD"
  std::size_t bytes;
  const char* country;  // UTF-8, "Andorra"
};

std::span<const flag_entry> flag_table();

}  // namespace hammertime::common
