#!/usr/bin/env bash
# What each feature costs per request, in CPU instructions (perf stat), which vary by about 1%
# between runs where req/s varies by 20% on a small VM: podgate with its default config against
# the same binary with the access log off, metrics off, both off, fetch instead of the own
# HTTP/1.1 client, and each other strategy.
# Usage: bench/feature_cost.sh [ROUNDS]   (needs perf from Debian's linux-perf, wrk, go)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
rounds="${1:-2}"
for cmd in perf wrk go taskset; do
  command -v "$cmd" >/dev/null || { echo "feature_cost: $cmd is required" >&2; exit 1; }
done
[ -x dist/podgate ] || bash scripts/build
source bench/lib/go_backends.sh
ports=(29101 29102 29103)
go_backends "${ports[@]}"

measure() { # measure NAME ENV...: instructions per request through dist/podgate
  local name=$1
  shift
  env PODGATE_BACKENDS="$backends" PODGATE_PORT=29100 "$@" taskset -c 1 dist/podgate proxy >/dev/null 2>&1 &
  local pid=$!
  sleep 0.5
  taskset -c 0 wrk -t1 -c64 -d1s http://127.0.0.1:29100/ping >/dev/null
  perf stat -x, -e instructions -p "$pid" -o "$work/perf" -- sleep 3.2 &
  local perf_pid=$!
  local out
  out=$(taskset -c 0 wrk -t1 -c64 -d3s http://127.0.0.1:29100/ping)
  wait "$perf_pid"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  local insn reqs
  insn=$(grep instructions "$work/perf" | cut -d, -f1)
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  echo "$name $((insn / reqs))"
}

{
  for _ in $(seq "$rounds"); do
    measure default
    measure access-log-off PODGATE_ACCESS_LOG=false
    measure metrics-off PODGATE_METRICS=false
    measure both-off PODGATE_ACCESS_LOG=false PODGATE_METRICS=false
    measure upstream-client-fetch PODGATE_UPSTREAM_CLIENT=fetch
    for s in weighted-round-robin least-request ewma random consistent-hash; do
      measure "$s" PODGATE_STRATEGY="$s"
    done
  done
} | awk '
  { sum[$1] += $2; n[$1]++; if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 } }
  END {
    base = sum["default"] / n["default"]
    printf "| config | instructions/request | vs default |\n|---|---:|---:|\n"
    for (i = 1; i <= k; i++) { v = sum[order[i]] / n[order[i]]; printf "| %s | %d | %+.1f%% |\n", order[i], v, (v / base - 1) * 100 }
  }'
