#!/usr/bin/env bash
# Installs Pebble (the ACME test server, with pebble-challtestsrv for DNS) for Ballast.Acme.Tests.
# Idempotent and quiet: does nothing when /usr/bin/pebble is already there.
set -euo pipefail
if [ -x /usr/bin/pebble ] && [ -x /usr/bin/pebble-challtestsrv ]; then
  exit 0
fi
echo "installing: pebble"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq pebble >/dev/null
