// Progress on stderr while a run goes: cell k of n, its name and repetition, items
// done when the server can say, elapsed against the expected time, and the time left.
// One updating line on a terminal; plain lines (one per cell) otherwise.
//
//   [3/12] flags/thread_pool/C:676 rep 1/3  412 items  2.1s of ~0.9s  ~14s left
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cell.hpp"
#include "cell_runner.hpp"

namespace hammertime::harness {

class progress {
 public:
  explicit progress(std::span<const cell> cells);
  ~progress();

  void begin(std::size_t index);
  // Whether update() would show anything now (a terminal: every 200 ms; plain lines:
  // every 10 s), so the caller asks the server for items done only then.
  bool due() const;
  // The cell's elapsed time against its expected time. It asks the server nothing: a
  // single-threaded server would serve the question in the cell's time.
  void update(std::chrono::duration<double> elapsed);
  void end(const cell_result& result);
  // Leaves the terminal line clean (before other messages).
  void clear();

 private:
  // What a cell should take: its ideal time plus process start-up.
  static double expected_seconds(const cell& one);
  std::string time_left(double elapsed_in_cell) const;
  void show(const std::string& line, bool final_line);

  std::vector<cell> cells_;
  std::size_t current_ = 0;
  double expected_done_ = 0, actual_done_ = 0;  // over the finished cells
  bool terminal_;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point last_plain_line_{};
};

}  // namespace hammertime::harness
