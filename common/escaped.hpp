// Text echoed back in a message, on one line, with no terminal escapes, and bounded:
// a newline, a tab, ESC or any byte outside printable ASCII is written as \n, \t, \x1b.
//
//   escaped("8001\n--evil")  -> "8001\\n--evil"
#pragma once

#include <string>
#include <string_view>

namespace hammertime::common {

inline std::string escaped(std::string_view text, std::size_t limit = 200) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string shown;
  for (unsigned char c : text) {
    if (shown.size() >= limit) return shown + "...";
    if (c == '\n')
      shown += "\\n";
    else if (c == '\r')
      shown += "\\r";
    else if (c == '\t')
      shown += "\\t";
    else if (c < 0x20 || c >= 0x7f)
      shown += {'\\', 'x', hex[c >> 4], hex[c & 15]};
    else
      shown += static_cast<char>(c);
  }
  return shown;
}

}  // namespace hammertime::common
