#!/usr/bin/env bash
# Where Ballast's CPU per request goes: a `perf` CPU profile and a per-thread CPU breakdown of Ballast as published
# (Release, framework-dependent), pinned on core 0, one route to an nginx origin on core 1, `wrk` on core 1.
# For each connection count: CPU per request from /proc, CPU per thread name (is a thread-pool worker spinning
# while it waits for work?), and perf's top symbols grouped by module (kernel, runtime, JIT'd code).
#
# Usage: bench/tools/profile.sh [connections...] [-- extra env for Ballast, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0]
#   e.g. bench/tools/profile.sh 64 1
#        bench/tools/profile.sh 1 -- DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
# Needs a quiet machine (no builds, no other benchmark); prints the load average before it starts.
set -uo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "$0")/../.." && pwd)
conns=(); extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  conns+=("$1"); shift
done
[ ${#conns[@]} -eq 0 ] && conns=(64 1)
seconds=${PROFILE_SECONDS:-6}
work=$(mktemp -d /tmp/ballast-profile.XXXXXX); ngx="" pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null && wait $pid 2>/dev/null; [ -n "$ngx" ] && kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
. "$repo/bench/tools/one-route.sh"
publish_ballast "$work"
write_one_route "$work" 18690 18691 profile
start_origin "$work"
clk=$(getconf CLK_TCK)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); extra env: ${extra[*]:-none}"
env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "${extra[@]}" \
  taskset -c 0 "$work/app/ballast" run --config "$work/cfg" --admin-port 18692 >"$work/ballast.log" 2>&1 & pid=$!
until curl -fs -o /dev/null http://127.0.0.1:18690/; do sleep 0.05; done
taskset -c 1 wrk -t1 -c64 -d15s http://127.0.0.1:18690/ >/dev/null   # warm: tier-up done before measuring

thread_ticks() {   # "tid name ticks" per thread (names are truncated to 15 chars by the kernel)
  for t in /proc/$pid/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12+$13}')"
  done
}
by_thread_name() {   # before after total: CPU share per thread name; threads born during the run start at 0
  awk -v tot="$3" 'FNR == NR {b[$1] = $3; next} {s[$2] += $3 - b[$1]}
    END {for (n in s) if (s[n] > 0) printf "   %-16s %5.1f%%\n", n, s[n] / tot * 100}' "$1" "$2" | sort -k2 -rn | head -8
}
for c in "${conns[@]}"; do
  before=$(proc_ticks $pid); thread_ticks >"$work/threads.before"
  taskset -c 1 wrk -t1 -c"$c" -d"${seconds}s" http://127.0.0.1:18690/ >"$work/wrk.$c" 2>&1 &
  wrk_pid=$!
  sleep 1
  perf record -q -F 499 -g -p "$pid" -o "$work/perf.$c.data" -- sleep $((seconds - 2)) >/dev/null 2>&1
  wait $wrk_pid
  after=$(proc_ticks $pid); thread_ticks >"$work/threads.after"
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk.$c")
  echo
  echo "== $c connection(s): $(awk '/Requests\/sec/ {print $2}' "$work/wrk.$c") req/s," \
    "CPU per request $(awk -v t=$((after - before)) -v r="$reqs" -v k="$clk" 'BEGIN {printf "%.1f", t / k / r * 1e6}') µs," \
    "proxy core busy $(awk -v t=$((after - before)) -v k="$clk" -v s="$seconds" 'BEGIN {printf "%.0f", t / k / s * 100}')%"
  echo "-- CPU by thread (share of the process's CPU during the run)"
  by_thread_name "$work/threads.before" "$work/threads.after" $((after - before))
  echo "-- perf: top modules"
  perf report -q -i "$work/perf.$c.data" --no-children -g none --sort dso 2>/dev/null | head -8 | sed 's/^/   /'
  echo "-- perf: CPU by component (JIT'd frames named through the perf map)"
  perf report -q -i "$work/perf.$c.data" --no-children -g none --sort dso,sym 2>/dev/null | awk '
    { pct = $1; sub(/%/, "", pct); line = $0
      if (line ~ /\[kernel/) c = "kernel (syscalls, scheduler, TCP)"
      else if (line ~ /System\.Net\.Http|SocketsHttpHandler/) c = "backend leg (System.Net.Http)"
      else if (line ~ /Kestrel|Microsoft\.AspNetCore\.Server/) c = "Kestrel (client leg)"
      else if (line ~ /Yarp\./) c = "YARP forwarder"
      else if (line ~ /Ballast\./) c = "Ballast (routing, balancing, policies, metrics)"
      else if (line ~ /Prometheus\./) c = "prometheus-net"
      else if (line ~ /System\.Net\.Sockets|System\.IO\.Pipelines/) c = "sockets and pipes"
      else if (line ~ /libcoreclr|libclrjit|System\.Private\.CoreLib|System\.Threading/) c = "runtime (GC, JIT, threads, CoreLib)"
      else if (line ~ /libc\.so|ld-linux|vdso|libSystem\.Native/) c = "libc and native shims"
      else c = "other"
      share[c] += pct }
    END { for (c in share) printf "   %5.1f%%  %s\n", share[c], c }' | sort -rn
  echo "-- perf: top symbols"
  perf report -q -i "$work/perf.$c.data" --no-children -g none --sort sym 2>/dev/null | head -25 | cut -c1-150 | sed 's/^/   /'
done
