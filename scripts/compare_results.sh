#!/usr/bin/env bash
# Compares two hammertime runs with Google Benchmark's own compare.py, on their valid
# entries only (compare_valid.py names the ones it leaves out), then says how many
# benchmarks agree within 5 % on items/s.
#
#   $ scripts/compare_results.sh results/reference/bench results/latest
#   Comparing .../results.json to .../results.json
#   Benchmark                         Time      CPU   Time Old   Time New ...
#
# compare.py needs scipy. Debian's python3-scipy depends on pythran, which pulls in
# libboost1.74-dev, which cannot be installed beside libboost1.81-dev; so scipy's own
# package is unpacked (not installed) into .deps/ and put on PYTHONPATH.
set -euo pipefail
PYTHON=${PYTHON:-/usr/bin/python3}
COMPARE=/usr/share/benchmark/compare.py

if [[ $# -ne 2 ]]; then
  echo "usage: compare_results.sh RESULTS_DIR_A RESULTS_DIR_B" >&2
  exit 2
fi
for dir in "$1" "$2"; do
  [[ -f "$dir/results.json" ]] || { echo "compare: no results.json in $dir" >&2; exit 2; }
done
[[ -f $COMPARE ]] || { echo "compare: $COMPARE missing (libbenchmark-tools)" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
scipy_dir="$top/.deps/scipy"
if ! "$PYTHON" -c "import scipy.stats" 2>/dev/null &&
   ! PYTHONPATH="$scipy_dir/usr/lib/python3/dist-packages" "$PYTHON" -c "import scipy.stats" 2>/dev/null; then
  echo "compare: unpacking Debian's python3-scipy into .deps/scipy (see this script's banner)"
  mkdir -p "$scipy_dir"
  (cd "$scipy_dir" && apt-get download python3-scipy >/dev/null 2>&1 && dpkg -x python3-scipy_*.deb . && rm -f python3-scipy_*.deb)
fi
export PYTHONPATH="$scipy_dir/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
valid=$(mktemp -d)
trap 'rm -rf "$valid"' EXIT
"$PYTHON" "$top/scripts/compare_valid.py" "$1" "$2" "$valid" >"$valid/agreement.txt"
"$PYTHON" "$COMPARE" benchmarks "$valid/a.json" "$valid/b.json"
echo
cat "$valid/agreement.txt"
