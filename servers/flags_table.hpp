// The classic demo's flags: the 194 codes that exist and the size of each GIF,
// embedded from data/flags.tsv at build time.
#pragma once

#include <cstddef>
#include <span>

namespace hammertime::server {

struct flag_entry {
  char code[3];  // upper case, "AD"
  std::size_t bytes;
};

std::span<const flag_entry> flag_table();

}  // namespace hammertime::server
