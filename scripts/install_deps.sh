#!/usr/bin/env bash
# Installs the Debian 12 packages `make build`, `make test` and `make bench` need (the
# C++ models, the harness, the plots), only the missing ones. The peers' runtimes are
# scripts/install_deps_peers.sh's (`make deps-peers`).
#
#   $ scripts/install_deps.sh
#   deps: all 21 packages present
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  clang-format           # make format, and CI's format check
  libboost1.81-dev       # Asio, Beast, JSON (header-only)
  libboost-context1.81-dev  # the fibers model's stack switching
  libcpp-httplib-dev     # the blocking models' HTTP client
  libtbb-dev             # the thread pool model
  liburing-dev           # the io_uring model
  libbenchmark-dev libbenchmark-tools  # micro-benchmarks, compare.py
  libgtest-dev
  clang-14 libfuzzer-14-dev  # make fuzz: the libFuzzer targets (fuzz/)
  wrk                    # bench/client_ceiling.sh: the HTTP load generator to beat
  python3-matplotlib python3-numpy     # plots (run with /usr/bin/python3)
  chromium python3-websocket           # the report page's test (tests/report_page_test.py)
  # what scipy needs to run, for compare.py (scipy itself: scripts/compare_results.sh)
  libblas3 liblapack3 libgfortran5 liblbfgsb0 python3-decorator
)

exec "$(dirname "$0")/install_packages.sh" deps "${packages[@]}"
