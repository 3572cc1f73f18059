#!/bin/sh
# keepalived notify: called on every VRRP transition with $1 = INSTANCE|GROUP, $2 = its name,
# $3 = MASTER|BACKUP|FAULT|STOP, $4 = priority. Logs the transition and tells Ballast its role
# (ballast_ha_role on /metrics). Never fails: keepalived's decision stands whatever happens here.
ADMIN=http://127.0.0.1:9901           # Ballast's admin listener (--admin-port); only loopback may POST the role
LOG=/var/log/ballast/ha-transitions.log

at=$(date +%s%N)                      # first: orders this report against the next transition's (see below)
name=$2
state=$3
priority=${4:-}
line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $name -> $state${priority:+ (priority $priority)}"
mkdir -p "$(dirname "$LOG")" 2>/dev/null
echo "$line" >> "$LOG"
command -v logger >/dev/null 2>&1 && logger -t ballast-ha "$line"
if [ "$1" = INSTANCE ]; then
  # keepalived runs one notify per transition, concurrently: two quick transitions can reach Ballast in either order.
  # "at" lets Ballast keep the later one.
  curl -fsS -o /dev/null --max-time 2 --data-urlencode "instance=$name" --data-urlencode "state=$state" --data-urlencode "at=$at" "$ADMIN/admin/ha/role" \
    || echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $name: Ballast did not take the role $state (not running?)" >> "$LOG"
fi
exit 0
