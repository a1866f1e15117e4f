// The peers: the same jobs written the idiomatic way in the runtimes the audience uses
// (peers/: Python, Node.js, Go, Rust, Erlang, Elixir, Java), each a small program that
// speaks `hammertime child`'s protocol. The harness runs a peer exactly like a C++ model:
// a peer is a models::model with no run function (so cells, plans and machine limits
// treat it as one), and the cell runner starts the peer's command instead of `hammertime
// child`.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/model.hpp"

namespace hammertime::harness {

struct peer {
  models::model model;        // name, how it waits, family, what a task holds, C at most
  std::string_view runtime;   // "Python", "Node.js", "Go", "Java"
  std::string_view program;   // the interpreter; empty for a binary make build builds
  std::string_view file;      // next to hammertime: peers/NAME.py, or the binary's name
  std::string_view imports;   // Python modules it needs ("aiohttp, uvloop")
  std::string_view packages;  // the Debian packages that bring them (make deps-peers)
  std::string_view options = "";      // the program's, before the file ("-jar")
  std::string_view environment = "";  // set for it, as NAME=value ("GOMAXPROCS=1")
};

// Every peer, in the order the tables show them.
std::span<const peer> all_peers();
const peer* find_peer(std::string_view name);
// The peer a model entry is, or null for a C++ model.
const peer* peer_of(const models::model* entry);
// The command that starts it, without the child protocol's flags.
std::vector<std::string> peer_command(const peer& one);
// "Python 3.11.2", "Node.js v20.20.2", "Go go1.19.8" (each peer answers --version for
// its runtime); "not installed (...)" when the runtime is missing. Asked once per peer,
// then remembered.
std::string runtime_version(const peer& one);
// Why this machine cannot run it (the Debian packages to install), or empty.
std::string missing_runtime(const peer& one);

}  // namespace hammertime::harness
