// A fuzzer's bytes as a command line: arguments separated by NUL bytes, after the
// program's own name.
//
//   "--port\0 8001"  ->  {"hammertime-server", "--port", " 8001"}
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hammertime::fuzz {

struct command_line {
  std::vector<std::string> words;
  std::vector<char*> argv;  // into words, then a null

  command_line(const char* program, const std::uint8_t* data, std::size_t size) {
    words.emplace_back(program);
    std::string word;
    for (std::size_t i = 0; i < size; ++i) {
      if (data[i] == 0) {
        words.push_back(std::move(word));
        word.clear();
      } else {
        word += static_cast<char>(data[i]);
      }
    }
    if (size > 0) words.push_back(std::move(word));
    for (auto& each : words) argv.push_back(each.data());
    argv.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(words.size()); }
};

}  // namespace hammertime::fuzz
