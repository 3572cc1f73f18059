#!/usr/bin/env bash
# Interleaved A/B (a quiet machine: no builds, no other benchmark beside it): Ballast HTTP/1.1 (wrk -c64) requests per proxy CPU-second, tracing off vs 1% sampling (OTLP to a closed port).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd); work=$(mktemp -d /tmp/trab.XXXX); ngx=""; pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$ngx" ] && kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
. "$repo/bench/tools/one-route.sh"
publish_ballast "$work"
write_one_route "$work" 18690 18691 ab
start_origin "$work"
clk=$(getconf CLK_TCK)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3 4; do
 for v in off traced; do
  extra=(); [ $v = traced ] && extra=(--tracing-endpoint http://127.0.0.1:9 --tracing-sample-ratio 0.01)
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 \
    taskset -c 0 "$work/app/ballast" run --config "$work/cfg" --admin-port 18692 "${extra[@]}" >"$work/b.log" 2>&1 & pid=$!
  until curl -fs -o /dev/null http://127.0.0.1:18690/; do sleep 0.05; done
  taskset -c 1 wrk -t1 -c64 -d10s http://127.0.0.1:18690/ >/dev/null
  b=$(proc_ticks $pid); out=$(taskset -c 1 wrk -t1 -c64 -d8s http://127.0.0.1:18690/); n=$(echo "$out" | awk '/requests in/{print $1}'); a=$(proc_ticks $pid)
  awk -v n="$n" -v t=$((a-b)) -v c=$clk -v k=$v -v r=$round -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN{printf "round %d %-6s req=%d cpu_s=%.2f req_per_cpu_s=%.0f cpu_us_per_req=%.1f load=%s\n", r, k, n, t/c, n/(t/c), t/c/n*1e6, l}'
  kill $pid; wait $pid 2>/dev/null; pid=""
 done
done
