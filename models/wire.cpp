#include "wire.hpp"

#include <cctype>

namespace hammertime::models {

std::string flag_code(std::size_t index) {
  return {static_cast<char>('A' + index / 26 % 26), static_cast<char>('A' + index % 26)};
}

std::string flag_target(std::size_t index, std::chrono::milliseconds delay) {
  std::string cc = flag_code(index);
  for (char& c : cc) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "/flags/" + cc + "/" + cc + ".gif?delay_ms=" + std::to_string(delay.count());
}

outcome classify(int http_status) {
  if (http_status == 200) return outcome::ok;
  if (http_status == 404) return outcome::not_found;
  return outcome::failed;
}

}  // namespace hammertime::models
