#include "run_command.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "atomic_file.hpp"
#include "calibration.hpp"
#include "cell.hpp"
#include "cell_runner.hpp"
#include "cli.hpp"
#include "common/exit_codes.hpp"
#include "finished_cell.hpp"
#include "machine_context.hpp"
#include "plan_limits.hpp"
#include "process_group.hpp"
#include "progress.hpp"
#include "results_writer.hpp"
#include "run_folder.hpp"
#include "server_launcher.hpp"
#include "server_stats.hpp"
#include "stop_signal.hpp"
#include "summary_table.hpp"
#include "system_checks.hpp"
#include "validity.hpp"

namespace hammertime::harness {
namespace {

namespace fs = std::filesystem;

// Below the kernel's own threads (50), above any ordinary program; as
// bench/server_load.sh does with PRIORITY=realtime.
constexpr int server_fifo_priority = 10;

int usage_problem(const std::string& message) {
  std::cerr << "hammertime run: " << message << "\n";
  return common::exit_code::bad_usage;
}

// What the arguments ask for: the options and the cells they make.
struct planned_run {
  run_options options;
  std::vector<cell> cells;
  bool network = false;          // some cell talks to a server
  bool faults_injected = false;  // a fault flag with a rate above 0, or --slow-body
  // --pin: the server's CPU and the cells' CPUs.
  std::optional<cpu_set_t> server_cpus, cell_cpus;
};

// "0-3,6": a CPU set as the kernel lists one.
std::string cpu_list(const cpu_set_t& set) {
  std::string text;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    text += (text.empty() ? "" : ",") + std::to_string(cpu) +
            (last > cpu ? "-" + std::to_string(last) : "");
    cpu = last;
  }
  return text;
}

boost::json::object run_context(const planned_run& plan,
                                std::span<const std::string_view> args,
                                const std::string& run_name, const std::string& server) {
  const auto& options = plan.options;
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
  if (options.link_delay.count() > 0)
    context["link_delay_ms"] = options.link_delay.count();
  context["repetitions"] = options.repetitions;
  context["server"] = server;
  context["server_args"] = std::move(server_args);
  if (!options.plan.empty()) {
    boost::json::array lines;
    for (const auto& line : options.plan_text) lines.push_back(boost::json::string(line));
    context["plan"] = options.plan_path;
    context["plan_lines"] = std::move(lines);
    for (auto key : {"workload", "models", "items", "concurrency", "delay_ms",
                     "timeout_ms", "link_delay_ms"})
      context.erase(key);
  }
  context["shuffle_seed"] = options.shuffle_seed.value_or(0);
  if (plan.server_cpus && plan.cell_cpus)
    context["pinned"] = {{"server_cpus", cpu_list(*plan.server_cpus)},
                         {"cell_cpus", cpu_list(*plan.cell_cpus)}};
  else
    context["pinned"] = false;
  context["memory_method"] = options.sample_memory
                                 ? "sampled PSS (--sample-memory)"
                                 : "a memory cgroup per cell where the harness may make "
                                   "one (each row's memory_method says)";
  context["busy_before_run"] = busy_share(std::chrono::milliseconds(250));
  context["calibration"] = calibrate_machine();
  auto warnings = warnings_before_run(context);
  context["warnings"] = boost::json::array(warnings.begin(), warnings.end());
  context["cell_limit"] = options.cell_limit
                              ? std::to_string(options.cell_limit->count()) + " ms"
                              : "2 x ideal + 10 s + timeout x (1 + rounds x stall share)";
  return context;
}

// Everything a run holds from its first written result to its summary. The folder
// goes last: settled and let go once the server and proxies have stopped.
struct run_state {
  held_run_folder folder;
  planned_run plan;
  boost::json::object context;
  std::vector<finished_cell> finished;
  std::unique_ptr<server_process> server;  // when the harness starts one
  // --link-delay: one proxy per link delay the cells use, in front of the server
  // (declared after it, so they stop first).
  std::map<std::chrono::milliseconds, std::unique_ptr<proxy_process>> proxies;
  cell_environment environment;
  std::optional<std::string> server_exit;  // "server exited: SIGKILL": it stopped there
  cpu_snapshot cpu_before;                 // for the system check after the run
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

// --pin: the server on the first CPU this process may use, the cells on the rest.
// Throws usage_error when there is no rest, or no server of ours to pin.
void pin_cpus(planned_run& run) {
  if (!run.options.server_url.empty())
    throw usage_error(
        "--pin pins the server the harness starts; with --server, pin "
        "that server yourself (taskset)");
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
    throw usage_error("--pin needs 2 CPUs or more; this process may use " +
                      std::to_string(CPU_COUNT(&allowed)));
  cpu_set_t server, cells;
  CPU_ZERO(&server);
  CPU_ZERO(&cells);
  bool first = true;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) {
      CPU_SET(cpu, first ? &server : &cells);
      first = false;
    }
  run.server_cpus = server;
  run.cell_cpus = cells;
}

// Throws usage_error for bad arguments, a bad plan, or a machine limit the cells hit.
planned_run parse_and_plan(std::span<const std::string_view> args) {
  planned_run run;
  run.options = parse_run_options(args);
  run.cells = plan_cells(run.options);
  if (!run.options.shuffle_seed)  // 1.. (0 would keep the planned order)
    run.options.shuffle_seed =
        (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}()) | 1;
  shuffle_within_repetitions(run.cells, *run.options.shuffle_seed);
  if (run.options.pin) pin_cpus(run);
  if (auto problem = first_limit_problem(run.cells, common::read_machine_limits(),
                                         run.options.server_url.empty()))
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

// --link-delay needs hammertime-proxy beside this binary. Throws usage_error.
void check_proxy(const planned_run& run) {
  bool delayed = std::any_of(run.cells.begin(), run.cells.end(),
                             [](const cell& one) { return one.link_delay.count() > 0; });
  if (delayed && !fs::exists(proxy_binary_path()))
    throw usage_error(proxy_binary_path() + " not found: build it (make build)");
}

// Results with no cells yet, so a failure to write shows now; results/latest points at
// a default folder. Throws usage_error.
void write_first_results(const run_state& run) {
  try {
    write_results(run.folder.path(), run.context, run.finished);
    if (run.plan.options.out_dir.empty())
      point_symlink_atomically(latest_link,
                               fs::path("runs") / run.folder.path().filename());
  } catch (const std::exception& failure) {
    throw usage_error(failure.what());
  }
}

// The server's and the proxy's place (--pin) and scheduling: SCHED_FIFO, unless
// --server-normal-priority. They stand in for other machines, whose CPUs a cell's
// threads would never hold: at real-time priority a runnable server preempts them
// instead of queueing behind hundreds of a pool's threads. It waits on timers and
// sockets, so it takes only the CPU its answers need.
spawn_setup helper_setup(const planned_run& plan) {
  spawn_setup setup;
  setup.cpus = plan.server_cpus;
  setup.fifo_priority = plan.options.server_normal_priority ? 0 : server_fifo_priority;
  return setup;
}

// The server the cells talk to (started here unless given), and what they know of it.
// Returns why the run cannot go on: the server or a proxy would not start ("exited
// before it was ready (exit status 3)"), or a stop signal came while they started.
std::optional<std::string> start_server(run_state& run,
                                        const std::optional<endpoint>& given,
                                        const std::string& server_binary) {
  if (!run.plan.network) return std::nullopt;
  try {
    if (!given)
      run.server = std::make_unique<server_process>(
          server_binary, run.plan.options.delay, run.plan.options.server_args,
          std::chrono::seconds(10), helper_setup(run.plan));
  } catch (const std::exception& failure) {
    return failure.what();
  }
  auto& environment = run.environment;
  environment.server = given ? *given : run.server->where();
  environment.server_pid = run.server ? run.server->pid() : -1;
  if (run.server) run.context["server_scheduling"] = scheduling_of(run.server->pid());
  environment.server_has_stats =
      fetch_server_stats(environment.server, false, std::chrono::seconds(1)).has_value();
  try {
    for (const auto& one : run.plan.cells)
      if (one.link_delay.count() > 0 && !run.proxies.count(one.link_delay))
        run.proxies[one.link_delay] = std::make_unique<proxy_process>(
            proxy_binary_path(), environment.server, one.link_delay,
            std::chrono::seconds(10), helper_setup(run.plan));
  } catch (const std::exception& failure) {
    return failure.what();
  }
  return std::nullopt;
}

// The machine's floors for a request (connect_request_us, and its CPU in all,
// connect_request_cpu_us, and by half, connect_send_cpu_us and answer_read_cpu_us) into
// the context's calibration: measured against the server the cells use, straight, not
// through a proxy.
void calibrate_requests(run_state& run) {
  if (!run.plan.network) return;
  const auto& server = run.environment.server;
  if (auto floor = connect_request_floor(server.host, server.port)) {
    auto& calibration = run.context["calibration"].as_object();
    calibration["connect_request_us"] = floor->wall_us;
    calibration["connect_request_cpu_us"] = floor->opening_cpu_us + floor->answer_cpu_us;
    calibration["connect_send_cpu_us"] = floor->opening_cpu_us;
    calibration["answer_read_cpu_us"] = floor->answer_cpu_us;
  }
}

// A run that ended before its first cell (its server would not start, a stop signal):
// one line, and its folder, with no cells, is settled as `run` goes.
int ended_before_cells(const run_state& run, const std::string& why) {
  std::cerr << "hammertime run: " << why << "; 0 of " << run.plan.cells.size()
            << " cells written to " << run.folder.path().string() << "\n";
  return stop_signal() != 0 ? common::exit_code::stopped_by(stop_signal())
                            : common::exit_code::failure;
}

// The cell's way to the server: through the proxy of its link delay, if it has one.
void route_cell(run_state& run, const cell& one) {
  auto& environment = run.environment;
  auto proxy = run.proxies.find(one.link_delay);
  bool through_proxy = one.link_delay.count() > 0 && proxy != run.proxies.end();
  environment.proxy =
      through_proxy ? std::optional(proxy->second->where()) : std::nullopt;
  environment.proxy_control =
      through_proxy ? std::optional(proxy->second->control()) : std::nullopt;
  environment.proxy_pid = through_proxy ? proxy->second->pid() : -1;
}

// One cell, with its progress line kept up to date. An exception from the harness side
// is the cell's error.
cell_result run_shown_cell(const cell& one, const run_state& run, progress& shown) {
  auto on_tick = [&](std::chrono::duration<double> elapsed) { shown.update(elapsed); };
  cell_result result;
  try {
    result = run_cell(one, run.environment, on_tick);
  } catch (const std::exception& failure) {
    result.error = failure.what();
  }
  if (result.error.empty() && !result.interrupted)
    if (auto problem = validity_problem(one, result, run.plan.faults_injected))
      result.error = *problem;
  return result;
}

// The server the harness started has exited ("SIGKILL"): the cell that ran meanwhile
// is no measurement, and no later cell can be one.
void check_server_alive(run_state& run, cell_result& result) {
  if (run.server)
    if (auto exit = exit_description(run.server->pid()))
      run.server_exit = "server exited: " + *exit;
  for (const auto& [link_delay, proxy] : run.proxies)
    if (auto exit = exit_description(proxy->pid()); exit && !run.server_exit)
      run.server_exit = "proxy exited: " + *exit;
  if (run.server_exit && !result.interrupted) result.error = *run.server_exit;
}

// Every cell in order, the results rewritten after each, until the last one or a stop
// signal. False when the results could not be written (said on stderr).
bool run_cells(run_state& run) {
  const auto& cells = run.plan.cells;
  std::cerr << "hammertime run: " << cells.size() << " cells -> "
            << run.folder.path().string() << "\n";
  progress shown(cells);
  for (std::size_t index = 0; index < cells.size() && stop_signal() == 0; ++index) {
    const cell& one = cells[index];
    run.environment.time_limit = cell_time_limit(one, run.plan.options);
    route_cell(run, one);
    shown.begin(index);
    cell_result result = run_shown_cell(one, run, shown);
    check_server_alive(run, result);
    shown.end(result);
    if (result.interrupted) break;
    run.finished.push_back({one, std::move(result)});
    try {
      write_results(run.folder.path(), run.context, run.finished);
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

// The system check after the run, into the context and the results once more.
void check_system_after(run_state& run) {
  double outside_server = 0;  // a --server's CPU, which the harness did not reap
  if (!run.server)
    for (const auto& done : run.finished)
      outside_server += done.result.server_cpu_s.value_or(0);
  auto after = take_cpu_snapshot();
  auto& warnings = run.context["warnings"].as_array();
  for (auto& warning : warnings_after_run(run.cpu_before, after, outside_server))
    warnings.push_back(boost::json::string(warning));
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  run.context["load_avg_after"] = {load[0], load[1], load[2]};
  run.context["other_cpu_seconds"] =
      other_cpu_seconds(run.cpu_before, after, outside_server);
  write_results(run.folder.path(), run.context, run.finished);
}

// "all valid", "2 invalid (summary.md says why)", or "all 3 invalid (...)".
std::string invalid_count_text(std::size_t rows, std::size_t invalid) {
  if (invalid == 0) return "all valid";
  return (invalid == rows ? "all " : "") + std::to_string(invalid) +
         " invalid (summary.md says why)";
}

// The summary and the counts; the exit status (128 + the signal when one stopped it, 1
// when the server it started exited or every row is invalid).
int finish(run_state& run) {
  try {
    if (stop_signal() == 0) check_system_after(run);
    settle_results(run.folder.path());
  } catch (const std::exception& failure) {
    std::cerr << "hammertime run: " << failure.what() << "\n";
  }
  if (int signal = stop_signal()) {
    std::cerr << "hammertime run: stopped by " << signal_abbreviation(signal) << "; "
              << run.finished.size() << " of " << run.plan.cells.size()
              << " cells written to " << run.folder.path().string() << "\n";
    return common::exit_code::stopped_by(signal);
  }
  std::cout << summary_markdown(run.context, run.finished);
  std::size_t invalid = 0;
  for (const auto& done : run.finished) invalid += is_valid(done) ? 0 : 1;
  auto counts = invalid_count_text(run.finished.size(), invalid);
  if (run.server_exit) {
    std::cerr << "hammertime run: " << *run.server_exit << "; stopped after "
              << run.finished.size() << " of " << run.plan.cells.size() << " cells, "
              << counts << "; results in " << run.folder.path().string() << "\n";
    return common::exit_code::failure;
  }
  // The plots and report.html are drawn by scripts/ (matplotlib): the make targets
  // run them after the harness, `make report RESULTS=DIR` after a bare run.
  std::cerr << "hammertime run: " << run.finished.size() << " cells, " << counts
            << "; results in " << run.folder.path().string()
            << " (plots and report.html: make report RESULTS="
            << run.folder.path().string() << ")\n";
  bool every_row_invalid = !run.finished.empty() && invalid == run.finished.size();
  return every_row_invalid ? common::exit_code::every_row_invalid
                           : common::exit_code::success;
}

// A stop signal before the run made its folder: nothing to settle.
int stopped_before_folder(int signal) {
  std::cerr << "hammertime run: stopped by " << signal_abbreviation(signal)
            << " before the run started\n";
  return common::exit_code::stopped_by(signal);
}

// --list-cells: the names of one repetition's cells, in the planned order; a dry run
// that checks neither the machine's limits nor a server.
int list_cells(std::span<const std::string_view> args) {
  try {
    auto options = parse_run_options(args);
    for (const cell& one : plan_cells(options))
      if (one.repetition == 0) std::cout << one.name() << "\n";
  } catch (const usage_error& error) {
    return usage_problem(error.what());
  }
  return common::exit_code::success;
}

}  // namespace

int run_main(std::span<const std::string_view> args) {
  for (auto arg : args)
    if (arg == "--help" || arg == "-h") {
      std::cout << run_help();
      return common::exit_code::success;
    }

  if (std::find(args.begin(), args.end(), "--list-cells") != args.end())
    return list_cells(args);

  // From here every stop signal ends the run through its folder's settling.
  install_stop_handlers();
  run_state run;
  std::optional<endpoint> given_server;
  std::string server_binary = server_binary_path();
  try {
    run.plan = parse_and_plan(args);
    given_server = check_server(run.plan, server_binary);
    check_proxy(run.plan);
    if (run.plan.options.out_dir.empty()) check_latest_link();
    if (int signal = stop_signal()) return stopped_before_folder(signal);
    run.folder = hold_run_folder(run.plan.options);
    run.context =
        run_context(run.plan, args, run.folder.path().filename().string(),
                    given_server       ? given_server->url()
                    : run.plan.network ? "hammertime-server started by the harness"
                                       : "none (sleep workload)");
    write_first_results(run);
    run.cpu_before = take_cpu_snapshot();
  } catch (const usage_error& error) {
    return usage_problem(error.what());
  }

  run.environment.child_cpus = run.plan.cell_cpus;
  run.environment.sample_memory = run.plan.options.sample_memory;
  if (auto failed = start_server(run, given_server, server_binary))
    return ended_before_cells(run, *failed);
  calibrate_requests(run);
  bool written = run_cells(run);
  run.proxies.clear();
  if (written && run.server) run.server->stop();
  return written ? finish(run) : 1;
}

}  // namespace hammertime::harness
