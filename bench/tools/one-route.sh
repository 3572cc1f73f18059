# Sourced by bench/tools/{warmup,profile,memory}.sh: the one setup they share. Writes, under WORK, an nginx origin
# (ngx/nginx.conf, `return 200 "ok"` on 127.0.0.1:ORIGIN_PORT) and a Ballast folder (cfg/p.yaml: one HTTP listener
# on 127.0.0.1:LISTEN_PORT, one route `/` to a pool of that origin).
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
