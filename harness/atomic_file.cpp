#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <string>
#include <system_error>

namespace hammertime::harness {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// ".NAME.XXXXXX" beside `path`, for mkstemp.
std::string temporary_pattern(const std::filesystem::path& path) {
  return (path.parent_path() / ("." + path.filename().string() + ".XXXXXX")).string();
}

std::filesystem::path random_name_beside(const std::filesystem::path& path) {
  static std::random_device seed;
  static std::mt19937_64 draw(seed());
  static constexpr char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix(12, 'x');
  for (auto& letter : suffix) letter = letters[draw() % (sizeof letters - 1)];
  return path.parent_path() / ("." + path.filename().string() + "." + suffix);
}

}  // namespace

void sync_folder(const std::filesystem::path& folder) {
  int fd =
      open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

void write_and_close(int fd, std::string_view content,
                     const std::filesystem::path& path) {
  auto give_up = [&](const char* what) {
    int saved = errno;
    close(fd);
    errno = saved;
    fail(what + path.string());
  };
  while (!content.empty()) {
    auto written = write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) give_up("cannot write ");
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  if (fsync(fd) != 0) give_up("cannot sync ");
  if (close(fd) != 0) fail("cannot sync " + path.string());
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto pattern = temporary_pattern(path);
  int fd = mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot write " + pattern);
  std::filesystem::path temporary = pattern;
  try {
    if (fchmod(fd, 0644) != 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      fail("cannot write " + temporary.string());
    }
    write_and_close(fd, content, temporary);
  } catch (...) {
    unlink(temporary.c_str());
    throw;
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temporary.c_str());
    errno = saved;
    fail("cannot rename to " + path.string());
  }
  sync_folder(path.parent_path());
}

void point_symlink_atomically(const std::filesystem::path& link,
                              const std::filesystem::path& target) {
  // symlink() never follows or replaces what is there: a name taken is drawn again.
  auto temporary = random_name_beside(link);
  for (int tries = 0; symlink(target.c_str(), temporary.c_str()) != 0; ++tries) {
    if (errno != EEXIST || tries == 100)
      fail("cannot make symlink " + temporary.string());
    temporary = random_name_beside(link);
  }
  if (rename(temporary.c_str(), link.c_str()) != 0) {
    int saved = errno;
    unlink(temporary.c_str());
    errno = saved;
    fail("cannot rename to " + link.string());
  }
}

}  // namespace hammertime::harness
