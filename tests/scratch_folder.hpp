// A fresh folder under /tmp for one test, removed when the test ends, and a file's
// whole text: what the harness tests share.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hammertime::testing {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

struct scratch_folder {
  std::filesystem::path path;
  scratch_folder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "hammertime-test-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~scratch_folder() { std::filesystem::remove_all(path); }
  scratch_folder(const scratch_folder&) = delete;
  scratch_folder& operator=(const scratch_folder&) = delete;
  // Where a run's results go: --out must be empty, and the logs are beside it.
  std::filesystem::path out() const { return path / "out"; }
};

}  // namespace hammertime::testing
