#!/usr/bin/env bash
# Installs redis-server (Debian package) for the affinity tests, which start their own instance on
# 127.0.0.1 with an OS-chosen port. Idempotent and quiet: does nothing when redis-server is on PATH.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
echo "installing: redis-server"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server >/dev/null
# The package's own service is not needed (tests start their own instance); stop it where systemd runs it.
$SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
