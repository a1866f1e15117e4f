#!/usr/bin/env bash
# Reruns every suite whose results live in results/reference/ from the current code, each
# into results/reference/<name>/ with its plots and its report, and prints the total time.
# A run whose system checks warned does not replace its reference (it stays beside it,
# in results/reference/.<name>.new) unless FORCE=1.
#
#   $ scripts/make_reference.sh                 # all: bench reproduce micro workloads ...
#   $ DRY_RUN=1 scripts/make_reference.sh reproduce
#   reproduce: build/bin/hammertime run --plan bench/suites/reproduce.plan ...
#
# Environment: PYTHON, HAMMERTIME (the harness), BUILD_DIR, REFERENCE_DIR (default
# results/reference), FORCE=1, DRY_RUN=1 (say each command, run none).
set -euo pipefail
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD_DIR=${BUILD_DIR:-build}
HAMMERTIME=${HAMMERTIME:-$BUILD_DIR/bin/hammertime}
REFERENCE_DIR=${REFERENCE_DIR:-results/reference}
ALL_SUITES=(bench reproduce micro workloads link-delay peers published server-load outside-memory
  fresh-deps)

# suite -> "plan repetitions" (micro has no plan: Google Benchmark's own binary; server-load
# is bench/server_load.sh, its output kept as server_load.txt; outside-memory is
# bench/outside_memory.py, each event-loop row's bytes/task measured outside the harness,
# at 100,000 tasks and at a million;
# fresh-deps is bench/fresh_deps.sh, make deps and make deps-peers timed on a fresh
# Debian 12, its output kept as fresh_deps.txt)
declare -A PLAN=(
  [bench]="bench/suites/default.plan 3" [reproduce]="bench/suites/reproduce.plan 1"
  [workloads]="bench/suites/workloads.plan 3" [link-delay]="bench/suites/link_delay.plan 1"
  [peers]="bench/suites/peers.plan 3" [published]="bench/suites/published.plan 1")

say_or_run() {
  if [[ -n "${DRY_RUN:-}" ]]; then echo "  $*"; else "$@"; fi
}

# The run's system warnings (results.json's context.warnings), one a line.
warnings_of() {
  "$PYTHON" -c 'import json, sys
for w in json.load(open(sys.argv[1])).get("context", {}).get("warnings", []): print(w)' \
    "$1/results.json"
}

run_suite() {
  local name=$1 new="$REFERENCE_DIR/.$1.new"
  echo "$name:"
  say_or_run rm -rf "$new"
  if [[ $name == outside-memory ]]; then
    say_or_run mkdir -p "$new"
    say_or_run "$PYTHON" bench/outside_memory.py --hammertime "$HAMMERTIME" --tasks 100000 \
      --seconds 10 --out "$new/100k.txt"
    say_or_run "$PYTHON" bench/outside_memory.py --hammertime "$HAMMERTIME" --tasks 1000000 \
      --seconds 10 --out "$new/1m.txt"
  elif [[ $name == server-load ]]; then
    say_or_run mkdir -p "$new"
    # Its exit status says whether the lateness target was met: the output says it too.
    if [[ -n "${DRY_RUN:-}" ]]; then
      echo "  PRIORITY=realtime bench/server_load.sh > $new/server_load.txt"
    else
      PRIORITY=realtime BUILD_DIR=$BUILD_DIR bench/server_load.sh >"$new/server_load.txt" || true
      [[ -s $new/server_load.txt ]] || { echo "  server_load.sh wrote nothing"; return 1; }
    fi
  elif [[ $name == fresh-deps ]]; then
    say_or_run mkdir -p "$new"
    if [[ -n "${DRY_RUN:-}" ]]; then
      echo "  bench/fresh_deps.sh > $new/fresh_deps.txt"
    else
      bench/fresh_deps.sh >"$new/fresh_deps.txt" || return 1
    fi
  elif [[ $name == micro ]]; then
    say_or_run mkdir -p "$new"
    say_or_run "$BUILD_DIR/bin/hammertime-micro" --benchmark_repetitions=3 \
      --benchmark_out_format=json "--benchmark_out=$new/micro.json"
    say_or_run "$PYTHON" scripts/plot_micro.py "$new"
  else
    read -r plan repetitions <<<"${PLAN[$name]}"
    say_or_run "$HAMMERTIME" run --plan "$plan" --repetitions "$repetitions" --out "$new"
    [[ $name == reproduce ]] && say_or_run "$PYTHON" scripts/reproduce_table.py "$new"
    [[ $name == published ]] && say_or_run "$PYTHON" scripts/published_table.py "$new"
    say_or_run "$PYTHON" scripts/plot_results.py "$new"
    [[ $name == workloads ]] && say_or_run "$PYTHON" scripts/plot_workloads.py "$new"
    say_or_run "$PYTHON" scripts/report.py "$new"
  fi
  [[ -n "${DRY_RUN:-}" ]] && return 0
  if [[ -f "$new/results.json" ]]; then
    local warned
    warned=$(warnings_of "$new")
    if [[ -n "$warned" && -z "${FORCE:-}" ]]; then
      echo "  refused: the run warned, so $REFERENCE_DIR/$name stays as it was (FORCE=1"
      echo "  overrides; the new run is in $new):"
      sed 's/^/    - /' <<<"$warned"
      return 1
    fi
  fi
  rm -rf "$REFERENCE_DIR/.$name.old"
  [[ -d "$REFERENCE_DIR/$name" ]] && mv "$REFERENCE_DIR/$name" "$REFERENCE_DIR/.$name.old"
  mv "$new" "$REFERENCE_DIR/$name"
  rm -rf "$REFERENCE_DIR/.$name.old"
  echo "  wrote $REFERENCE_DIR/$name"
}

suites=("$@")
[[ ${#suites[@]} -eq 0 ]] && suites=("${ALL_SUITES[@]}")
is_suite() {
  local known
  for known in "${ALL_SUITES[@]}"; do [[ $1 == "$known" ]] && return 0; done
  return 1
}
for name in "${suites[@]}"; do
  is_suite "$name" || {
    echo "make_reference: no suite '$name' (one of: ${ALL_SUITES[*]})" >&2; exit 2; }
done
start=$(date +%s)
refused=0
for name in "${suites[@]}"; do run_suite "$name" || refused=$((refused + 1)); done
elapsed=$(($(date +%s) - start))
printf 'reference: %d suite(s) in %dh %02dm %02ds' "${#suites[@]}" $((elapsed / 3600)) \
  $((elapsed % 3600 / 60)) $((elapsed % 60))
[[ $refused -gt 0 ]] && printf ', %d refused' "$refused"
echo
[[ $refused -eq 0 ]]
