#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 1: a 2-node cluster (two_node) runs a group of a Filesystem on a shared loop device and a
# VIP. `crm_mon` shows it started, `crm resource move` moves it to the peer and back, and after each
# move the address answers from outside the cluster (the hub), only the active node holds the address
# and the mount, and the data written on one node is read on the other.
#
# Variables: RA (default ocf:heartbeat:IPaddr2), FS_RA (default ocf:heartbeat:Filesystem; empty =
# VIP only), AGENTS_DIR (our agents, mounted as ocf:rustha; needed when RA/FS_RA are ocf:rustha:*),
# FENCE (ipmi|na|none, default ipmi), FENCE_AGENT (for ipmi, default fence_ipmilan), NA_AGENT (for
# na, default fence_na), FENCE_DIR (fence agents and na-sim the nodes see), VIP (default 10.250.3.50).
set -euo pipefail
export SCENARIO=s1-two-node-move
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

RA=${RA:-ocf:heartbeat:IPaddr2}
FS_RA=${FS_RA-ocf:heartbeat:Filesystem}
FENCE=${FENCE:-ipmi}
case $FENCE in
    ipmi) FENCE_AGENT=${FENCE_AGENT:-fence_ipmilan} ;;
    na) FENCE_AGENT=${NA_AGENT:-fence_na} ;;
    none) FENCE_AGENT=fence_ipmilan ;; # not used
    *) fail "bad FENCE '$FENCE': expected ipmi, na or none" ;;
esac
VIP=${VIP:-$LAB_NET.50}
check_ra "$RA"
[ -z "$FS_RA" ] || check_ra "$FS_RA"
lab_up_opts
echo "RA=$RA FS_RA=${FS_RA:-none} FENCE=$FENCE ($FENCE_AGENT)${AGENTS_DIR:+ AGENTS_DIR=$AGENTS_DIR}"

step "lab up 2 (fence $FENCE)"
lab up 2 --fence "$FENCE" --fence-agent "$FENCE_AGENT" "${LAB_UP_OPTS[@]}"
timed "cluster online"

members=vip
if [ -n "$FS_RA" ]; then
    shared_disk
    members="fs vip"
fi

{
    echo "primitive vip $RA params ip=$VIP cidr_netmask=24 op monitor interval=5s"
    [ -z "$FS_RA" ] || echo "primitive fs $FS_RA params device=$LOOP directory=$MNT fstype=ext4 op monitor interval=10s"
    echo "group g $members"
} >"$LAB_DIR/config.crm"
on_any crm configure load update "$LAB_DIR/config.crm" 2>&1 | grep -v 'Blind faith' || true
wait_for 30 "vip ($RA) to start" is_running vip
A=$(locate vip)
timed "group started on $A"
if [ "$FENCE" != none ]; then
    wait_for 30 "a fence device ($FENCE_AGENT) to start" fence_started "$FENCE_AGENT"
    timed "fence device(s) $FENCE_AGENT started"
fi
on_any crm_mon -1 | sed -n '/Full List of Resources/,$p;/Active Resources/,$p'
[ -z "$FS_RA" ] || running_on fs "$A" || fail "fs runs on '$(locate fs)', expected $A (same group as vip)"
B=node1
[ "$A" != node1 ] || B=node2

# check_active NODE OTHER: the group is on NODE, the address answers and lives only on NODE
check_active() {
    local node=$1 other=$2
    wait_for 10 "$VIP to answer from the hub (group on $node)" answers "$VIP"
    has_addr "$node" "$VIP" || fail "$VIP is not configured on $node, where Pacemaker runs vip"
    ! has_addr "$other" "$VIP" || fail "$VIP is still configured on $other after the group left it"
    if [ -n "$FS_RA" ]; then
        lab exec "$node" findmnt -n "$MNT" >/dev/null || fail "$MNT is not mounted on $node"
        ! lab exec "$other" findmnt -n "$MNT" >/dev/null || fail "$MNT is still mounted on $other"
    fi
}
check_active "$A" "$B"
timed "$VIP answers on $A"
[ -z "$FS_RA" ] || lab exec "$A" sh -c "echo written-on-$A > $MNT/marker"

for target in "$B" "$A"; do
    if [ "$target" = "$A" ]; then from=$B; else from=$A; fi
    mark
    on_any crm resource move g "$target" >/dev/null 2>&1 || fail "'crm resource move g $target' failed"
    wait_for 30 "vip to move to $target" running_on vip "$target"
    [ -z "$FS_RA" ] || wait_for 30 "fs to move to $target" running_on fs "$target"
    check_active "$target" "$from"
    timed "moved $from -> $target, $VIP answers"
    if [ -n "$FS_RA" ]; then
        got=$(lab exec "$target" cat "$MNT/marker") || fail "cannot read $MNT/marker on $target"
        [ "$got" = "written-on-$A" ] || fail "$MNT/marker on $target says '$got', expected 'written-on-$A'"
    fi
done
on_any crm resource clear g >/dev/null 2>&1 || fail "'crm resource clear g' failed"
on_any crm_mon -1 | sed -n '/Node List/,$p'
step "scenario done"
