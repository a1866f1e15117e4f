#include "cli.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <map>
#include <sstream>

#include "common/duration.hpp"
#include "model_selection.hpp"
#include "models/wire/wire.hpp"
#include "peers.hpp"

namespace hammertime::harness {

std::string_view main_help() {
  return R"(usage: hammertime <command> [options]
Runs I/O-bound workloads through each concurrency model and measures items/s, CPU and
memory.

  list     the models and the workloads
  run      run a matrix of cells, write results.json, results.csv and summary.md
  child    one model once (what `run` starts for each cell; prints one JSON line)

`hammertime <command> --help` describes each.
)";
}

std::string_view list_help() {
  return R"(usage: hammertime list [--json]
Prints every model (its name and how it waits), every peer (the same jobs in Python,
Node.js and Go, from peers/; its runtime's version) and every workload.

  --json   every model and peer as a JSON array, in the order the tables show them:
           name, label, kind (model or peer), family, colour, how_it_waits, knobs,
           each_task_holds, max_concurrency (null: no bound); a peer's runtime
)";
}

std::string_view run_help() {
  return R"(usage: hammertime run [options]
Runs every (repetition, concurrency, model) cell in a fresh child process and writes
DIR/results.json (Google Benchmark's layout), DIR/results.csv and DIR/summary.md.

  --workload W        flags (GET the first N of AA..ZZ from the server), sleep (wait
                      the delay, no network), hammer (a flags item, then --work-us
                      of CPU on its body) or chained (GET the code's metadata.json,
                      then its flag only if it exists)              (default flags)
  --models M[,M...]   model names (see `hammertime list`) or selectors: all (the C++
                      models), family:blocking, family:event_loop, peers (the
                      programs of peers/), peers:blocking, peers:event_loop,
                      holds:thread|process|nothing (what a task holds),
                      knob:bridge_threads|stack_size (a knob it reads),
                      one_at_a_time and peers:one_at_a_time (those whose most is
                      1); -M leaves one out (all,-knob:bridge_threads). A model a
                      selector chose sits out a --concurrency above its most
                      (sequential's 1) and, for a peer, a workload or ticker it does
                      not run (default all)
  --items N           items per cell; flags past 676 cycles through the codes again
                      (194 found per 676)                       (default 676 flags,
                      1000 sleep)
  --concurrency C[,C...]
                      items in flight at most. Default: C = N for each model, clamped
                      by what the model allows (1 for sequential). A model's cell is
                      named with its effective C: flags/sequential/C:1
  --delay D           each item's delay: the server's answer delay, or the sleep
                      (default 100ms; whole milliseconds, at most 10m)
  --timeout D         per-request timeout every model honours (default 5s; at most 60m)
  --link-delay D      put hammertime-proxy between the cells and the server (started
                      by the harness or --server), holding each direction's bytes D:
                      every request then waits delay + 2 x D at least, and the ideal
                      says so. The cell's name ends in /link_delay:D; its row gets
                      link_delay_ms and proxy_lateness_p99_ms (how late the proxy
                      passed bytes on). Not for sleep (default 0ms: no proxy)
  --stack-size BYTES  each fiber's stack, for the fibers model      (default 65536)
  --bridge-threads B  the executor bridge's blocking threads: min(C, B) requests
                      wait at once, and the ideal says so            (default 30)
  --work-us X         hammer only: microseconds of one core's CPU each item spends on
                      its body, calibrated in each child; the ideal is the slower of
                      ceil(N/C) x delay and N x X / the cores the model can use (1
                      for sequential and the event loops)   (default 1000, at most 1e7)
  --ticker D          beside the work, a ticker wakes every D (in the loop, or a thread
                      of its own for blocking models, on each worker for the process
                      pool) and its lateness is reported as loop_lag_ms p50/p99/max
                      (whole ms, 1ms to 10s; default none)
  --repetitions R     repetitions of every cell, interleaved: repetition outermost,
                      the cells within each in a shuffled order     (default 3)
  --shuffle-seed S    the seed of that order (default: drawn at random; results.json's
                      context records it, so a run's order can be replayed); 0 keeps
                      the planned order: repetition, then concurrency, then model
  --pin               the server on CPU 0, the cells on the other CPUs (needs 2 CPUs
                      or more; recorded in the context). Without it the two share all
                      CPUs, as a client and server on one laptop do
  --server-normal-priority
                      run the server (and proxy) the harness starts at normal
                      priority. By default they run under SCHED_FIFO where this
                      process may ask for it (root, CAP_SYS_NICE): they stand in for
                      machines of their own, so a cell's threads never keep them
                      waiting for a CPU. results.json's server_scheduling says which
  --sample-memory     measure memory by sampling the tree's PSS every 20 ms even where
                      the harness could make each cell a memory cgroup (exact peaks;
                      root only). results.json's memory_method says which was used
  --out DIR           where the results go (default results/runs/<timestamp>, a
                      folder of its own, and results/latest, which must be a
                      symlink, points at it). A folder that is not empty is
                      refused unless --overwrite is given; one another run is
                      writing is refused even then (the run locks its folder)
  --overwrite         write into a non-empty --out folder, replacing its results
  --server URL        use a server already running at http://HOST:PORT instead of
                      starting hammertime-server (found beside this binary)
  --plan FILE         run the matrix a plan file (a regular file) describes instead:
                      one line per run (--workload --models --items --concurrency
                      --delay --timeout --stack-size --bridge-threads --work-us
                      --ticker --link-delay), '#' comments; every line's cells
                      run interleaved, by repetition, into one results folder (see
                      bench/suites/*.plan). At most 1 MiB and 10000 lines
  --cell-limit D      time limit of one cell. Default: 2 x ideal + 10s + timeout x
                      (1 + rounds x stall rate, 1 with --slow-body), where ideal =
                      rounds x (delay + 2 x link delay) and rounds = ceil(N/C).
                      A cell past it is killed (its whole process group) and its
                      row marked failed. At most 1440m (24 hours).
  Passed to the hammertime-server the harness starts (not with --server):
  --error-rate P  --reset-rate P  --truncate-rate P  --stall-rate P  (probabilities)
  --slow-body B   (bytes per second)    --seed N    --server-threads N (its --threads,
                  1..1024). Probabilities are 0..1 and add up to 1 at most.
  --list-cells    print the names of the cells the options or the plan make, one a
                  line in the planned order, and run nothing
  --help          this text

Each option is given once. Ctrl-C, SIGTERM, SIGHUP or SIGQUIT stops the run at any
time, the server's start included: children and server are killed, the finished cells
are written, one line names the signal, the exit status is 128 + the signal (130
SIGINT, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT). Bad input or a machine limit the run
would hit (open files in the child, the proxy or the server, ports, threads,
processes) is one line, exit 2; so is a --server whose GET /stats is not
hammertime-server's, and an --out folder another run holds. A hammertime-server that
exits before it is ready is one line saying how (exit status or signal), exit 1.

A flags cell run without fault flags is valid only with the exact tally of its N codes
(those with a flag ok, the rest not found, none failed); with fault flags, only if ok +
not found + failed = N. Without fault flags a cell on the network is also invalid when
the server's fault counters moved, its body bytes are not the flags table's, its p50 is
below one wait or its efficiency above 1; its error names the check. If the
hammertime-server the harness started exits, the cell running then is invalid ("server
exited: SIGKILL", or "exit status N"), no later cell runs, the finished cells are
written, and the exit status is 1. A run whose every cell is invalid exits 1 too.
)";
}

std::string list_text() {
  std::string text = "models:\n";
  std::size_t width = 0;
  for (const auto& m : models::all_models()) width = std::max(width, m.name.size());
  for (const auto& m : models::all_models())
    text += "  " + std::string(m.name) + std::string(width - m.name.size() + 2, ' ') +
            std::string(m.how_it_waits) + "\n";
  text += "peers (the same jobs in other runtimes, peers/; flags and sleep only):\n";
  for (const auto& p : all_peers()) width = std::max(width, p.model.name.size());
  for (const auto& p : all_peers())
    text += "  " + std::string(p.model.name) +
            std::string(width - p.model.name.size() + 2, ' ') +
            std::string(p.model.how_it_waits) + " [" + runtime_version(p) + "]\n";
  text += "workloads:\n";
  text +=
      "  flags    GET /flags/{cc}/{cc}.gif for the first N of the 676 codes AA..ZZ, and "
      "round again past 676 (194 "
      "exist)\n";
  text += "  sleep    N tasks that each wait --delay, then are counted (no network)\n";
  text += "  hammer   a flags item, then --work-us of CPU work on its body\n";
  text +=
      "  chained  GET /flags/{cc}/metadata.json, then the flag only if it exists (two "
      "delays)\n";
  return text;
}

namespace {

template <class Number>
bool parse_number(std::string_view text, Number& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

[[noreturn]] void bad(std::string_view name, std::string_view value,
                      std::string_view expected) {
  throw usage_error("bad " + std::string(name) + " '" + escaped(value) + "': expected " +
                    std::string(expected));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::size_t positive_count(std::string_view name, std::string_view value) {
  std::size_t number = 0;
  if (!parse_number(value, number) || number == 0) bad(name, value, "a whole number > 0");
  return number;
}

// A duration in whole ms, 0 (when allowed) up to `most`; common::parse_duration reads
// the text, the bounds here keep nan, inf, negative and huge values out.
std::chrono::milliseconds whole_milliseconds(std::string_view name,
                                             std::string_view value, bool zero_allowed,
                                             std::chrono::milliseconds most) {
  auto parsed = common::parse_duration(value);
  auto least = zero_allowed ? 0 : 1000;
  if (!parsed || parsed->count() < least || *parsed > most || parsed->count() % 1000 != 0)
    bad(name, value,
        std::string(zero_allowed ? "a duration in whole ms like 100ms or 1s"
                                 : "a duration > 0 in whole ms like 5s or 500ms") +
            ", at most " +
            (most >= std::chrono::minutes(1)
                 ? std::to_string(most / std::chrono::minutes(1)) + "m"
                 : std::to_string(most / std::chrono::seconds(1)) + "s"));
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

double probability(std::string_view name, std::string_view value) {
  double rate = 0;
  if (!parse_number(value, rate) || !std::isfinite(rate) || rate < 0 || rate > 1)
    bad(name, value, "a probability 0..1");
  return rate;
}

// What a plan line may say: the cell's own settings, nothing that is the whole run's.
constexpr std::string_view plan_line_options[] = {
    "--workload",       "--models",      "--items",     "--stack-size",
    "--bridge-threads", "--concurrency", "--delay",     "--timeout",
    "--work-us",        "--ticker",      "--link-delay"};

// The plan file, opened without waiting (a FIFO with no writer would block open()),
// and only if it is a regular file. Throws usage_error.
int open_plan(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw usage_error("cannot read --plan '" + escaped(path) + "': " + strerror(errno));
  struct stat file {};
  if (fstat(fd, &file) != 0 || !S_ISREG(file.st_mode)) {
    close(fd);
    throw usage_error("--plan '" + escaped(path) +
                      "' is not a regular file (a FIFO, a device or a folder)");
  }
  return fd;
}

// Up to `most` bytes of the plan, and the file closed. Throws usage_error.
std::string read_up_to(int fd, std::size_t most, const std::string& path) {
  std::string text(most, '\0');
  std::size_t got = 0;
  for (ssize_t now = 1; got < most && now != 0;) {
    now = read(fd, text.data() + got, most - got);
    if (now < 0 && errno != EINTR) {
      std::string why = strerror(errno);
      close(fd);
      throw usage_error("cannot read --plan '" + escaped(path) + "': " + why);
    }
    if (now > 0) got += static_cast<std::size_t>(now);
  }
  close(fd);
  text.resize(got);
  return text;
}

// The plan file's text, refused past max_plan_bytes before more of it is read.
std::string plan_text(const std::string& path) {
  auto text = read_up_to(open_plan(path), max_plan_bytes + 1, path);
  if (text.size() > max_plan_bytes)
    throw usage_error("--plan '" + escaped(path) + "' is over " +
                      std::to_string(max_plan_bytes >> 20) + " MiB");
  if (std::count(text.begin(), text.end(), '\n') > static_cast<long>(max_plan_lines))
    throw usage_error("--plan '" + escaped(path) + "' has over " +
                      std::to_string(max_plan_lines) + " lines");
  return text;
}

void read_plan(run_options& options) {
  std::istringstream file(plan_text(options.plan_path));
  std::string line;
  for (std::size_t number = 1; std::getline(file, line); ++number) {
    auto where = escaped(options.plan_path) + " line " + std::to_string(number) + ": ";
    std::istringstream words(line.substr(0, line.find('#')));
    std::vector<std::string> owned{std::istream_iterator<std::string>(words), {}};
    if (owned.empty()) continue;
    std::vector<std::string_view> args(owned.begin(), owned.end());
    for (auto arg : args)
      if (arg.substr(0, 2) == "--" &&
          std::find(std::begin(plan_line_options), std::end(plan_line_options),
                    arg.substr(0, arg.find('='))) == std::end(plan_line_options))
        throw usage_error(where + escaped(arg) +
                          " belongs on the command line, not in a plan");
    try {
      options.plan.push_back(parse_run_options(args));
    } catch (const usage_error& error) {
      throw usage_error(where + error.what());
    }
    options.plan.back().repetitions = options.repetitions;
    options.plan_text.push_back(line);
  }
  if (options.plan.empty())
    throw usage_error("--plan '" + escaped(options.plan_path) + "' has no runs");
}

// The options as they are applied one by one, with what can only be checked once
// all of them are in.
struct parsed_options {
  run_options options;
  double fault_sum = 0;                        // of the four fault rates
  std::optional<std::string_view> items_text;  // --items, checked against the workload
  std::string_view model_list = "all";         // --models, looked up after the plan
  bool work_given = false;                     // --work-us, for the hammer only
};

// Options that take no value.
constexpr std::string_view switches[] = {"--overwrite", "--pin", "--sample-memory",
                                         "--server-normal-priority", "--list-cells"};
// Options that take one (apply_option reads each).
constexpr std::string_view valued_options[] = {
    "--workload",    "--models",     "--items",          "--concurrency",
    "--delay",       "--timeout",    "--link-delay",     "--cell-limit",
    "--ticker",      "--stack-size", "--bridge-threads", "--work-us",
    "--repetitions", "--out",        "--plan",           "--shuffle-seed",
    "--server",      "--error-rate", "--reset-rate",     "--truncate-rate",
    "--stall-rate",  "--slow-body",  "--seed",           "--server-threads"};

bool is_one_of(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// `--name value` and `--name=value` pairs by name; an unknown option, or one given
// twice, is refused.
std::map<std::string_view, std::string_view> split_arguments(
    std::span<const std::string_view> args) {
  std::map<std::string_view, std::string_view> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i], value;
    if (name.substr(0, 2) != "--")
      throw usage_error("unexpected argument '" + escaped(name) + "' (see --help)");
    auto equals = name.find('=');
    bool value_inline = equals != std::string_view::npos;
    if (value_inline) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    bool is_switch = is_one_of(switches, name);
    if (!is_switch && !is_one_of(valued_options, name))
      throw usage_error("unknown option '" + escaped(name) +
                        "' (see hammertime run --help)");
    if (!value_inline && !is_switch) {
      if (i + 1 == args.size()) throw usage_error(escaped(name) + " needs a value");
      value = args[++i];
    }
    if (!given.emplace(name, value).second)
      throw usage_error(escaped(name) + " given twice");
  }
  return given;
}

// What each cell is: --workload, --models, --items, --concurrency.
bool apply_cell_option(std::string_view name, std::string_view value,
                       parsed_options& parsed) {
  auto& options = parsed.options;
  if (name == "--workload") {
    auto kind = models::workload_from_string(value);
    if (!kind) bad(name, value, "flags, sleep, hammer or chained");
    options.workload = *kind;
  } else if (name == "--models") {
    parsed.model_list = value;
  } else if (name == "--work-us") {
    std::uint64_t micros = 0;
    if (!parse_number(value, micros) || micros > std::uint64_t(max_work.count()))
      bad(name, value, "whole microseconds 0..10000000");
    options.work_us = std::chrono::microseconds(micros);
    parsed.work_given = true;
  } else if (name == "--items") {
    parsed.items_text = value;
  } else if (name == "--concurrency") {
    for (auto part : split(value, ',')) {
      std::size_t c = 0;
      if (!parse_number(part, c) || c == 0 || c > max_items)
        bad(name, value, "whole numbers 1..1000000000, like 1,10,100");
      if (std::find(options.concurrency.begin(), options.concurrency.end(), c) ==
          options.concurrency.end())
        options.concurrency.push_back(c);
    }
  } else {
    return false;
  }
  return true;
}

// --delay, --timeout, --cell-limit.
bool apply_duration_option(std::string_view name, std::string_view value,
                           run_options& options) {
  if (name == "--delay")
    options.delay = whole_milliseconds(name, value, true, max_delay);
  else if (name == "--timeout")
    options.timeout = whole_milliseconds(name, value, false, max_timeout);
  else if (name == "--link-delay")
    options.link_delay = whole_milliseconds(name, value, true, max_delay);
  else if (name == "--cell-limit")
    options.cell_limit = whole_milliseconds(name, value, false, max_cell_limit);
  else if (name == "--ticker")
    options.ticker = whole_milliseconds(name, value, false, max_ticker);
  else
    return false;
  return true;
}

// The whole run's: --repetitions, --out, --plan.
bool apply_run_option(std::string_view name, std::string_view value,
                      run_options& options) {
  if (name == "--stack-size") {
    options.stack_size = positive_count(name, value);
    if (options.stack_size < 4096 || options.stack_size > (64u << 20))
      bad(name, value, "bytes of stack a fiber gets, 4096 to 67108864");
  } else if (name == "--bridge-threads") {
    options.bridge_threads = positive_count(name, value);
    if (options.bridge_threads > 10000) bad(name, value, "threads, 1 to 10000");
  } else if (name == "--repetitions") {
    options.repetitions = positive_count(name, value);
  } else if (name == "--out") {
    if (value.empty()) bad(name, value, "a folder");
    options.out_dir = value;
  } else if (name == "--overwrite") {
    if (!value.empty()) bad(name, value, "no value");
    options.overwrite = true;
  } else if (name == "--plan") {
    if (value.empty()) bad(name, value, "a plan file");
    options.plan_path = value;
  } else if (name == "--shuffle-seed") {
    std::size_t seed = 0;
    if (!parse_number(value, seed)) bad(name, value, "a whole number");
    options.shuffle_seed = seed;
  } else if (name == "--pin" || name == "--sample-memory" ||
             name == "--server-normal-priority" || name == "--list-cells") {
    if (!value.empty()) bad(name, value, "no value");
    (name == "--pin"             ? options.pin
     : name == "--sample-memory" ? options.sample_memory
     : name == "--list-cells"    ? options.list_cells
                                 : options.server_normal_priority) = true;
  } else {
    return false;
  }
  return true;
}

// --server, and the fault flags for the server the harness starts.
bool apply_server_option(std::string_view name, std::string_view value,
                         parsed_options& parsed) {
  auto& options = parsed.options;
  if (name == "--server") {
    options.server_url = value;
  } else if (name == "--error-rate" || name == "--reset-rate" ||
             name == "--truncate-rate" || name == "--stall-rate") {
    double rate = probability(name, value);
    parsed.fault_sum += rate;
    if (name == "--stall-rate") options.stall_rate = rate;
    options.server_args.insert(options.server_args.end(),
                               {std::string(name), std::string(value)});
  } else if (name == "--slow-body" || name == "--seed" || name == "--server-threads") {
    // The server's own rules: --threads 1..1024, --slow-body > 0, any --seed.
    std::size_t number = 0;
    bool threads = name == "--server-threads";
    if (!parse_number(value, number) || (number == 0 && name != "--seed") ||
        (threads && number > 1024))
      bad(name, value,
          name == "--seed" ? "a whole number"
          : threads        ? "a whole number 1..1024"
                           : "a whole number > 0");
    options.slow_body = options.slow_body || name == "--slow-body";
    options.server_args.insert(
        options.server_args.end(),
        {name == "--server-threads" ? "--threads" : std::string(name),
         std::string(value)});
  } else {
    return false;
  }
  return true;
}

void apply_option(std::string_view name, std::string_view value, parsed_options& parsed) {
  if (!apply_cell_option(name, value, parsed) &&
      !apply_duration_option(name, value, parsed.options) &&
      !apply_run_option(name, value, parsed.options) &&
      !apply_server_option(name, value, parsed))
    throw usage_error("unknown option '" + escaped(name) +
                      "' (see hammertime run --help)");
}

// --plan: the plan's lines say what the cells are, so nothing beside it may.
run_options planned_options(const std::map<std::string_view, std::string_view>& given,
                            run_options options) {
  for (auto name : plan_line_options)
    if (given.count(name))
      throw usage_error(std::string(name) +
                        " goes in the plan's lines, not beside --plan");
  read_plan(options);
  return options;
}

std::size_t item_count(models::workload workload,
                       std::optional<std::string_view> items_text) {
  bool flags = models::uses_server(workload);
  std::size_t items = flags ? models::flag_code_count : 1000;
  if (items_text) items = positive_count("--items", *items_text);
  if (items > max_items) bad("--items", *items_text, "a whole number 1..1000000000");
  return items;
}

// The checks no single option can make on its own.
void validate_combination(const run_options& options) {
  if (!options.server_url.empty() && !options.server_args.empty())
    throw usage_error(
        "fault flags go to the server the harness starts; with --server, set "
        "them on that server");
  if (!options.server_url.empty() && !models::uses_server(options.workload))
    throw usage_error(
        "--server is for the flags, hammer and chained workloads; sleep "
        "needs no server");
  if (options.link_delay.count() > 0 && !models::uses_server(options.workload))
    throw usage_error(
        "--link-delay is for the workloads on the network; sleep has no wire");
  if (options.workload != models::workload::flags &&
      options.workload != models::workload::sleep)
    for (const auto* m : options.models)
      if (peer_of(m))
        throw usage_error(
            "peers run only the flags and sleep workloads: " + std::string(m->name) +
            " cannot run " + std::string(models::to_string(options.workload)));
  if (options.ticker.count() > 0)
    for (const auto* m : options.models)
      if (peer_of(m))
        throw usage_error("peers have no ticker: " + std::string(m->name) +
                          " cannot run with --ticker");
}

// A peer a selector chose sits out a workload or a ticker that peers do not run.
void leave_out_peers_that_cannot_run(run_options& options) {
  bool peers_can_run = (options.workload == models::workload::flags ||
                        options.workload == models::workload::sleep) &&
                       options.ticker.count() == 0;
  if (peers_can_run) return;
  std::erase_if(options.models, [&](const models::model* m) {
    return peer_of(m) && !was_named(options.named_models, m);
  });
}

}  // namespace

run_options parse_run_options(std::span<const std::string_view> args) {
  auto given = split_arguments(args);
  parsed_options parsed;
  for (auto [name, value] : given) apply_option(name, value, parsed);
  if (parsed.fault_sum > 1 + 1e-9)
    throw usage_error("the fault rates add up to more than 1");
  if (!parsed.options.plan_path.empty()) return planned_options(given, parsed.options);

  auto& options = parsed.options;
  bool hammer = options.workload == models::workload::hammer;
  if (parsed.work_given && !hammer)
    throw usage_error("--work-us is for the hammer workload (--workload hammer)");
  if (hammer && !parsed.work_given) options.work_us = default_work;
  options.items = item_count(options.workload, parsed.items_text);
  auto selection = select_models(parsed.model_list);
  options.models = std::move(selection.models);
  options.named_models = std::move(selection.named);
  leave_out_peers_that_cannot_run(options);
  validate_combination(options);
  return options;
}

}  // namespace hammertime::harness
