// A fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput once on each file named
// (or each file of each folder named), so every build replays the committed corpus —
// the inputs that once crashed included — as a regression test.
//
//   $ build/bin/server_request_replay fuzz/corpus/server_request
//   server_request_replay: 12 inputs, none crashed
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (const auto& entry : fs::directory_iterator(argv[i]))
        if (entry.is_regular_file()) inputs.push_back(entry.path());
    } else {
      inputs.emplace_back(argv[i]);
    }
  }
  if (inputs.empty()) {
    std::cerr << fs::path(argv[0]).filename().string() << ": no inputs\n";
    return 2;
  }
  for (const auto& path : inputs) {
    std::ifstream file(path, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(file), {}};
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                           bytes.size());
  }
  std::cout << fs::path(argv[0]).filename().string() << ": " << inputs.size()
            << " inputs, none crashed\n";
  return 0;
}
