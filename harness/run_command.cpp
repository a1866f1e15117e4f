#include "run_command.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "atomic_file.hpp"
#include "cell.hpp"
#include "cell_runner.hpp"
#include "cli.hpp"
#include "finished_cell.hpp"
#include "machine_context.hpp"
#include "plan_limits.hpp"
#include "process_group.hpp"
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

// results/runs/<timestamp>, with a suffix when two runs start in the same second.
fs::path fresh_run_folder() {
  fs::path runs = "results/runs";
  auto name = local_time("%Y%m%d-%H%M%S");
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
    for (auto key :
         {"workload", "models", "items", "concurrency", "delay_ms", "timeout_ms"})
      context.erase(key);
  }
  context["cell_limit"] = options.cell_limit
                              ? std::to_string(options.cell_limit->count()) + " ms"
                              : "2 x ideal + 10 s + timeout x (1 + rounds x stall share)";
  return context;
}

// What the arguments ask for: the options and the cells they make.
struct planned_run {
  run_options options;
  std::vector<cell> cells;
  bool network = false;          // some cell talks to a server
  bool faults_injected = false;  // a fault flag with a rate above 0, or --slow-body
};

// Everything a run holds from its first written result to its summary.
struct run_state {
  planned_run plan;
  fs::path folder;
  boost::json::object context;
  std::vector<finished_cell> finished;
  std::unique_ptr<server_process> server;  // when the harness starts one
  cell_environment environment;
  std::optional<std::string> server_exit;  // "SIGKILL": the run stopped there
};

// The fault flags the harness passes to the server it starts; a rate of 0 injects none.
bool injects_faults(const run_options& options) {
  const auto& args = options.server_args;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--slow-body") return true;
    bool rate = args[i] == "--error-rate" || args[i] == "--reset-rate" ||
                args[i] == "--truncate-rate" || args[i] == "--stall-rate";
    if (rate && std::strtod(args[i + 1].c_str(), nullptr) > 0) return true;
  }
  return false;
}

// Throws usage_error for bad arguments, a bad plan, or a machine limit the cells hit.
planned_run parse_and_plan(std::span<const std::string_view> args) {
  planned_run run;
  run.options = parse_run_options(args);
  run.cells = plan_cells(run.options);
  if (auto problem = first_limit_problem(run.cells, models::read_machine_limits()))
    throw usage_error(*problem);
  if (auto problem = first_model_that_cannot_run(run.cells)) throw usage_error(*problem);
  run.network = std::any_of(run.cells.begin(), run.cells.end(), [](const cell& one) {
    return models::uses_server(one.workload);
  });
  run.faults_injected = injects_faults(run.options);
  return run;
}

// The --server that answers as a hammertime-server does (its GET /stats), if given:
// the tally of a cell is only checked against what that server serves. Otherwise a server
// binary must be there to start (for a network run). Throws usage_error.
std::optional<endpoint> check_server(const planned_run& run,
                                     const std::string& server_binary) {
  const auto& url = run.options.server_url;
  if (run.network && !url.empty()) {
    auto given = parse_server_url(url);
    if (!given)
      throw usage_error("bad --server '" + escaped(url) + "': expected http://HOST:PORT");
    if (!answers_http(*given, std::chrono::seconds(2)))
      throw usage_error("--server " + escaped(url) + " does not answer");
    if (!fetch_server_stats(*given, false, std::chrono::seconds(2)))
      throw usage_error("--server " + escaped(url) +
                        " is not a hammertime-server: its GET /stats is not ours");
    return given;
  }
  if (run.network && !fs::exists(server_binary))
    throw usage_error(server_binary +
                      " not found: build it (make build) or pass --server URL");
  return std::nullopt;
}

// --out, or a fresh results/runs/<timestamp>, created. A --out folder that holds
// anything is refused unless --overwrite says so. Throws usage_error.
fs::path prepare_output_folder(const run_options& options) {
  fs::path folder =
      options.out_dir.empty() ? fresh_run_folder() : fs::path(options.out_dir);
  std::error_code error;
  if (!options.out_dir.empty() && !options.overwrite && fs::is_directory(folder, error) &&
      !fs::is_empty(folder, error))
    throw usage_error("--out " + escaped(folder.string()) +
                      " is not empty (add --overwrite to write over its results)");
  fs::create_directories(folder, error);
  if (error)
    throw usage_error("cannot create " + folder.string() + ": " + error.message());
  return folder;
}

// Results with no cells yet, so a failure to write shows now; results/latest points at
// a default folder. Throws usage_error.
void write_first_results(const run_state& run) {
  try {
    write_results(run.folder, run.context, run.finished);
    if (run.plan.options.out_dir.empty())
      point_symlink_atomically("results/latest",
                               fs::path("runs") / run.folder.filename());
  } catch (const std::exception& failure) {
    throw usage_error(failure.what());
  }
}

// The server the cells talk to (started here unless given), and what they know of it.
// Returns an exit status when the server would not start.
std::optional<int> start_server(run_state& run, const std::optional<endpoint>& given,
                                const std::string& server_binary) {
  if (!run.plan.network) return std::nullopt;
  try {
    if (!given)
      run.server = std::make_unique<server_process>(server_binary, run.plan.options.delay,
                                                    run.plan.options.server_args);
  } catch (const std::exception& failure) {
    if (stop_signal() != 0) return exit_status_for(stop_signal());
    std::cerr << "hammertime run: " << failure.what() << "\n";
    return 1;
  }
  auto& environment = run.environment;
  environment.server = given ? *given : run.server->where();
  environment.server_pid = run.server ? run.server->pid() : -1;
  environment.server_has_stats =
      fetch_server_stats(environment.server, false, std::chrono::seconds(1)).has_value();
  return std::nullopt;
}

// One cell, with its progress line kept up to date (the server's count of answers,
// when it keeps one). An exception from the harness side is the cell's error.
cell_result run_shown_cell(const cell& one, const run_state& run, progress& shown) {
  const auto& environment = run.environment;
  auto on_tick = [&](std::chrono::duration<double> elapsed) {
    if (!shown.due()) return;
    std::optional<std::uint64_t> done;
    if (run.plan.network && environment.server_has_stats)
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
  if (result.error.empty() && !result.interrupted)
    if (auto problem = tally_problem(one, result, run.plan.faults_injected))
      result.error = *problem;
  return result;
}

// The server the harness started has exited ("SIGKILL"): the cell that ran meanwhile
// is no measurement, and no later cell can be one.
void check_server_alive(run_state& run, cell_result& result) {
  if (!run.server) return;
  run.server_exit = exit_description(run.server->pid());
  if (run.server_exit && !result.interrupted)
    result.error = "server exited: " + *run.server_exit;
}

// Every cell in order, the results rewritten after each, until the last one or a stop
// signal. False when the results could not be written (said on stderr).
bool run_cells(run_state& run) {
  const auto& cells = run.plan.cells;
  std::cerr << "hammertime run: " << cells.size() << " cells -> " << run.folder.string()
            << "\n";
  progress shown(cells);
  for (std::size_t index = 0; index < cells.size() && stop_signal() == 0; ++index) {
    const cell& one = cells[index];
    run.environment.time_limit = cell_time_limit(one, run.plan.options);
    shown.begin(index);
    cell_result result = run_shown_cell(one, run, shown);
    check_server_alive(run, result);
    shown.end(result);
    if (result.interrupted) break;
    run.finished.push_back({one, std::move(result)});
    try {
      write_results(run.folder, run.context, run.finished);
    } catch (const std::exception& failure) {
      shown.clear();
      std::cerr << "hammertime run: " << failure.what() << "\n";
      return false;
    }
    if (run.server_exit) break;
  }
  shown.clear();
  return true;
}

// The summary and the counts; the exit status (130 / 143 when a signal stopped it, 1
// when the server it started exited).
int finish(const run_state& run) {
  try {
    settle_results(run.folder);
  } catch (const std::exception& failure) {
    std::cerr << "hammertime run: " << failure.what() << "\n";
  }
  if (int signal = stop_signal()) {
    std::cerr << "hammertime run: stopped; " << run.finished.size() << " of "
              << run.plan.cells.size() << " cells written to " << run.folder.string()
              << "\n";
    return exit_status_for(signal);
  }
  std::cout << summary_markdown(run.context, run.finished);
  std::size_t failed = 0;
  for (const auto& done : run.finished) failed += is_valid(done) ? 0 : 1;
  if (run.server_exit) {
    std::cerr << "hammertime run: server exited: " << *run.server_exit
              << "; stopped after " << run.finished.size() << " of "
              << run.plan.cells.size() << " cells, " << failed
              << " failed or invalid; results in " << run.folder.string() << "\n";
    return 1;
  }
  std::cerr << "hammertime run: " << run.finished.size() << " cells, " << failed
            << " failed or invalid; results in " << run.folder.string() << "\n";
  return 0;
}

}  // namespace

int run_main(std::span<const std::string_view> args) {
  for (auto arg : args)
    if (arg == "--help" || arg == "-h") {
      std::cout << run_help();
      return 0;
    }

  run_state run;
  std::optional<endpoint> given_server;
  std::string server_binary = server_binary_path();
  try {
    run.plan = parse_and_plan(args);
    given_server = check_server(run.plan, server_binary);
    run.folder = prepare_output_folder(run.plan.options);
    install_stop_handlers();
    run.context =
        run_context(run.plan.options, args, run.folder.filename().string(),
                    given_server       ? given_server->url()
                    : run.plan.network ? "hammertime-server started by the harness"
                                       : "none (sleep workload)");
    write_first_results(run);
  } catch (const usage_error& error) {
    return usage_problem(error.what());
  }

  if (auto failed = start_server(run, given_server, server_binary)) return *failed;
  bool written = run_cells(run);
  if (written && run.server) run.server->stop();
  return written ? finish(run) : 1;
}

}  // namespace hammertime::harness
