#!/usr/bin/env bash
# Installs the Debian 12 packages named, only those that are missing, and says which.
# scripts/install_deps.sh and scripts/install_deps_peers.sh call it with their lists.
#
#   $ scripts/install_packages.sh deps cmake g++
#   deps: all 2 packages present
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: install_packages.sh LABEL PACKAGE..." >&2; exit 2; }
label=$1
shift

missing=()
for package in "$@"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "$label: all $# packages present"
  exit 0
fi

echo "$label: installing ${missing[*]}"
apt_get=(apt-get)
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "$label: not root and no sudo: install ${missing[*]}" >&2; exit 1; }
  apt_get=(sudo apt-get)
fi
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: scipy's recommended pythran pulls libboost1.74-dev, which
# cannot sit beside libboost1.81-dev; the JDK and Erlang need none of theirs either.
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}"
