#!/usr/bin/env bash
# What the live dashboard costs the request path (issue 13): dist/podgate under wrk with no
# dashboard viewer, then with 5 viewers on /events (curl -N, as an EventSource reads it), in
# alternating rounds. Per run: req/s, wrk's p50/p99, and the proxy's CPU time per request
# (perf's task-clock, a software counter that works on VMs without hardware counters), which
# includes the sampler and the SSE writes spread over the requests.
# Usage: bench/dashboard_viewers.sh [ROUNDS] [SECONDS]   (needs wrk, go, perf, curl, taskset)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
rounds="${1:-3}"
seconds="${2:-5}"
for cmd in perf wrk go curl taskset; do
  command -v "$cmd" >/dev/null || { echo "dashboard_viewers: $cmd is required" >&2; exit 1; }
done
bin="${PODGATE_BIN:-dist/podgate}"
[ -x "$bin" ] || bash scripts/build
source bench/lib/go_backends.sh
ports=(29511 29512 29513)
go_backends "${ports[@]}"

measure() { # measure VIEWERS: one run through the binary with that many /events readers
  local viewers=$1
  env PODGATE_BACKENDS="$backends" PODGATE_PORT=29510 PODGATE_ADMIN_PORT=29519 \
    taskset -c 1 "$bin" proxy >/dev/null 2>&1 &
  local pid=$!
  sleep 0.5
  local readers=()
  for i in $(seq "$viewers"); do
    taskset -c 0 curl -sN http://127.0.0.1:29519/events -o "$work/viewer$i" &
    readers+=($!)
  done
  taskset -c 0 wrk -t1 -c64 -d1s http://127.0.0.1:29510/ping >/dev/null
  perf stat -x, -e task-clock -p "$pid" -o "$work/perf" -- sleep "$((seconds))".2 &
  local perf_pid=$!
  local out
  out=$(taskset -c 0 wrk -t1 -c64 -d"${seconds}"s --latency http://127.0.0.1:29510/ping)
  wait "$perf_pid"
  local bytes=0
  for i in $(seq "$viewers"); do bytes=$((bytes + $(stat -c %s "$work/viewer$i"))); done
  [ "${#readers[@]}" -gt 0 ] && kill "${readers[@]}" 2>/dev/null
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  local cpu_ms reqs rps p50 p99
  cpu_ms=$(grep task-clock "$work/perf" | cut -d, -f1)
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  printf '%s viewers  %10s req/s  p50 %8s  p99 %8s  %6.2f µs CPU/req  %s bytes to viewers\n' \
    "$viewers" "$rps" "$p50" "$p99" "$(awk -v c="$cpu_ms" -v r="$reqs" 'BEGIN{print c*1000/r}')" "$bytes"
}

for _ in $(seq "$rounds"); do
  measure 0
  measure 5
done
