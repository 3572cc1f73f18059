#!/usr/bin/env bash
# Installs keepalived, nftables and iproute2 (Debian packages) for the HA tests, which build their own network
# namespaces and run the sample's keepalived and nftables setup inside them. Idempotent and quiet: does nothing
# when all three are present.
set -euo pipefail
missing=()
command -v keepalived >/dev/null 2>&1 || [ -x /usr/sbin/keepalived ] || missing+=(keepalived)
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
# The package's own service is not wanted (tests start keepalived per namespace); stop it where systemd runs it.
$SUDO systemctl disable --now keepalived >/dev/null 2>&1 || true
