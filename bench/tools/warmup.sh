#!/usr/bin/env bash
# Warm-up of Ballast as published: time and CPU to the first 200, then ten 1-second `wrk -c64` slices, for a
# JIT-only publish and a ReadyToRun publish, interleaved. Ballast pinned on core 0, wrk on core 1, one route to
# an nginx origin. Usage: bench/tools/warmup.sh [rounds] [extra env for Ballast, e.g. DOTNET_TieredPGO=0]
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}; extra=${2:-DOTNET_NOLOGO=1}
work=$(mktemp -d /tmp/ballast-warmup.XXXXXX); ngx=""
trap '[ -n "$ngx" ] && kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
for v in jit r2r; do
  r2r=false; [ $v = r2r ] && r2r=true
  dotnet publish "$repo/src/Ingress/Ballast.Ingress.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=$r2r -p:UseAppHost=true -p:DebugType=none -o "$work/$v" >"$work/$v.publish.log" 2>&1 \
    || { cat "$work/$v.publish.log"; exit 1; }
done
. "$repo/bench/tools/one-route.sh"
write_one_route "$work" 18590 18591 warm
start_origin "$work"
sleep 0.5
clk=$(getconf CLK_TCK)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); extra env: $extra"
for round in $(seq 1 "$rounds"); do
  for v in jit r2r; do
    t0=$(date +%s.%N)
    env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 $extra \
      taskset -c 0 "$work/$v/ballast" run --config "$work/cfg" --admin-port 18592 >"$work/$v.log" 2>&1 & pid=$!
    until curl -fs -o /dev/null http://127.0.0.1:18590/; do sleep 0.02; done
    t1=$(date +%s.%N)
    cpu=$(awk -v c="$clk" '{print ($14+$15)/c}' "/proc/$pid/stat")
    slices=""
    for _ in $(seq 1 10); do
      slices="$slices $(taskset -c 1 wrk -t1 -c64 -d1s http://127.0.0.1:18590/ | awk '/Requests\/sec/{printf "%.0f", $2}')"
    done
    echo "$v round $round: first 200 after $(awk -v a="$t1" -v b="$t0" 'BEGIN{printf "%.2f", a-b}') s (CPU ${cpu} s); req/s per second of load:$slices"
    kill $pid; wait $pid 2>/dev/null
  done
done
