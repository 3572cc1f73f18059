#!/usr/bin/env bash
# System calls per proxied request: Ballast as published (Release), pinned on core 0, one route to an nginx origin,
# `wrk` on core 1; after a warm-up, `strace -c -f` counts every call of every thread while wrk sends a fixed load,
# and each count is divided by the requests wrk completed in that window. strace slows the process a lot, so the
# throughput under it means nothing; the calls per request are what to read (which are there, and how many fail
# with EAGAIN: a receive tried before the data was there).
# Usage: bench/tools/syscalls.sh [connections] [ballast|nginx] [-- extra env for Ballast]   (a quiet machine)
#   nginx: the same count for nginx as the proxy (one worker, keep-alive to the origin), to compare with.
set -uo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "$0")/../.." && pwd)
conns=${1:-64}; shift || true
proxy=ballast; case "${1:-}" in ballast|nginx) proxy=$1; shift ;; esac
[ "${1:-}" = "--" ] && shift
work=$(mktemp -d /tmp/ballast-syscalls.XXXXXX); ngx="" pid="" master=""
trap '[ -n "$master" ] && kill $master 2>/dev/null; [ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null; [ -n "$ngx" ] && kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
. "$repo/bench/tools/one-route.sh"
[ "$proxy" = ballast ] && publish_ballast "$work"
write_one_route "$work" 18890 18891 syscalls
start_origin "$work"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $proxy; $conns connection(s); extra env: ${*:-none}"
if [ "$proxy" = nginx ]; then
  mkdir -p "$work/proxy/logs"
  cat >"$work/proxy/nginx.conf" <<NGX
worker_processes 1; daemon off; error_log $work/proxy/logs/error.log; pid $work/proxy/nginx.pid;
events { worker_connections 4096; }
http { access_log off; upstream origin { server 127.0.0.1:18891; keepalive 128; }
  server { listen 127.0.0.1:18890; location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
NGX
  taskset -c 0 nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" & master=$!
  until curl -fs -o /dev/null http://127.0.0.1:18890/; do sleep 0.05; done
  pid=$(pgrep -P "$master" | head -1)   # the worker: strace follows it, not the master
else
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 "$@" \
    taskset -c 0 "$work/app/ballast" run --config "$work/cfg" --admin-port 18892 >"$work/ballast.log" 2>&1 & pid=$!
  until curl -fs -o /dev/null http://127.0.0.1:18890/; do sleep 0.05; done
fi
taskset -c 1 wrk -t1 -c"$conns" -d10s http://127.0.0.1:18890/ >/dev/null   # warm: tier-up done before counting
strace -c -f -p "$pid" -o "$work/strace.txt" 2>/dev/null & st=$!
sleep 1   # strace attached to every thread
requests=$(taskset -c 1 wrk -t1 -c"$conns" -d4s http://127.0.0.1:18890/ | awk '/requests in/ {print $1}')
kill -INT $st; wait $st 2>/dev/null
echo "requests in the window: $requests"
printf '%-16s %10s %10s %14s\n' syscall calls errors "per request"
awk -v r="$requests" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
    errors = (NF == 6) ? $5 : 0; printf "%-16s %10d %10d %14.2f\n", $NF, $4, errors, $4 / r }' "$work/strace.txt" \
  | sort -k4 -rn | head -14
