// Result files are never half-written: each is written to a temporary name in the same
// folder, fsync'd, then rename()d over the old one, so a reader (or a harness killed
// with SIGKILL mid-write) only ever sees the old file or the new one.
#pragma once

#include <filesystem>
#include <string_view>

namespace hammertime::harness {

// Throws std::system_error when the folder cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
// Points `link` at `target` (a symlink made under a temporary name, then renamed).
void point_symlink_atomically(const std::filesystem::path& link,
                              const std::filesystem::path& target);

}  // namespace hammertime::harness
