#!/usr/bin/env bash
# Installs every peer's runtime (peers/README.md) from Debian 12, only the missing
# ones: several hundred MB that the C++ rows do not need. `make deps-peers`; `make
# reproduce`, `make bench-peers`, `make bench-published` and CI call it.
#
#   $ scripts/install_deps_peers.sh
#   deps-peers: all 14 packages present
set -euo pipefail

packages=(
  python3-requests python3-aiohttp python3-uvloop python3-gevent  # the Python peers
  nodejs                                        # node
  golang-go                                     # go, go_1core
  cargo rustc librust-tokio-dev librust-hyper-dev  # rust_tokio, built offline
  erlang-base erlang-inets                      # erlang (httpc is in inets)
  elixir                                        # elixir
  openjdk-17-jdk-headless                       # java_threads, java_async
)

exec "$(dirname "$0")/install_packages.sh" deps-peers "${packages[@]}"
