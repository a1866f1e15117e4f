// A run's folder: --out, or a fresh results/runs/<timestamp> that no other run shares
// (made with mkdir, a suffix when the name is taken). The run holds an exclusive flock on
// the folder itself from its making to the run's end, so a second run on the same folder
// is refused instead of mixing its cells in; and the folder's file set is settled
// (results_writer.hpp) however the run ends.
//
//   auto folder = hold_run_folder(options);  // "--out /x is in use: another ..."
#pragma once

#include <filesystem>
#include <string>

#include "cli.hpp"

namespace hammertime::harness {

// The link to the last run's folder, made by a run without --out.
inline constexpr const char* latest_link = "results/latest";

// The folder and its lock, as the run holds them.
class held_run_folder {
 public:
  held_run_folder() = default;
  held_run_folder(std::filesystem::path path, int lock_fd)
      : path_(std::move(path)), lock_fd_(lock_fd) {}
  held_run_folder(held_run_folder&& other) noexcept;
  held_run_folder& operator=(held_run_folder&& other) noexcept;
  // Settles the file set, then lets the lock go.
  ~held_run_folder();

  const std::filesystem::path& path() const { return path_; }

 private:
  void let_go() noexcept;
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

// Throws usage_error when `link` is there and is not a symlink (a folder, a file):
// a run without --out would leave its folder half-made when it could not point it.
void check_latest_link(const std::filesystem::path& link = latest_link);

// `runs`/STAMP, else STAMP-2, STAMP-3...: each made by mkdir, which fails when the name
// is taken, so two runs started in the same second never share one. Throws
// std::system_error when `runs` cannot be written.
std::filesystem::path make_fresh_folder(const std::filesystem::path& runs,
                                        const std::string& stamp);

// The lock on `folder` (flock LOCK_EX | LOCK_NB on the folder, close-on-exec so no child
// holds it); -1 with errno EWOULDBLOCK when another process holds it.
int lock_folder(const std::filesystem::path& folder);

// --out (made if missing), or a fresh results/runs/<timestamp>; locked. A --out that
// another run holds, or that holds anything and no --overwrite, is refused. Throws
// usage_error.
held_run_folder hold_run_folder(const run_options& options);

}  // namespace hammertime::harness
