#!/bin/sh
# Run once on each node before keepalived starts (e.g. ExecStartPre= of keepalived.service), with the other node's own
# address: prepare-node.sh 192.0.2.2 on node A, prepare-node.sh 192.0.2.1 on node B. Idempotent.
# Makes a VIP move lose nothing but the connections of a node that died (docs/ha.md, "What fails over how fast").
set -e
PEER=${1:?usage: prepare-node.sh PEER_ADDRESS, the own address of the other node}
IFACE=eth0                          # the interface keepalived's virtual_ipaddress uses
VIPS="192.0.2.10 192.0.2.11"        # every VIP of the pair (one in active-passive)
NO_RESET_RULES=/etc/ballast/ha/vip-no-reset.nft
HANDBACK_RULES=/etc/ballast/ha/vip-handback.nft

# 1. Answer ARP only for addresses configured on the interface asked (arp_ignore=1) and announce only those
#    (arp_announce=2): the VIPs kept on lo below are then never claimed by a node that is not their master.
for conf in all "$IFACE"; do
  echo 1 > "/proc/sys/net/ipv4/conf/$conf/arp_ignore"
  echo 2 > "/proc/sys/net/ipv4/conf/$conf/arp_announce"
done

# 2. Every VIP also on lo (/32, unannounced). When a VIP moves away from a live node, the connections that node was
#    serving can still send their answers from the VIP (without it, the kernel can no longer send from that
#    address and the client waits for a reply that never comes).
for vip in $VIPS; do
  ip addr replace "$vip/32" dev lo
done

mkdir -p /run/ballast                # keepalived's notify FIFO (vrrp_notify_fifo) lives here

# 3. No "connection refused" while a dead node still holds its VIP (see the rule file).
nft -f "$NO_RESET_RULES"

# 4. The connections of a live node that lost a VIP keep reaching it through the node that took the VIP (see the
#    rule file; it asks the kernel's socket table which connections are this node's, so it needs no conntrack).
nft -D PEER="$PEER" -f "$HANDBACK_RULES"
