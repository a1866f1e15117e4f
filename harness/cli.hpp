// The `hammertime` command line: `list`, `run` and their --help texts.
//
//   $ hammertime run --workload flags --models sequential --items 20 --delay 100ms \
//       --repetitions 1 --out /tmp/x
//
// Bad usage is a usage_error whose message is the one line the user sees (exit 2).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/escaped.hpp"
#include "models/model.hpp"

namespace hammertime::harness {

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct run_options {
  models::workload workload = models::workload::flags;
  std::vector<const models::model*> models;  // in the order the tables show them
  // Those --models named one by one; the others a selector chose (model_selection.hpp).
  std::vector<const models::model*> named_models;
  std::size_t items = 0;
  std::vector<std::size_t> concurrency;  // as asked; empty = each model's default
  std::chrono::milliseconds delay{100};
  std::chrono::milliseconds timeout{5000};
  // --link-delay: hammertime-proxy in front of the server holds each direction's bytes
  // this long; 0: no proxy.
  std::chrono::milliseconds link_delay{0};
  std::size_t stack_size = models::job{}.stack_size;          // --stack-size (fibers)
  std::size_t bridge_threads = models::job{}.bridge_threads;  // --bridge-threads
  std::chrono::microseconds work_us{0};  // --work-us, the hammer's X (default 1000)
  std::chrono::milliseconds ticker{0};   // --ticker; 0: none
  std::size_t repetitions = 3;
  std::string out_dir;     // empty: results/runs/<timestamp>, and results/latest
  bool overwrite = false;  // --overwrite: a non-empty --out folder is written over
  std::string server_url;  // empty: the harness starts hammertime-server
  std::vector<std::string> server_args;  // fault flags for the server it starts
  double stall_rate = 0;  // from --stall-rate, widens each cell's time limit
  bool slow_body = false;
  std::optional<std::chrono::milliseconds> cell_limit;  // --cell-limit overrides the rule
  // The order of the cells within each repetition is shuffled with this seed (drawn
  // at random when not given), so that no model always runs after the same one.
  std::optional<std::uint64_t> shuffle_seed;
  bool pin = false;  // --pin: server and cells on disjoint CPUs
  // --server-normal-priority: the server and proxy it starts run as it does, not under
  // SCHED_FIFO
  bool server_normal_priority = false;
  bool sample_memory = false;  // --sample-memory: PSS sampling even where a cgroup works
  bool list_cells = false;     // --list-cells: print the cells' names, run nothing
  // --plan FILE: one run per line (workload, models, items, concurrency, delay,
  // timeout), all run as one interleaved matrix into one results folder.
  std::string plan_path;
  std::vector<std::string> plan_text;  // the plan's lines, as written
  std::vector<run_options> plan;
};

// The bounds the harness holds every duration to (the server's own for --delay).
inline constexpr std::chrono::milliseconds max_delay = std::chrono::minutes(10);
inline constexpr std::chrono::milliseconds max_timeout = std::chrono::hours(1);
inline constexpr std::chrono::milliseconds max_cell_limit = std::chrono::hours(24);
// The most items (and concurrency) a cell may have.
inline constexpr std::size_t max_items = 1'000'000'000;
inline constexpr std::chrono::microseconds max_work = std::chrono::seconds(10);
inline constexpr std::chrono::microseconds default_work = std::chrono::milliseconds(1);
inline constexpr std::chrono::milliseconds max_ticker = std::chrono::seconds(10);
// What a plan file may hold.
inline constexpr std::size_t max_plan_bytes = 1 << 20;
inline constexpr std::size_t max_plan_lines = 10'000;

// Throws usage_error naming the first bad argument.
run_options parse_run_options(std::span<const std::string_view> args);

// User input fit to quote in a one-line message: control characters and bytes past
// ASCII as \n, \t, \xNN; at most `limit` bytes of it, "..." after a cut.
using common::escaped;  // an argument echoed in a message (common/escaped.hpp)

std::string_view main_help();
std::string_view run_help();
std::string_view list_help();
// Models (name and how each waits) and workloads, as `hammertime list` prints them.
std::string list_text();

}  // namespace hammertime::harness
