#!/usr/bin/env bash
# Each model's own cost per request: every model against hammertime-server at zero
# delay (N items, C in flight, cycling through the 676 codes), beside wrk -t1 -cC on the
# same server, and each model's items/s as a share of wrk's requests/s. Nothing waits, so
# what is left is the client's (and the server's) work per request.
#
#   $ bench/client_ceiling.sh                  # N=100000 C=100, 3 repetitions
#   $ ITEMS=20000 REPETITIONS=1 bench/client_ceiling.sh
#
# Writes results/runs/ceiling-<timestamp>/ (the harness's files and client_ceiling.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
python=${PYTHON:-/usr/bin/python3}
items=${ITEMS:-100000}
concurrency=${C:-100}
repetitions=${REPETITIONS:-3}
duration=${DURATION:-10s}
models=${MODELS:-all}

for tool in "$build/bin/hammertime" "$build/bin/hammertime-server"; do
  [[ -x $tool ]] || { echo "client_ceiling: $tool missing (make build)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "client_ceiling: wrk missing (make deps installs it)" >&2; exit 2; }

out="$top/results/runs/ceiling-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
server_log="$out/server.txt"
"$build/bin/hammertime-server" --port 0 --delay 0ms >"$server_log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$server_log" && break
  sleep 0.05
done
url=$(grep -o 'http://[0-9.]*:[0-9]*' "$server_log" | head -1)
[[ -n $url ]] || { echo "client_ceiling: the server did not start: $(cat "$server_log")" >&2; exit 1; }

echo "client_ceiling: wrk -t1 -c$concurrency -d$duration against $url" >&2
wrk -t1 -c"$concurrency" -d"$duration" -s "$top/bench/wrk_flags.lua" "$url" >"$out/wrk.txt"
echo "client_ceiling: every model, N=$items C=$concurrency at 0 ms, $repetitions repetitions" >&2
"$build/bin/hammertime" run --server "$url" --workload flags --models "$models" \
  --items "$items" --concurrency "$concurrency" --delay 0ms \
  --repetitions "$repetitions" --out "$out/models" --overwrite >/dev/null

"$python" - "$out" "$concurrency" <<'PY' | tee "$out/client_ceiling.md"
import json, re, statistics, sys
from pathlib import Path
out, concurrency = Path(sys.argv[1]), sys.argv[2]
wrk_text = (out / "wrk.txt").read_text()
wrk = float(re.search(r"Requests/sec:\s*([0-9.]+)", wrk_text).group(1))
runs = {}
for entry in json.loads((out / "models" / "results.json").read_text())["benchmarks"]:
    if entry.get("run_type") == "iteration" and entry.get("valid"):
        runs.setdefault(entry["model"], []).append(entry)
print(f"| client | items/s (median) | CPU µs per request | ÷ wrk |")
print("|---|--:|--:|--:|")
print(f"| wrk -t1 -c{concurrency} | {wrk:,.0f} | | 1.00 |")
for model, cells in runs.items():
    speed = statistics.median(c["items_per_second"] for c in cells)
    cpu = statistics.median(c["cpu_us_per_item"] for c in cells)
    print(f"| {model} | {speed:,.0f} | {cpu:.3g} | {speed / wrk:.2f} |")
PY
