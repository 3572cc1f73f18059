#!/usr/bin/env bash
# The test command: installs what the suite needs (only what is missing), then runs every test.
# CI (.ci/run) calls exactly this script, so a fresh machine gets the same result.
#   ./test.sh           every test
#   ./test.sh --fast    only tests without sockets, servers or external programs (those carry
#                       [Trait("Category", "Integration")]): the inner loop
# Any other arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Routing").
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# program -> Debian package that provides it
declare -A NEEDED=(
  [openssl]=openssl
  [curl]=curl
)

missing=()
for program in "${!NEEDED[@]}"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("${NEEDED[$program]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for extra in scripts/install-*.sh; do
  [ -f "$extra" ] && bash "$extra"
done

args=()
fast=0
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
if [ "$fast" = 1 ]; then
  args+=(--filter "Category!=Integration")
  export BALLAST_FAST_LANE=1   # helpers that open sockets or start programs refuse (tests/Ballast.Testing/FastLane.cs)
fi

log=$(mktemp)
# A failed build must fail the run: testing the previous binaries would report a result for code that no longer exists.
build_log=$(mktemp)
if ! dotnet build Operator.sln -c Debug >"$build_log" 2>&1; then
  grep -E 'error [A-Z]+[0-9]+' "$build_log" | sort -u | tail -n 30 || tail -n 20 "$build_log"
  rm -f "$build_log" "$log"
  echo "build failed: no tests run"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
tail -n 3 "$build_log"
rm -f "$build_log"
dotnet test Operator.sln --no-build -c Debug "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet prints one summary per test assembly; CI reads one plain line, so add them up.
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | awk -F'[:,]' '
  { for (i = 1; i <= NF; i++) {
      if ($i ~ /Failed$/)  f += $(i+1);
      if ($i ~ /Passed$/)  p += $(i+1);
      if ($i ~ /Skipped$/) s += $(i+1);
  } }
  END { printf "%d %d %d\n", p, f, s }')
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
