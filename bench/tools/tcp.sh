# The TCP (Layer 4) scenario of bench/run, sourced by it (uses its helpers: started, stop_pid, cpu_ticks,
# record, parse, wait_http, log, and its variables: work, out, duration, rounds, only, origin_ports ...).
#
# Proxies: HAProxy `mode tcp`, nginx `stream`, Ballast's TCP listener (`protocol: TCP`, a tcpRoute), each
# alone on core 0 with two listeners:
#   tcp-stream  one iperf3 stream (client and server on core 1) pushed through the proxy for the round's
#               duration: bytes/s, and the proxy's CPU seconds per GiB relayed
#   tcp-conn    wrk -c64 with `Connection: close` to the HTTP origins through the proxy: every request is a
#               new TCP connection accepted, balanced over the three origins and closed (connections/s)
# Neither proxy looks inside the bytes, so this measures accept + connect + copy, not HTTP.

tcp_proxies=()

haproxy_tcp_conf() {
  local dir="$work/haproxy-tcp"; mkdir -p "$dir"
  cat >"$dir/haproxy.cfg" <<EOF
global
  maxconn $(( ($(ulimit -n) - 100) / 2 ))
  nbthread 1
  # the same 32 KiB relay buffer as Ballast's (TcpProxyListener BufferSize) and nginx's below
  tune.bufsize 32768
  pidfile $dir/haproxy.pid
defaults
  mode tcp
  timeout connect 5s
  timeout client 300s
  timeout server 300s
frontend stream
  bind 127.0.0.1:${tcp_stream_port[haproxy]}
  default_backend iperf
frontend conn
  bind 127.0.0.1:${tcp_conn_port[haproxy]}
  default_backend origins
backend iperf
  server i1 127.0.0.1:$iperf_port
backend origins
  balance roundrobin
  server o1 127.0.0.1:${origin_ports[0]}
  server o2 127.0.0.1:${origin_ports[1]}
  server o3 127.0.0.1:${origin_ports[2]}
EOF
}

nginx_tcp_conf() {
  local dir="$work/nginx-tcp"; mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
$nginx_user worker_processes 1; daemon off; pid $dir/nginx.pid; error_log $dir/error.log warn; worker_rlimit_nofile 20000;
events { worker_connections 19000; }
stream {
  proxy_buffer_size 32k;
  upstream iperf { server 127.0.0.1:$iperf_port; }
  upstream origins { server 127.0.0.1:${origin_ports[0]}; server 127.0.0.1:${origin_ports[1]}; server 127.0.0.1:${origin_ports[2]}; }
  server { listen 127.0.0.1:${tcp_stream_port[nginx]}; proxy_pass iperf; }
  server { listen 127.0.0.1:${tcp_conn_port[nginx]} backlog=4096; proxy_pass origins; }
}
EOF
}

ballast_tcp_conf() {   # a YAML folder as a user writes it (see samples/tcp)
  local dir="$work/ballast-tcp"; mkdir -p "$dir"
  cat >"$dir/tcp.yaml" <<EOF
apiVersion: ballast.dev/v1alpha1
kind: BackendPool
metadata: { name: iperf, namespace: bench }
spec:
  protocol: TCP
  endpoints: [ { address: "127.0.0.1:$iperf_port" } ]
---
apiVersion: ballast.dev/v1alpha1
kind: BackendPool
metadata: { name: origins, namespace: bench }
spec:
  protocol: TCP
  endpoints:
    - { address: "127.0.0.1:${origin_ports[0]}" }
    - { address: "127.0.0.1:${origin_ports[1]}" }
    - { address: "127.0.0.1:${origin_ports[2]}" }
  loadBalancing: { algorithm: RoundRobin }
---
apiVersion: ballast.dev/v1alpha1
kind: LoadBalancerPolicy
metadata: { name: tcp, namespace: bench }
spec:
  listeners:
    - { name: stream, port: ${tcp_stream_port[ballast]}, protocol: TCP, address: 127.0.0.1 }
    - { name: conn, port: ${tcp_conn_port[ballast]}, protocol: TCP, address: 127.0.0.1 }
  tcpRoutes:
    - { listener: stream, backends: [ { pool: iperf } ] }
    - { listener: conn, backends: [ { pool: origins } ] }
EOF
}

start_tcp_proxy() {   # name: pinned on core 0; ready when an HTTP request through its conn port gets a 200
  local name=$1 pid
  case "$name" in
    haproxy) haproxy_tcp_conf; taskset -c 0 haproxy -W -db -f "$work/haproxy-tcp/haproxy.cfg" >>"$work/haproxy-tcp.log" 2>&1 & pid=$! ;;
    nginx) nginx_tcp_conf; taskset -c 0 nginx -p "$work/nginx-tcp" -c "$work/nginx-tcp/nginx.conf" >>"$work/nginx-tcp.log" 2>&1 & pid=$! ;;
    ballast)
      ballast_tcp_conf
      local exe=("$out/ballast/ballast"); [ -x "${exe[0]}" ] || exe=(dotnet "$out/ballast/ballast.dll")
      DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 taskset -c 0 "${exe[@]}" run --config "$work/ballast-tcp" --admin-port $ballast_tcp_admin \
        >>"$work/ballast-tcp.log" 2>&1 & pid=$! ;;
  esac
  started "$pid"; tcp_pid[$name]=$pid
  if ! wait_http "http://127.0.0.1:${tcp_conn_port[$name]}/" 60 "$pid"; then
    log "$name (TCP) did not relay an HTTP 200 within 60 s; its log:"; tail -20 "$work/$name-tcp.log" >&2
    stop_pid "$pid"; return 1
  fi
  # warm-up (JIT tiering for Ballast; the same for every proxy): 2 s of each load
  taskset -c 1 wrk -t1 -c64 -d2s -H 'Connection: close' "http://127.0.0.1:${tcp_conn_port[$name]}/" >/dev/null 2>&1
  taskset -c 1 iperf3 -c 127.0.0.1 -p "${tcp_stream_port[$name]}" -t 2 >/dev/null 2>&1
}

run_tcp_stream() {   # proxy round seconds
  local name=$1 round=$2 secs=$3 file="$work/out/$1.tcp-stream.$2.iperf3.json" before after
  before=$(cpu_ticks "${tcp_pid[$name]}")
  taskset -c 1 timeout $((secs + 20)) iperf3 -c 127.0.0.1 -p "${tcp_stream_port[$name]}" -t "$secs" --connect-timeout 5000 -J >"$file" 2>&1
  after=$(cpu_ticks "${tcp_pid[$name]}")
  parse iperf3 "$file" "$name" tcp-stream "$round" "$((after - before))" "$clk_tck" >>"$results"
}

run_tcp_conn() {   # proxy round seconds
  local name=$1 round=$2 secs=$3 file="$work/out/$1.tcp-conn.$2.wrk" before after
  before=$(cpu_ticks "${tcp_pid[$name]}")
  taskset -c 1 wrk -t1 -c64 -d"${secs}s" --timeout 10s -H 'Connection: close' "http://127.0.0.1:${tcp_conn_port[$name]}/" >"$file" 2>&1
  after=$(cpu_ticks "${tcp_pid[$name]}")
  parse wrk "$file" "$name" tcp-conn "$round" "$((after - before))" "$clk_tck" >>"$results"
}

run_tcp_scenario() {
  declare -gA tcp_pid
  local name r k n
  for name in haproxy nginx ballast; do
    case " $only " in *" $name "*) ;; *) continue ;; esac
    [ "$name" = ballast ] && [ -n "$ballast_skip" ] && continue
    tcp_proxies+=("$name")
  done
  [ ${#tcp_proxies[@]} -eq 0 ] && return 0
  taskset -c 1 iperf3 -s -B 127.0.0.1 -p $iperf_port >"$work/iperf3-server.log" 2>&1 &
  started $!
  local deadline=$((SECONDS + 10))
  until (exec 3<>"/dev/tcp/127.0.0.1/$iperf_port") 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && { log "iperf3 server did not start; TCP scenario skipped"; return 0; }
    sleep 0.1
  done
  log "TCP (Layer 4): ${tcp_proxies[*]} ($rounds round(s) of ${duration}s: one iperf3 stream, wrk -c64 Connection: close)"
  # One proxy at a time: the HTTP proxies may still be up but idle; the TCP ones are started per round, so
  # each round measures a proxy that has run only that load.
  n=${#tcp_proxies[@]}
  for ((r = 1; r <= rounds; r++)); do
    for ((k = 0; k < n; k++)); do
      name=${tcp_proxies[$(( (k + r - 1) % n ))]}
      start_tcp_proxy "$name" || continue
      run_tcp_stream "$name" "$r" "$duration"
      run_tcp_conn "$name" "$r" "$duration"
      log "  $name: $(awk -F'\t' -v p="$name" -v r="$r" '$1==p && $3==r && $2 ~ /^tcp-/ && ($4=="gbit_s" || $4=="rps") {printf "%s %s=%.2f ", $2, $4, $5}' "$results")"
      stop_pid "${tcp_pid[$name]}"
    done
  done
}
