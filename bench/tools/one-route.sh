# Sourced by the bench/tools scripts that run Ballast against one nginx origin: the setup they share ($repo must be
# set). write_one_route writes, under WORK, an nginx origin (ngx/nginx.conf, `return 200 "ok"` on
# 127.0.0.1:ORIGIN_PORT) and a Ballast folder (cfg/p.yaml: one HTTP listener on 127.0.0.1:LISTEN_PORT, one route `/`
# to a pool of that origin).
# Usage: write_one_route WORK LISTEN_PORT ORIGIN_PORT POLICY_NAME
write_one_route() {
  local work=$1 listen=$2 origin=$3 name=$4
  mkdir -p "$work/ngx/logs" "$work/cfg"
  cat >"$work/ngx/nginx.conf" <<NGX
worker_processes 1; daemon off; error_log $work/ngx/logs/error.log; pid $work/ngx/nginx.pid;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$origin; location / { return 200 "ok"; } } }
NGX
  cat >"$work/cfg/p.yaml" <<YAML
apiVersion: ballast.dev/v1alpha1
kind: LoadBalancerPolicy
metadata: { name: $name }
spec:
  listeners: [ { name: http, port: $listen, protocol: HTTP, address: 127.0.0.1 } ]
  routes: [ { name: all, match: { pathPrefix: / }, backends: [ { pool: origin } ] } ]
---
apiVersion: ballast.dev/v1alpha1
kind: BackendPool
metadata: { name: origin }
spec:
  endpoints: [ { address: "127.0.0.1:$origin" } ]
YAML
}

# publish_ballast WORK: Ballast as the image ships it (Release, framework-dependent, apphost) into WORK/app; on a
# failed publish, prints its log and exits.
publish_ballast() {
  dotnet publish "$repo/src/Ingress/Ballast.Ingress.csproj" -c Release -p:UseAppHost=true -o "$1/app" \
    >"$1/publish.log" 2>&1 || { cat "$1/publish.log"; exit 1; }
}

# start_origin WORK: the nginx origin write_one_route wrote, on core 1; its pid in $ngx for the caller's trap.
start_origin() {
  taskset -c 1 nginx -p "$1/ngx" -c "$1/ngx/nginx.conf" &
  ngx=$!
}

# proc_ticks PID: one process's utime+stime in clock ticks; its name in /proc/PID/stat may hold spaces (bench/run's
# cpu_ticks sums a whole process tree).
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
