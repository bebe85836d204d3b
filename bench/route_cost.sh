#!/usr/bin/env bash
# What route selection costs per request, in CPU time per request of the proxy process (utime +
# stime from /proc, as the main bench reports CPU µs/req; this VM exposes no perf counters), and
# req/s: dist/podgate in front of the same three backends with
# the implicit single route (a plain single-service config), then with 1, 10 and 1,000 routes
# from a config file, the request matching one in the middle of the table.
# Usage: bench/route_cost.sh [ROUNDS]   (needs wrk, go)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
rounds="${1:-2}"
for cmd in wrk go taskset; do
  command -v "$cmd" >/dev/null || { echo "route_cost: $cmd is required" >&2; exit 1; }
done
[ -x dist/podgate ] || bash scripts/build
source bench/lib/go_backends.sh
ports=(29201 29202 29203)
go_backends "${ports[@]}"
addresses="[\"${backends//,/\",\"}\"]" # the same list as a JSON array, for the config files

# routes FILE N KIND: N routes; KIND hosts (route i has host hI.bench) or paths (every host,
# route i has PathPrefix /pI, so one host bucket of N candidates: the indexed case).
routes() {
  local file=$1 n=$2 kind=$3 i
  {
    printf '{"port": 29200, "hostname": "127.0.0.1", "routes": ['
    for ((i = 0; i < n; i++)); do
      [ "$i" -gt 0 ] && printf ','
      if [ "$kind" = hosts ]; then
        printf '{"name":"r%d","hostnames":["h%d.bench"],"rules":[{"backendRefs":[{"addresses":%s}]}]}' "$i" "$i" "$addresses"
      else
        printf '{"name":"r%d","rules":[{"matches":[{"path":{"value":"/p%d"}}],"backendRefs":[{"addresses":%s}]}]}' "$i" "$i" "$addresses"
      fi
    done
    printf ']}'
  } >"$file"
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

measure() { # measure NAME HOST PATH [CONFIG]: CPU µs per request and req/s through dist/podgate
  local name=$1 host=$2 path=$3 config=${4:-}
  if [ -n "$config" ]; then
    taskset -c 1 dist/podgate proxy --config "$config" >/dev/null 2>&1 &
  else
    PODGATE_BACKENDS="$backends" PODGATE_PORT=29200 taskset -c 1 dist/podgate proxy >/dev/null 2>&1 &
  fi
  local pid=$!
  proxy_pid=$pid
  local url="http://127.0.0.1:29200$path" i
  for i in $(seq 100); do
    curl -sf -o /dev/null -H "Host: $host" "$url" && break
    sleep 0.05
  done
  taskset -c 0 wrk -t1 -c64 -d1s -H "Host: $host" "$url" >/dev/null
  local before after out
  before=$(ticks "$pid")
  out=$(taskset -c 0 wrk -t1 -c64 -d5s -H "Host: $host" "$url")
  after=$(ticks "$pid")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  proxy_pid=""
  local reqs non2xx
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out")
  [ -z "$non2xx" ] || { echo "route_cost: $name answered $non2xx non-2xx responses" >&2; exit 1; }
  awk -v n="$name" -v t="$((after - before))" -v hz="$hz" -v r="$reqs" \
    'BEGIN { printf "%s %.2f %.0f\n", n, t / hz * 1e6 / r, r / 5 }'
}

routes "$work/r1.json" 1 hosts
routes "$work/r10.json" 10 hosts
routes "$work/r1000.json" 1000 hosts
routes "$work/p1000.json" 1000 paths
{
  for _ in $(seq "$rounds"); do
    measure implicit-route bench.local /ping
    measure 1-route h0.bench /ping "$work/r1.json"
    measure 10-routes h5.bench /ping "$work/r10.json"
    measure 1000-routes-by-host h500.bench /ping "$work/r1000.json"
    measure 1000-routes-by-path any.bench /p500/ping "$work/p1000.json"
  done
} | awk '
  { cpu[$1, ++n[$1]] = $2; rps[$1, n[$1]] = $3; if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 } }
  function median(arr, name, count,   i, j, t, v) {
    for (i = 1; i <= count; i++) v[i] = arr[name, i]
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    base = median(cpu, "implicit-route", n["implicit-route"])
    printf "| config | CPU µs/request (median) | vs implicit route | req/s (median) | rounds |\n|---|---:|---:|---:|---:|\n"
    for (i = 1; i <= k; i++) {
      c = order[i]; v = median(cpu, c, n[c])
      printf "| %s | %.2f | %+.1f%% | %.0f | %d |\n", c, v, (v / base - 1) * 100, median(rps, c, n[c]), n[c]
    }
  }'
