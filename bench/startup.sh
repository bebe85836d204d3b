#!/usr/bin/env bash
# Start-up probe, run by hyperfine: startup.sh PORT [COMMAND ARGS...]
# Execs COMMAND pinned to $STARTUP_CPU (default 1), waits until http://127.0.0.1:PORT/ping answers
# 200 through it, then kills it. With no COMMAND it only probes an already running server: that is
# the baseline, the cost of the probe itself, to subtract.
set -u
port=$1
shift
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
}
trap cleanup EXIT
if [ $# -gt 0 ]; then
  taskset -c "${STARTUP_CPU:-1}" "$@" >/dev/null 2>&1 &
  pid=$!
fi
deadline=$((SECONDS + 10))
while [ "$SECONDS" -le "$deadline" ]; do
  # Wait for the listener without forking (bash's /dev/tcp), then ask for a proxied 200 with curl.
  if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    exec 3>&-
    curl -sf -o /dev/null "http://127.0.0.1:$port/ping" && exit 0
  fi
done
echo "startup.sh: no 200 from 127.0.0.1:$port/ping within 10 s" >&2
exit 1
