#include "progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace hammertime::harness {
namespace {

std::string seconds_text(double seconds) {
  char text[32];
  if (seconds < 60)
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  else if (seconds < 3600)
    std::snprintf(text, sizeof text, "%dm%02ds", int(seconds) / 60, int(seconds) % 60);
  else
    std::snprintf(text, sizeof text, "%dh%02dm", int(seconds) / 3600,
                  int(seconds) / 60 % 60);
  return text;
}

}  // namespace

progress::progress(std::span<const cell> cells)
    : cells_(cells.begin(), cells.end()), terminal_(isatty(STDERR_FILENO) == 1) {}

progress::~progress() { clear(); }

double progress::expected_seconds(const cell& one) { return one.ideal().count() + 0.05; }

std::string progress::time_left(double elapsed_in_cell) const {
  double left = std::max(0.0, expected_seconds(cells_[current_]) - elapsed_in_cell);
  for (std::size_t i = current_ + 1; i < cells_.size(); ++i)
    left += expected_seconds(cells_[i]);
  // Scaled by how the finished cells compared with their expectation.
  if (expected_done_ > 0) left *= std::max(1.0, actual_done_ / expected_done_);
  return "~" + seconds_text(left) + " left";
}

void progress::begin(std::size_t index) {
  current_ = index;
  const cell& one = cells_[index];
  last_plain_line_ = std::chrono::steady_clock::now();
  show("[" + std::to_string(index + 1) + "/" + std::to_string(cells_.size()) + "] " +
           one.name() + " rep " + std::to_string(one.repetition + 1) + "/" +
           std::to_string(one.repetitions) + "  ~" + seconds_text(expected_seconds(one)) +
           "  " + time_left(0),
       false);
}

bool progress::due() const {
  return terminal_ ||
         std::chrono::steady_clock::now() - last_plain_line_ >= std::chrono::seconds(10);
}

void progress::update(std::chrono::duration<double> elapsed) {
  if (!due()) return;
  last_plain_line_ = std::chrono::steady_clock::now();
  const cell& one = cells_[current_];
  std::string line = "[" + std::to_string(current_ + 1) + "/" +
                     std::to_string(cells_.size()) + "] " + one.name() + " rep " +
                     std::to_string(one.repetition + 1) + "/" +
                     std::to_string(one.repetitions) + "  ";
  line += seconds_text(elapsed.count()) + " of ~" + seconds_text(expected_seconds(one)) +
          "  " + time_left(elapsed.count());
  show(line, false);
}

void progress::end(const cell_result& result) {
  const cell& one = cells_[current_];
  expected_done_ += expected_seconds(one);
  actual_done_ += result.seconds_outside;
  std::string line = "[" + std::to_string(current_ + 1) + "/" +
                     std::to_string(cells_.size()) + "] " + one.name() + " rep " +
                     std::to_string(one.repetition + 1) + "/" +
                     std::to_string(one.repetitions) + "  ";
  if (result.interrupted) {
    line += "interrupted";
  } else if (!result.error.empty()) {
    line += "FAILED: " + result.error;
  } else {
    char text[160];
    std::snprintf(
        text, sizeof text, "%.2f items/s  ok %llu  not found %llu  failed %llu  %.2fs",
        static_cast<double>(result.counted()) / std::max(result.wall_seconds, 1e-9),
        static_cast<unsigned long long>(result.ok),
        static_cast<unsigned long long>(result.not_found),
        static_cast<unsigned long long>(result.failed), result.wall_seconds);
    line += text;
  }
  show(line, true);
}

void progress::clear() {
  if (terminal_ && line_open_) std::fputs("\r\033[K", stderr);
  line_open_ = false;
  std::fflush(stderr);
}

void progress::show(const std::string& line, bool final_line) {
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
    line_open_ = !final_line;
  } else if (final_line || !line.empty()) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace hammertime::harness
