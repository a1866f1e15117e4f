#include "peers.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "common/exit_codes.hpp"
#include "process_group.hpp"

namespace hammertime::harness {
namespace {

using models::model_family;
using models::task_holder;

constexpr std::size_t peer_count = 13;
extern const peer peer_table[peer_count];

// model::cannot_run_here takes no argument: one instance a peer.
template <std::size_t index>
std::string cannot_run_here() {
  return missing_runtime(peer_table[index]);
}

// A peer's descriptor. Its label and colour: the legend's text (its name where none
// is given) and its colour in every plot (the scripts' grey where none is given).
constexpr models::model peer_model(std::string_view name, std::string_view how,
                                   model_family family, task_holder holds,
                                   std::size_t most, std::string (*cannot_run)(),
                                   std::string_view label = {},
                                   std::string_view colour = {}) {
  return {.name = name,
          .label = label.empty() ? name : label,
          .colour = colour,
          .how_it_waits = how,
          .family = family,
          .each_task_holds = holds,
          .max_concurrency = most,
          .cannot_run_here = cannot_run};
}

constexpr auto any = std::numeric_limits<std::size_t>::max();
constexpr std::string_view python = "/usr/bin/python3";
constexpr std::string_view node = "/usr/bin/node";
constexpr std::string_view escript = "/usr/bin/escript";
constexpr std::string_view elixir = "/usr/bin/elixir";
constexpr std::string_view java = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

const peer peer_table[peer_count] = {
    {peer_model("python_sequential", "requests.Session, one item after another",
                model_family::blocking, task_holder::nothing, 1, &cannot_run_here<0>,
                "python sequential", "#332288"),
     "Python", python, "peers/python_sequential.py", "requests", "python3-requests"},
    {peer_model("python_threads",
                "ThreadPoolExecutor(C), each thread blocking in requests",
                model_family::blocking, task_holder::thread, any, &cannot_run_here<1>,
                "python threads", "#DDCC77"),
     "Python", python, "peers/python_threads.py", "requests", "python3-requests"},
    {peer_model("python_asyncio", "asyncio + aiohttp, C tasks in flight on one loop",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<2>,
                "python asyncio", "#88CCEE"),
     "Python", python, "peers/python_asyncio.py", "aiohttp", "python3-aiohttp"},
    {peer_model("python_uvloop", "the same asyncio + aiohttp on uvloop (libuv)",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<3>,
                "python uvloop", "#117733"),
     "Python", python, "peers/python_uvloop.py", "aiohttp, uvloop",
     "python3-aiohttp python3-uvloop"},
    {peer_model("python_gevent", "gevent green threads, requests monkey-patched",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<4>,
                "python gevent", "#AA4499"),
     "Python", python, "peers/python_gevent.py", "gevent, requests",
     "python3-gevent python3-requests"},
    {peer_model("node", "http module, keep-alive Agent, C promises in flight",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<5>,
                "node", "#661100"),
     "Node.js", node, "peers/node.js", "", "nodejs"},
    {peer_model("go", "a goroutine an item, net/http, C tokens in a channel",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<6>,
                "go", "#6699CC"),
     "Go", "", "hammertime-peer-go", "", "golang-go"},
    {peer_model("go_1core", "the go peer under GOMAXPROCS=1: one thread runs Go code",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<7>,
                "go 1 core", "#225588"),
     "Go", "", "hammertime-peer-go", "", "golang-go", "", "GOMAXPROCS=1"},
    {peer_model("rust_tokio", "tokio multi-thread runtime, hyper, a Semaphore of C",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<8>,
                "rust tokio", "#B8860B"),
     "Rust tokio 1.24, rustc", "", "hammertime-peer-rust", "",
     "cargo rustc librust-tokio-dev librust-hyper-dev"},
    {peer_model("erlang", "a process an item, C alive, httpc keeping C sessions",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<9>,
                "erlang", "#A4123F"),
     "Erlang/OTP", escript, "peers/erlang.escript", "", "erlang-base erlang-inets", "",
     // a million processes alive at once: the VM's default limit is 262,144
     "ERL_FLAGS=+P 4194304"},
    {peer_model("elixir", "Task.async_stream, max_concurrency: C, httpc",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<10>,
                "elixir", "#6F42C1"),
     "Elixir", elixir, "peers/elixir.exs", "", "elixir erlang-inets", "",
     "ERL_FLAGS=+P 4194304"},
    {peer_model("java_threads", "a fixed pool of C platform threads, HttpClient.send",
                model_family::blocking, task_holder::thread, any, &cannot_run_here<11>,
                "java threads", "#8C564B"),
     "Java", java, "peers/JavaThreads.jar", "", "openjdk-17-jdk-headless", "-jar"},
    {peer_model("java_async", "HttpClient.sendAsync, C CompletableFutures in flight",
                model_family::event_loop, task_holder::nothing, any, &cannot_run_here<12>,
                "java async", "#E377C2"),
     "Java", java, "peers/JavaAsync.jar", "", "openjdk-17-jdk-headless", "-jar"},
};

// What the command printed (stdout and stderr) and whether it exited 0; bounded, so a
// runtime that hangs cannot hang `list` or a plan check.
std::pair<bool, std::string> run_briefly(const std::vector<std::string>& command) {
  std::string said;
  spawned_process child;
  try {
    child = spawn_in_own_group(command[0], command, true);
  } catch (const std::exception&) {
    return {false, ""};
  }
  for (int waited = 0; waited < 100; ++waited) {  // 10 s at most
    pollfd watch{child.output_fd, POLLIN, 0};
    if (poll(&watch, 1, 100) <= 0) continue;
    char buffer[512];
    auto got = read(child.output_fd, buffer, sizeof buffer);
    if (got <= 0) break;
    said.append(buffer, static_cast<std::size_t>(got));
  }
  kill_group(child.pid);
  close(child.output_fd);
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {WIFEXITED(status) && WEXITSTATUS(status) == common::exit_code::success, said};
}

}  // namespace

std::span<const peer> all_peers() { return peer_table; }

const peer* find_peer(std::string_view name) {
  for (const auto& one : peer_table)
    if (one.model.name == name) return &one;
  return nullptr;
}

const peer* peer_of(const models::model* entry) {
  for (const auto& one : peer_table)
    if (&one.model == entry) return &one;
  return nullptr;
}

std::vector<std::string> peer_command(const peer& one) {
  std::string file = executable_folder() + "/" + std::string(one.file);
  if (one.program.empty()) return {file};
  if (one.options.empty()) return {std::string(one.program), file};
  return {std::string(one.program), std::string(one.options), file};
}

std::string missing_runtime(const peer& one) {
  auto command = peer_command(one);
  bool built = one.program.empty() || one.file.ends_with(".jar");
  if (access(command[0].c_str(), X_OK) == 0 && command.size() > 1 && !built &&
      access(command.back().c_str(), R_OK) != 0)  // the runtime is there, its script not
    return command.back() + " is missing (make build copies it next to hammertime)";
  if (access(command[0].c_str(), X_OK) != 0 ||
      (command.size() > 1 && access(command.back().c_str(), R_OK) != 0))
    return "needs Debian's " + std::string(one.packages) + " (make deps-peers installs " +
           (built ? "it, then make build builds " + std::string(one.file)
                  : std::string("it")) +
           ")";
  if (!one.imports.empty() &&
      !run_briefly({command[0], "-c", "import " + std::string(one.imports)}).first)
    return "needs Debian's " + std::string(one.packages) +
           " (make deps-peers installs it)";
  return "";
}

std::string runtime_version(const peer& one) {
  static std::map<const peer*, std::string> known;
  if (auto found = known.find(&one); found != known.end()) return found->second;
  std::string version;
  if (auto missing = missing_runtime(one); !missing.empty()) {
    version = "not installed: " + missing;
  } else {
    auto command = peer_command(one);
    command.push_back("--version");
    auto [ran, said] = run_briefly(command);
    said.erase(said.find_last_not_of(" \r\n") + 1);
    if (auto space = said.rfind(' '); space != std::string::npos)
      said.erase(0, space + 1);
    version = std::string(one.runtime) + " " + (ran ? said : "(version unknown)");
  }
  return known.emplace(&one, version).first->second;
}

}  // namespace hammertime::harness
