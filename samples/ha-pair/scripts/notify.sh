#!/bin/sh
# keepalived's vrrp_notify_fifo_script: started once by keepalived, which then writes every VRRP transition, in the
# order they happen, to the FIFO given as the last argument, one line each: INSTANCE "VI_1" MASTER 150 (GROUP lines
# for sync groups). Handled one at a time, in that order: separate notify scripts, one per transition, run
# concurrently, and two quick transitions could reach Ballast in the wrong order (seen: a node left showing master
# for the VIP it had just handed over). Logs each transition and tells Ballast its role (ballast_ha_role on
# /metrics). Never fails: keepalived's decision stands whatever happens here.
ADMIN=http://127.0.0.1:9901           # Ballast's admin listener (--admin-port); only loopback may POST the role
LOG=/var/log/ballast/ha-transitions.log

for FIFO; do :; done                  # the last argument
mkdir -p "$(dirname "$LOG")" 2>/dev/null
while read -r kind name state priority; do
  name=${name#\"}
  name=${name%\"}
  line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $name -> $state${priority:+ (priority $priority)}"
  echo "$line" >> "$LOG"
  command -v logger >/dev/null 2>&1 && logger -t ballast-ha "$line"
  if [ "$kind" = INSTANCE ]; then
    curl -fsS -o /dev/null --max-time 2 --data-urlencode "instance=$name" --data-urlencode "state=$state" "$ADMIN/admin/ha/role" \
      || echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $name: Ballast did not take the role $state (not running?)" >> "$LOG"
  fi
done < "$FIFO"
exit 0
