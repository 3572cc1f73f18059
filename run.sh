#!/usr/bin/env bash
# The quickstart: three demo echo backends and Ballast in standalone mode on samples/quickstart.
#   traffic: http://localhost:8080      admin (status page, metrics, health): http://127.0.0.1:9901 (loopback only)
# Ctrl-C stops everything this script started.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

config=${1:-samples/quickstart}
out=.run
mkdir -p "$out"
echo "building (Release)…"
dotnet build -c Release -o "$out/echo" samples/EchoBackend/EchoBackend.csproj >"$out/build.log" 2>&1 \
  && dotnet build -c Release -o "$out/ballast" src/Ingress/Ballast.Ingress.csproj >>"$out/build.log" 2>&1 \
  || { cat "$out/build.log"; exit 1; }

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  echo "stopped."
}
trap stop EXIT
trap 'exit 130' INT TERM

for i in 1 2 3; do
  dotnet "$out/echo/echo-backend.dll" --name "echo-$i" --urls "http://127.0.0.1:900$i" &
  pids+=($!)
done
# The container image's runtime settings (Dockerfile ENV), so the quickstart runs what the image runs. No load
# balancer sends to it, so Ctrl-C needs no grace period before connections close.
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TC_CallCountingDelayMs=0 \
  dotnet "$out/ballast/ballast.dll" run --config "$config" --admin-port 9901 --admin-address 127.0.0.1 --shutdown-grace 0s &
pids+=($!)

for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:9901/readyz >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

Ballast is serving samples from $config.
  curl -s http://localhost:8080/hello        # repeat it: echo-1, echo-2, echo-3 take turns
  open http://127.0.0.1:9901/                # the live status page (pools, endpoints, routes, reloads)
  curl -s 'http://127.0.0.1:9901/admin/explain?host=localhost&path=/hello'   # which route, pool, endpoints, and why
  curl -s http://127.0.0.1:9901/metrics      # Prometheus metrics
Edit a file under $config and Ballast reloads it. Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
