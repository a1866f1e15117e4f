#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (fuzz/, HAMMERTIME_FUZZ) and runs each for a
# bounded time from its committed corpus. New interesting inputs go to a scratch folder,
# not the repo; a crash stops the run, naming the input to add to fuzz/corpus/NAME as a
# regression test (every build replays that corpus: the fuzz_corpus_NAME tests).
#
#   $ scripts/fuzz.sh 60
#   fuzz: server_request 60 s, 1931 runs/s, no crash
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: seconds must be a whole number > 0, not '$seconds'" >&2; exit 2; }
build=${FUZZ_BUILD_DIR:-build-fuzz}
command -v clang++-14 >/dev/null || { echo "fuzz: needs Debian's clang-14 and libfuzzer-14-dev (make deps installs them)" >&2; exit 2; }

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHAMMERTIME_FUZZ=ON -DHAMMERTIME_BUILD_TESTS=OFF -DHAMMERTIME_BUILD_BENCH=OFF >/dev/null
targets=$(cd fuzz && ls *_fuzzer.cpp | sed 's/_fuzzer.cpp$//')
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target $(printf '%s_fuzzer ' $targets) >/dev/null

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/artifacts"
for name in $targets; do
  mkdir -p "$scratch/$name"
  if ! "$build/bin/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1 \
       "$scratch/$name" "fuzz/corpus/$name" >"$scratch/$name.log" 2>&1; then
    tail -40 "$scratch/$name.log" >&2
    echo "fuzz: $name crashed: the input is $(ls -t "$build/artifacts/$name-"* | head -1); fix it, then add it to fuzz/corpus/$name" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$name.log")
  echo "fuzz: $name $seconds s, ${runs:-?} inputs, no crash"
done
