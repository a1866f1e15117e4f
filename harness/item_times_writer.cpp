#include "item_times_writer.hpp"

#include <boost/json.hpp>

#include "atomic_file.hpp"
#include "models/model.hpp"

namespace hammertime::harness {

std::string item_times_file_name(const cell& where) {
  std::string name;
  for (char c : where.name()) {
    if (c == '/')
      name += '_';
    else if (c != ':')
      name += c;
  }
  return name + ".rep" + std::to_string(where.repetition + 1) + ".json";
}

void write_item_times(const std::filesystem::path& folder,
                      std::span<const finished_cell> cells) {
  std::error_code error;
  for (const auto& done : cells) {
    const auto& where = done.where;
    if (done.result.item_times.empty() || !done.result.error.empty()) continue;
    auto path = folder / item_times_folder / item_times_file_name(where);
    if (std::filesystem::exists(path, error)) continue;
    std::filesystem::create_directories(path.parent_path());
    boost::json::array rows;
    rows.reserve(done.result.item_times.size());
    for (const auto& [index, start, end] : done.result.item_times)
      rows.push_back(boost::json::array{index, start, end});
    boost::json::object file{
        {"name", where.name()},
        {"repetition_index", where.repetition},
        {"model", where.model->name},
        {"workload", models::to_string(where.workload)},
        {"items", where.items},
        {"concurrency", where.concurrency},
        {"delay_ms", where.delay.count()},
        {"stride", models::timeline_stride(where.items)},
        {"unit", "us"},
        {"fields", boost::json::array{"index", "start_us", "end_us"}},
        {"item_times", std::move(rows)},
    };
    write_file_atomically(path, boost::json::serialize(file) + "\n");
  }
}

}  // namespace hammertime::harness
