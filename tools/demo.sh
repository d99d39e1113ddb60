#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: build and install rustha, then run a 2-node Corosync/Pacemaker cluster (in network
# namespaces on this machine) whose resources and fencing are rustha's agents:
#   group g = ocf:rustha:Filesystem (a shared loop device) + ocf:rustha:IPaddr2 (a VIP),
#   fencing by fence_na against na-sim, a simulated Node Assassin that holds each node's power.
# It shows crm_mon, moves the group, crashes the active node and shows the fence and the failover
# with timings, then tears everything down. About a minute.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$HOME/.cargo/bin:$PATH"
TOP=$PWD

bold() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

bold "Building and installing the agents (make install)"
make -s install >/dev/null
echo "installed: $(ls /usr/lib/ocf/resource.d/rustha | tr '\n' ' ')/usr/sbin/fence_na /usr/bin/na-sim"

export SCENARIO=demo LAB_DIR=/tmp/rustha-demo
# shellcheck source=tests/lab/scenarios/lib.sh
. "$TOP/tests/lab/scenarios/lib.sh"
require_root
VIP=$LAB_NET.50
AGENTS_DIR=/usr/lib/ocf/resource.d/rustha


bold "Starting a 2-node cluster: corosync + pacemaker per node, na-sim as the fence device"
step "lab up 2"
lab up 2 --fence na --fence-agent fence_na --agents-dir "$AGENTS_DIR"
timed "both nodes online with a DC"
shared_disk # the disk both nodes see; each mounts it itself

bold "Configuring: group g = Filesystem ($LOOP on $MNT) + IPaddr2 ($VIP)"
cat >"$LAB_DIR/config.crm" <<EOT
rsc_defaults resource-stickiness=100
primitive fs ocf:rustha:Filesystem params device=$LOOP directory=$MNT fstype=ext4 \
    op monitor interval=10s op monitor interval=30s OCF_CHECK_LEVEL=20
primitive vip ocf:rustha:IPaddr2 params ip=$VIP cidr_netmask=24 op monitor interval=5s
group g fs vip
EOT
sed 's/^/    /' "$LAB_DIR/config.crm"
on_any crm configure load update "$LAB_DIR/config.crm" >/dev/null 2>&1 || fail "crm configure load failed"
wait_for 30 "the group to start" is_running vip
wait_for 10 "$VIP to answer" answers "$VIP"
A=$(locate vip)
timed "group started on $A; $VIP answers from outside the cluster"
wait_for 30 "the fence device to start" fence_started fence_na
on_any crm_mon -1 | sed -n '/Node List/,$p' | sed 's/^/    /'

B=node1
[ "$A" != node1 ] || B=node2
bold "Moving the group: crm resource move g $B"
mark
on_any crm resource move g "$B" >/dev/null 2>&1 || fail "crm resource move failed"
wait_for 30 "vip to run on $B" running_on vip "$B"
wait_for 10 "$VIP to answer on $B" answers "$VIP"
timed "group moved $A -> $B; $VIP answers"
on_any crm resource clear g >/dev/null 2>&1 || true

bold "Crashing $B (its processes are killed, as if the power failed)"
T_CRASH=$(date +%s%N)
rel() { local d=$(($(date +%s%N) - T_CRASH)); printf '%d.%02d' $((d / 1000000000)) $((d / 10000000 % 100)); }
lab power "$B" off
mark
fenced='' moved=''
end=$((T_CRASH + 90 * 1000000000))
while [ -z "$fenced" ] || [ -z "$moved" ]; do
    (($(date +%s%N) < end)) || fail "no failover within 90 s of the crash"
    if [ -z "$fenced" ] && timeout 5 "$LAB" exec "$A" stonith_admin --history "$B" 2>/dev/null | grep -Eq "(reboot|off) of $B successful"; then
        fenced=1
        printf '    [%6ss after crash] %s fenced by fence_na through na-sim\n' "$(rel)" "$B"
    fi
    if [ -z "$moved" ] && running_on vip "$A" && answers "$VIP"; then
        moved=1
        printf '    [%6ss after crash] group running on %s, %s answers\n' "$(rel)" "$A" "$VIP"
    fi
    sleep 0.2
done
timeout 5 "$LAB" exec "$A" stonith_admin --history "$B" 2>/dev/null | sed 's/^/    /' | head -n 3
on_any crm_mon -1 | sed -n '/Node List/,$p' | sed 's/^/    /'

bold "Tearing down"
step "demo done"
