#include "results_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "atomic_file.hpp"
#include "item_times_writer.hpp"
#include "pretty_json.hpp"
#include "results_csv.hpp"
#include "results_json.hpp"
#include "summary_table.hpp"

namespace hammertime::harness {

// One set, three files. Renaming three files over the old ones one by one leaves a
// moment (or, after a SIGKILL, for good) where results.json has one cell more than
// results.csv. So while a run writes, each name in DIR is a fixed symlink into
// DIR/.results, itself a symlink to the current set, DIR/.set-XXXXXX:
//
//   DIR/results.json -> .results/results.json     DIR/.results -> .set-a1b2c3
//
// A new set is written whole into a fresh .set-XXXXXX, fsync'd, and one rename() of
// .results swaps all three files at once. The set before stays one more write, for a
// reader still opening it. settle_results() turns the names back into plain files at
// the end: each name is then the last set, whether still a link or already a copy.
namespace {

namespace fs = std::filesystem;
constexpr const char* set_files[] = {"results.json", "results.csv", "summary.md"};
constexpr const char* current_set = ".results";

// A file that must not exist yet (O_EXCL), nor be a link (O_NOFOLLOW).
void write_new_file(const fs::path& path, std::string_view content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot write " + path.string());
  write_and_close(fd, content, path);
}

// The set folders but the current one and the one before it.
void remove_old_sets(const fs::path& folder, const std::set<std::string>& kept) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    auto name = entry.path().filename().string();
    if (name.rfind(".set-", 0) == 0 && !kept.count(name) && entry.is_directory(error) &&
        !entry.is_symlink(error))
      fs::remove_all(entry.path(), error);
  }
}

std::string link_target(const fs::path& link) {
  std::error_code error;
  auto target = fs::read_symlink(link, error);
  return error ? std::string() : target.string();
}

}  // namespace

void write_results(const std::filesystem::path& folder,
                   const boost::json::object& context,
                   std::span<const finished_cell> cells) {
  std::string pattern = (folder / ".set-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "cannot write " + pattern);
  fs::path set = pattern;
  write_new_file(set / "results.json", pretty_json(results_json(context, cells)) + "\n");
  write_new_file(set / "results.csv", results_csv(cells, floors_of(context)));
  write_new_file(set / "summary.md", summary_markdown(context, cells));
  chmod(set.c_str(), 0755);
  sync_folder(set);

  auto before = link_target(folder / current_set);
  point_symlink_atomically(folder / current_set, set.filename());
  for (const char* name : set_files) {
    auto fixed = fs::path(current_set) / name;
    if (link_target(folder / name) != fixed.string())
      point_symlink_atomically(folder / name, fixed);
  }
  sync_folder(folder);
  remove_old_sets(folder, {set.filename().string(), before});
  write_item_times(folder, cells);
}

void settle_results(const std::filesystem::path& folder) {
  auto set = link_target(folder / current_set);
  if (set.empty()) return;
  for (const char* name : set_files) {
    std::ifstream file(folder / set / name, std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    if (!file) return;
    write_file_atomically(folder / name, content.str());
  }
  unlink((folder / current_set).c_str());
  remove_old_sets(folder, {});
  sync_folder(folder);
}

}  // namespace hammertime::harness
