#!/bin/sh
# keepalived vrrp_script: two checks of this node's Ballast, by /readyz on the admin port (ready = a snapshot applied
# and every listener bound).
#   check-ballast.sh ready       fails at once when Ballast is dead (the connection is refused) or not ready (503).
#                                An answer slower than 1 s is not a death (a dead process refuses at once): it passes
#                                here and is left to the next check, so a loaded node does not give up its VIP.
#   check-ballast.sh responsive  fails when /readyz does not answer 200 within 3 s. Its vrrp_script has fall 3: a node
#                                that stays unresponsive for three checks in a row gives up its VIP.
ADMIN=http://127.0.0.1:9901   # Ballast's admin listener (--admin-port)
case "${1:-ready}" in
  ready)
    curl -fsS -o /dev/null --max-time 1 "$ADMIN/readyz"
    rc=$?
    [ "$rc" -eq 28 ] && exit 0   # timed out: alive but slow; the responsive check decides
    exit "$rc"
    ;;
  responsive)
    exec curl -fsS -o /dev/null --max-time 3 "$ADMIN/readyz"
    ;;
  *)
    echo "usage: $0 ready|responsive" >&2
    exit 2
    ;;
esac
