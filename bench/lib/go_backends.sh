# Sourced by the bench's shell scripts: a temp dir, the Go backends on CPU 0, and the cleanup
# that stops them (and the proxy under measurement, when the script sets proxy_pid).
# go_backends PORT...: builds bench/go/backend.go into $work and starts one per port; sets
# `backends` to their host:port list, comma-separated.
work=$(mktemp -d)
pids=()
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

go_backends() {
  GOCACHE="$work/gocache" GOPATH="$work/gopath" GOFLAGS=-mod=mod go build -o "$work/backend" bench/go/backend.go
  local p
  for p in "$@"; do
    taskset -c 0 "$work/backend" -listen "127.0.0.1:$p" -name "b$p" &
    pids+=($!)
  done
  backends=$(printf '127.0.0.1:%s,' "$@")
  backends=${backends%,}
  sleep 0.3
}
