#!/usr/bin/env bash
# Installs Chromium (Debian package `chromium`) for the status-page test, which drives a headless browser over the
# DevTools protocol (PuppeteerSharp with ExecutablePath=/usr/bin/chromium: no browser download).
# Idempotent and quiet: does nothing when chromium is on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "installing: chromium"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
