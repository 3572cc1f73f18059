#!/usr/bin/env bash
# A/B: Ballast h2c (h2load -c16 -m10) and h1 (wrk -c64) requests per proxy CPU-second, inline scheduling per connection (auto), on, off
# (BALLAST_INLINE_SCHEDULING=auto/1/0), interleaved; Ballast pinned on core 0, the nginx origin and the clients on core 1.
# Usage: [ROUNDS=3] [VARIANTS="auto 1 0"] bench/tools/h2c-inline-ab.sh   (a quiet machine: no builds, no other benchmark)
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd); work=$(mktemp -d /tmp/h2ab.XXXX); ngx=""; pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$ngx" ] && kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
. "$repo/bench/tools/one-route.sh"
publish_ballast "$work"
write_one_route "$work" 18690 18691 ab
start_origin "$work"
clk=$(getconf CLK_TCK)
for round in $(seq ${ROUNDS:-3}); do
 for inline in ${VARIANTS:-auto 1 0}; do
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 BALLAST_INLINE_SCHEDULING=$inline \
    taskset -c 0 "$work/app/ballast" run --config "$work/cfg" --admin-port 18692 >"$work/b.log" 2>&1 & pid=$!
  until curl -fs -o /dev/null http://127.0.0.1:18690/; do sleep 0.05; done
  taskset -c 1 wrk -t1 -c64 -d8s http://127.0.0.1:18690/ >/dev/null
  taskset -c 1 h2load -c16 -m10 -t1 -D 6 http://127.0.0.1:18690/ >/dev/null 2>&1
  for kind in h1 h2c; do
    b=$(proc_ticks $pid)
    if [ $kind = h1 ]; then out=$(taskset -c 1 wrk -t1 -c64 -d8s http://127.0.0.1:18690/); n=$(echo "$out" | awk '/requests in/{print $1}');
    else out=$(taskset -c 1 h2load -c16 -m10 -t1 -D 8 http://127.0.0.1:18690/ 2>&1); n=$(echo "$out" | awk '/^requests:/{print $8}'); fi
    a=$(proc_ticks $pid)
    awk -v n="$n" -v t=$((a-b)) -v c=$clk -v k=$kind -v i=$inline -v r=$round -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN{printf "round %d inline=%s %-4s req=%d cpu_s=%.2f req_per_cpu_s=%.0f rps=%.0f load=%s\n", r, i, k, n, t/c, n/(t/c), n/8, l}'
  done
  kill $pid; wait $pid 2>/dev/null; pid=""
 done
done
