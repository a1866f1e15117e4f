#!/usr/bin/env bash
# Installs the Debian 12 packages hammertime builds and runs with, and only the ones
# that are missing. Says what it installs; does nothing when everything is there.
#
#   $ scripts/install_deps.sh
#   deps: all 19 packages present
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
  # the peers (peers/): Python, Node.js and Go rows beside the C++ models
  python3-requests python3-aiohttp python3-uvloop python3-gevent nodejs golang-go
  # what scipy needs to run, for compare.py (scipy itself: scripts/compare_results.sh)
  libblas3 liblapack3 libgfortran5 liblbfgsb0 python3-decorator
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
apt_get=(apt-get)
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo: install ${missing[*]}" >&2; exit 1; }
  apt_get=(sudo apt-get)
fi
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: scipy's recommended pythran pulls libboost1.74-dev, which
# cannot sit beside libboost1.81-dev.
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}"
