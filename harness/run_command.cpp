#include "run_command.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "atomic_file.hpp"
#include "cell.hpp"
#include "cell_runner.hpp"
#include "cli.hpp"
#include "machine_context.hpp"
#include "plan_limits.hpp"
#include "progress.hpp"
#include "results_writer.hpp"
#include "server_launcher.hpp"
#include "server_stats.hpp"
#include "stop_signal.hpp"
#include "summary_table.hpp"

namespace hammertime::harness {
namespace {

namespace fs = std::filesystem;

int usage_problem(const std::string& message) {
  std::cerr << "hammertime run: " << message << "\n";
  return 2;
}

std::string timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

// results/runs/<timestamp>, with a suffix when two runs start in the same second.
fs::path fresh_run_folder() {
  fs::path runs = "results/runs";
  auto name = timestamp();
  fs::path folder = runs / name;
  for (int n = 2; fs::exists(folder); ++n)
    folder = runs / (name + "-" + std::to_string(n));
  return folder;
}

boost::json::object run_context(const run_options& options,
                                std::span<const std::string_view> args,
                                const std::string& run_name, const std::string& server) {
  auto context = machine_context();
  std::string command = "hammertime run";
  for (auto arg : args) command += " " + std::string(arg);
  boost::json::array names, concurrency;
  for (const auto* m : options.models) names.push_back(boost::json::string(m->name));
  for (auto c : options.concurrency) concurrency.push_back(c);
  boost::json::array server_args;
  for (const auto& arg : options.server_args)
    server_args.push_back(boost::json::string(arg));
  context["run_name"] = run_name;
  context["command_line"] = command;
  context["workload"] = models::to_string(options.workload);
  context["models"] = std::move(names);
  context["items"] = options.items;
  context["concurrency"] = concurrency.empty()
                               ? boost::json::value("N, clamped per model")
                               : boost::json::value(std::move(concurrency));
  context["delay_ms"] = options.delay.count();
  context["timeout_ms"] = options.timeout.count();
  context["repetitions"] = options.repetitions;
  context["server"] = server;
  context["server_args"] = std::move(server_args);
  if (!options.plan.empty()) {
    boost::json::array lines;
    for (const auto& line : options.plan_text) lines.push_back(boost::json::string(line));
    context["plan"] = options.plan_path;
    context["plan_lines"] = std::move(lines);
    for (auto key : {"workload", "models", "items", "concurrency", "delay_ms", "timeout_ms"})
      context.erase(key);
  }
  context["cell_limit"] = options.cell_limit
                              ? std::to_string(options.cell_limit->count()) + " ms"
                              : "2 x ideal + 10 s + timeout x (1 + rounds x stall share)";
  return context;
}

}  // namespace

int run_main(std::span<const std::string_view> args) {
  for (auto arg : args)
    if (arg == "--help" || arg == "-h") {
      std::cout << run_help();
      return 0;
    }

  run_options options;
  try {
    options = parse_run_options(args);
  } catch (const usage_error& error) {
    return usage_problem(error.what());
  }
  std::vector<cell> cells;
  try {
    cells = plan_cells(options);
  } catch (const usage_error& error) {
    return usage_problem(error.what());
  }
  if (auto problem = first_limit_problem(cells, models::read_machine_limits()))
    return usage_problem(*problem);

  const bool network = std::any_of(cells.begin(), cells.end(), [](const cell& one) {
    return one.workload == models::workload::flags;
  });
  std::optional<endpoint> given_server;
  std::string server_binary = server_binary_path();
  if (network && !options.server_url.empty()) {
    given_server = parse_server_url(options.server_url);
    if (!given_server)
      return usage_problem("bad --server '" + options.server_url +
                           "': expected http://HOST:PORT");
    if (!answers_http(*given_server, std::chrono::seconds(2)))
      return usage_problem("--server " + options.server_url + " does not answer");
  } else if (network && !fs::exists(server_binary)) {
    return usage_problem(server_binary +
                         " not found: build it (make build) or pass --server URL");
  }

  const bool default_folder = options.out_dir.empty();
  fs::path folder = default_folder ? fresh_run_folder() : fs::path(options.out_dir);
  std::error_code error;
  fs::create_directories(folder, error);
  if (error)
    return usage_problem("cannot create " + folder.string() + ": " + error.message());

  install_stop_handlers();
  auto context = run_context(options, args, folder.filename().string(),
                             given_server ? given_server->url()
                             : network    ? "hammertime-server started by the harness"
                                          : "none (sleep workload)");
  std::vector<finished_cell> finished;
  try {
    write_results(folder, context, finished);
    if (default_folder)
      point_symlink_atomically("results/latest", fs::path("runs") / folder.filename());
  } catch (const std::exception& failure) {
    return usage_problem(failure.what());
  }

  std::unique_ptr<server_process> server;
  cell_environment environment;
  if (network) {
    try {
      if (!given_server)
        server = std::make_unique<server_process>(server_binary, options.delay,
                                                  options.server_args);
    } catch (const std::exception& failure) {
      if (stop_signal() != 0) return exit_status_for(stop_signal());
      std::cerr << "hammertime run: " << failure.what() << "\n";
      return 1;
    }
    environment.server = given_server ? *given_server : server->where();
    environment.server_pid = server ? server->pid() : -1;
    environment.server_has_stats =
        fetch_server_stats(environment.server, false, std::chrono::seconds(1))
            .has_value();
  }

  std::cerr << "hammertime run: " << cells.size() << " cells -> " << folder.string()
            << "\n";
  progress shown(cells);
  for (std::size_t index = 0; index < cells.size() && stop_signal() == 0; ++index) {
    const cell& one = cells[index];
    environment.time_limit = cell_time_limit(one, options);
    shown.begin(index);
    auto on_tick = [&](std::chrono::duration<double> elapsed) {
      if (!shown.due()) return;
      std::optional<std::uint64_t> done;
      if (network && environment.server_has_stats)
        if (auto stats = fetch_server_stats(environment.server, false,
                                            std::chrono::milliseconds(200)))
          done = std::min<std::uint64_t>(stats->answered, one.items);
      shown.update(elapsed, done);
    };
    cell_result result;
    try {
      result = run_cell(one, environment, on_tick);
    } catch (const std::exception& failure) {
      result.error = failure.what();
    }
    shown.end(result);
    if (result.interrupted) break;
    finished.push_back({one, std::move(result)});
    try {
      write_results(folder, context, finished);
    } catch (const std::exception& failure) {
      shown.clear();
      std::cerr << "hammertime run: " << failure.what() << "\n";
      return 1;
    }
  }
  shown.clear();
  if (server) server->stop();

  if (int signal = stop_signal()) {
    std::cerr << "hammertime run: stopped; " << finished.size() << " of " << cells.size()
              << " cells written to " << folder.string() << "\n";
    return exit_status_for(signal);
  }
  std::cout << summary_markdown(context, finished);
  std::size_t failed = 0;
  for (const auto& done : finished) failed += is_valid(done) ? 0 : 1;
  std::cerr << "hammertime run: " << finished.size() << " cells, " << failed
            << " failed or invalid; results in " << folder.string() << "\n";
  return 0;
}

}  // namespace hammertime::harness
