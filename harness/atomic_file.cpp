#include "atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace hammertime::harness {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  return path.parent_path() /
         ("." + path.filename().string() + ".tmp." + std::to_string(getpid()));
}

void sync_folder(const std::filesystem::path& folder) {
  int fd =
      open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto temporary = temporary_beside(path);
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot write " + temporary.string());
  while (!content.empty()) {
    auto written = write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      close(fd);
      unlink(temporary.c_str());
      fail("cannot write " + temporary.string());
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(temporary.c_str());
    fail("cannot sync " + temporary.string());
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    unlink(temporary.c_str());
    fail("cannot rename to " + path.string());
  }
  sync_folder(path.parent_path());
}

void point_symlink_atomically(const std::filesystem::path& link,
                              const std::filesystem::path& target) {
  auto temporary = temporary_beside(link);
  unlink(temporary.c_str());
  if (symlink(target.c_str(), temporary.c_str()) != 0)
    fail("cannot make symlink " + temporary.string());
  if (rename(temporary.c_str(), link.c_str()) != 0) {
    unlink(temporary.c_str());
    fail("cannot rename to " + link.string());
  }
}

}  // namespace hammertime::harness
