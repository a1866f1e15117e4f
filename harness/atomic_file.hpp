// Result files are never half-written and never written through someone else's link:
// each is written to a fresh temporary name in the same folder (mkstemp: O_CREAT |
// O_EXCL, so a file or symlink planted there is never opened), fsync'd, then rename()d
// over the old one, so a reader (or a harness killed with SIGKILL mid-write) only ever
// sees the old file or the new one.
#pragma once

#include <filesystem>
#include <string_view>

namespace hammertime::harness {

// Throws std::system_error when the folder cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
// Points `link` at `target` (a symlink made under a fresh temporary name, then renamed).
void point_symlink_atomically(const std::filesystem::path& link,
                              const std::filesystem::path& target);
// Writes all of `content` to `fd`, fsyncs and closes it; throws std::system_error naming
// `path` (the fd is closed either way).
void write_and_close(int fd, std::string_view content, const std::filesystem::path& path);
// fsync of a folder, so the renames in it survive a power cut.
void sync_folder(const std::filesystem::path& folder);

}  // namespace hammertime::harness
