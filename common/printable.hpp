// An argument echoed back in a message, on one line and with no terminal escapes: a
// newline, a tab, ESC or any other control byte is written as \n, \t, \x1b.
//
//   printable("8001\n--evil")  -> "8001\\n--evil"
#pragma once

#include <string>
#include <string_view>

namespace hammertime::common {

inline std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string shown;
  shown.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n') {
      shown += "\\n";
    } else if (c == '\t') {
      shown += "\\t";
    } else if (c == '\r') {
      shown += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      shown += "\\x";
      shown += hex[c >> 4];
      shown += hex[c & 15];
    } else {
      shown += static_cast<char>(c);
    }
  }
  return shown;
}

}  // namespace hammertime::common
