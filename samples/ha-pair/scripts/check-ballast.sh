#!/bin/sh
# keepalived vrrp_script: succeeds while this node's Ballast is ready (snapshot applied, every listener bound).
# A dead Ballast refuses the connection at once, so a death is seen within one check interval; a live but
# loaded one gets 3 s to answer.
ADMIN=http://127.0.0.1:9901   # Ballast's admin listener (--admin-port)
exec curl -fsS -o /dev/null --max-time 3 "$ADMIN/readyz"
