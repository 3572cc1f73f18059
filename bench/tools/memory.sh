#!/usr/bin/env bash
# Ballast's memory under runtime settings to compare: for each setting, start Ballast as published (Release,
# framework-dependent) on core 0 with one route to an nginx origin, put 10 s of `wrk -c64` load through it (the
# state bench/run measures after its warm-up), then read RSS idle and with N idle keep-alive connections
# (bench/tools/conns.py), and the GC's own view (heap size, committed) from /metrics.
#
# Usage: bench/tools/memory.sh [idle connections] [setting ...]
#   a setting is a space-free list of environment assignments joined by commas, or "default", e.g.
#   bench/tools/memory.sh 5000 default DOTNET_gcServer=0 DOTNET_GCgen0size=0x400000,DOTNET_gcServer=0
# RSS hardly depends on CPU contention, but the load phase does: prefer a quiet machine.
set -uo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "$0")/../.." && pwd)
idle=${1:-5000}; shift || true
settings=("$@"); [ ${#settings[@]} -eq 0 ] && settings=(default)
ulimit -n "$(ulimit -Hn)" 2>/dev/null
work=$(mktemp -d /tmp/ballast-memory.XXXXXX); ngx="" pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null; [ -n "$ngx" ] && kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
. "$repo/bench/tools/one-route.sh"
publish_ballast "$work"
write_one_route "$work" 18790 18791 memory
start_origin "$work"
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
metric() { curl -fs http://127.0.0.1:18792/metrics | awk -v m="$1" '$1 == m {printf "%.0f", $2 / 1048576}'; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $idle idle connections"
printf '%-60s %10s %14s %12s %14s\n' setting "RSS idle" "RSS with idle" "KiB/conn" "GC heap MiB"
for setting in "${settings[@]}"; do
  envs=(); [ "$setting" != default ] && IFS=, read -r -a envs <<<"$setting"
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 "${envs[@]}" \
    taskset -c 0 "$work/app/ballast" run --config "$work/cfg" --admin-port 18792 >"$work/ballast.log" 2>&1 & pid=$!
  until curl -fs -o /dev/null http://127.0.0.1:18790/; do sleep 0.05; done
  taskset -c 1 wrk -t1 -c64 -d10s http://127.0.0.1:18790/ >/dev/null
  sleep 2
  rss_idle=$(rss_kib $pid)
  # What the idle RSS is: anonymous (GC heap, native), file-backed (the runtime's and the assemblies' images, shared
  # with other .NET processes), shared memory (W^X double-mapped JIT code and stubs).
  composition=$(awk '/^Rss(Anon|File|Shmem)/ {printf "%s %.1f MiB  ", $1, $2 / 1024}' "/proc/$pid/status")
  fifo="$work/idle.fifo"; rm -f "$fifo"; mkfifo "$fifo"
  taskset -c 1 python3 "$repo/bench/tools/conns.py" idle 127.0.0.1 18790 "$idle" <"$fifo" >"$work/idle.out" 2>&1 & idle_pid=$!
  exec 7>"$fifo"
  until grep -q '^ready' "$work/idle.out"; do sleep 0.2; done
  sleep 1
  rss_conns=$(rss_kib $pid); heap=$(metric dotnet_total_memory_bytes)
  exec 7>&-; wait $idle_pid 2>/dev/null
  printf '%-60s %8.1f MiB %10.1f MiB %12.1f %14s\n' "$setting" "$(echo "$rss_idle / 1024" | bc -l)" \
    "$(echo "$rss_conns / 1024" | bc -l)" "$(echo "($rss_conns - $rss_idle) / $idle" | bc -l)" "${heap:-?}"
  echo "   idle RSS: $composition"
  kill $pid; wait $pid 2>/dev/null; pid=""
done
