#include "run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "machine_context.hpp"
#include "results_writer.hpp"

namespace hammertime::harness {
namespace {

namespace fs = std::filesystem;

// The default folder: results/runs/<timestamp>, results/ and runs/ made if missing.
fs::path fresh_run_folder() {
  fs::path runs = "results/runs";
  std::error_code error;
  fs::create_directories(runs, error);
  if (error) throw usage_error("cannot create " + runs.string() + ": " + error.message());
  try {
    return make_fresh_folder(runs, local_time("%Y%m%d-%H%M%S"));
  } catch (const std::system_error& failure) {
    throw usage_error(failure.what());
  }
}

// --out, made if missing.
fs::path out_folder(const run_options& options) {
  fs::path folder = options.out_dir;
  std::error_code error;
  fs::create_directories(folder, error);
  if (error)
    throw usage_error("cannot create " + escaped(folder.string()) + ": " +
                      error.message());
  return folder;
}

}  // namespace

held_run_folder::held_run_folder(held_run_folder&& other) noexcept
    : path_(std::move(other.path_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

held_run_folder& held_run_folder::operator=(held_run_folder&& other) noexcept {
  if (this != &other) {
    let_go();
    path_ = std::move(other.path_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

held_run_folder::~held_run_folder() { let_go(); }

void held_run_folder::let_go() noexcept {
  if (lock_fd_ < 0) return;
  try {
    settle_results(path_);  // once more where the run did already: then nothing to do
  } catch (const std::exception&) {
    // The run said what went wrong when it wrote; the last set stays readable.
  }
  close(lock_fd_);
  lock_fd_ = -1;
}

void check_latest_link(const fs::path& link) {
  std::error_code error;
  auto status = fs::symlink_status(link, error);
  if (error || !fs::exists(status) || fs::is_symlink(status)) return;
  throw usage_error(link.string() +
                    " is not a symlink: move it away (a run without --out points it at "
                    "its folder)");
}

fs::path make_fresh_folder(const fs::path& runs, const std::string& stamp) {
  fs::path folder = runs / stamp;
  for (int n = 2; mkdir(folder.c_str(), 0755) != 0; ++n) {
    if (errno != EEXIST || n > 10'000)
      throw std::system_error(errno, std::generic_category(),
                              "cannot create " + folder.string());
    folder = runs / (stamp + "-" + std::to_string(n));
  }
  return folder;
}

int lock_folder(const fs::path& folder) {
  int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

held_run_folder hold_run_folder(const run_options& options) {
  bool given = !options.out_dir.empty();
  fs::path folder = given ? out_folder(options) : fresh_run_folder();
  int lock = lock_folder(folder);
  if (lock < 0 && errno == EWOULDBLOCK)
    throw usage_error("--out " + escaped(folder.string()) +
                      " is in use: another hammertime run holds it");
  if (lock < 0)
    throw usage_error("cannot lock " + escaped(folder.string()) + ": " +
                      std::strerror(errno));
  std::error_code error;
  if (given && !options.overwrite && !fs::is_empty(folder, error)) {
    close(lock);  // not ours to settle
    throw usage_error("--out " + escaped(folder.string()) +
                      " is not empty (add --overwrite to write over its results)");
  }
  return held_run_folder(folder, lock);
}

}  // namespace hammertime::harness
