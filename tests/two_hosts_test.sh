#!/usr/bin/env bash
# Two hosts for real: the server, the delay proxy and the client each in a network
# namespace of their own, joined by veth pairs, so every byte crosses a network stack
# and none uses loopback. The same commands run on three real machines (docs/
# server-and-proxy.md, "Two hosts").
#
#   client 192.0.2.1 ----------- veth ------------ 192.0.2.2 server (it listens here)
#   client 198.51.100.1 -- veth -- 198.51.100.2 proxy 203.0.113.1 -- veth -- server
#
#   $ sudo tests/two_hosts_test.sh build/bin
#   two_hosts: 676 flags straight and through the proxy, 194 / 482 / 0 each, lo unused
#
# Needs root and `ip netns`; otherwise it says why and exits 77 (CTest: skipped).
# The namespaces are removed at the end, after a failure too.
set -euo pipefail

bin=$(cd "${1:?usage: two_hosts_test.sh BIN_DIR}" && pwd)
skip() { echo "two_hosts: skipped: $*"; exit 77; }
fail() { echo "two_hosts: FAILED: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || skip "needs root to make network namespaces"
command -v ip >/dev/null || skip "needs ip (Debian's iproute2)"

tag="ht$$"  # unique per run: two runs at once never share a namespace
client="${tag}c" proxy="${tag}p" server="${tag}s"
scratch=$(mktemp -d)
cleanup() {
  for ns in "$client" "$proxy" "$server"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
[[ -n "${TWO_HOSTS_DEBUG:-}" ]] && trap - EXIT
trap 'exit 130' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in "$client" "$proxy" "$server"; do
  ip netns add "$ns" 2>/dev/null || skip "ip netns add refused (no network namespaces here)"
  in_ns "$ns" ip link set lo up
done
# veth names are at most 15 characters: the tag, then which end.
link() {  # NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair, both ends up
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  in_ns "$1" ip addr add "$3" dev "$2" && in_ns "$1" ip link set "$2" up
  in_ns "$4" ip addr add "$6" dev "$5" && in_ns "$4" ip link set "$5" up
}
link "$client" "${tag}cs" 192.0.2.1/30 "$server" "${tag}sc" 192.0.2.2/30
link "$client" "${tag}cp" 198.51.100.1/30 "$proxy" "${tag}pc" 198.51.100.2/30
link "$proxy" "${tag}ps" 203.0.113.1/30 "$server" "${tag}sp" 203.0.113.2/30
# the proxy reaches the server's one listening address over its own link
in_ns "$proxy" ip route add 192.0.2.2/32 dev "${tag}ps"

# The first line a server or proxy prints says where it listens; wait for it.
wait_for_listening() {
  local log=$1 deadline=$((SECONDS + 10))
  until grep -q "listening on" "$log" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "$(basename "$log" .log) did not start: $(cat "$log")"
    sleep 0.1
  done
}
in_ns "$server" "$bin/hammertime-server" --bind 192.0.2.2 --port 8001 \
  >"$scratch/server.log" 2>&1 &
wait_for_listening "$scratch/server.log"
in_ns "$proxy" "$bin/hammertime-proxy" --bind 198.51.100.2 --listen 8002 \
  --upstream 192.0.2.2:8001 --latency 2ms >"$scratch/proxy.log" 2>&1 &
wait_for_listening "$scratch/proxy.log"

loopback_packets() {  # every namespace's lo, received and sent
  local ns total=0
  for ns in "$client" "$proxy" "$server"; do
    total=$((total + $(in_ns "$ns" cat /sys/class/net/lo/statistics/rx_packets) +
             $(in_ns "$ns" cat /sys/class/net/lo/statistics/tx_packets)))
  done
  echo "$total"
}

# One run from the client's namespace; its tallies must be exact.
run_across() {
  local name=$1 url=$2
  in_ns "$client" "$bin/hammertime" run --server "$url" --workload flags \
    --models sequential,coroutines --items 676 --concurrency 1,100 --delay 2ms \
    --repetitions 1 --out "$scratch/$name" >"$scratch/$name.log" 2>&1 ||
    fail "$name: hammertime run failed: $(tail -3 "$scratch/$name.log")"
  /usr/bin/python3 - "$scratch/$name/results.json" "$name" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
if not rows:
    sys.exit(f"{sys.argv[2]}: no rows")
for row in rows:
    tally = (row["ok"], row["not_found"], row["failed"])
    if tally != (194, 482, 0) or not row["valid"]:
        sys.exit(f"{sys.argv[2]}: {row['name']}: ok/not found/failed {tally}, "
                 f"valid {row['valid']}")
EOF
}

before=$(loopback_packets)
run_across straight http://192.0.2.2:8001 || fail "straight to the server"
run_across proxied http://198.51.100.2:8002 || fail "through the proxy"
after=$(loopback_packets)
((after == before)) || fail "$((after - before)) packets went over loopback"
echo "two_hosts: 676 flags straight and through the proxy, 194 / 482 / 0 each, lo unused"
