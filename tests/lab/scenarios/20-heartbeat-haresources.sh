#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 20: heartbeat v1 (heartbeat 3.0.6, `crm off`) runs the seeds' haresources lines with our
# agents: `node1 IPaddr::A/27/BCAST IPaddr2::B/27/eth0` and `node1 C Filesystem::LOOP::/srv/data::
# ext4::noatime`, each agent linked into /etc/ha.d/resource.d/ the way an admin installs it. Both
# groups start on node1 with the netmask, broadcast and mount options the lines give, the addresses
# answer from outside, and `status` tells heartbeat who holds what ("running"/"stopped").
#
# Variables: AGENTS_DIR/FENCE_DIR or RUSTHA_BIN (our agents, see ours.sh), HB_LAB_NET (10.250.7).
set -euo pipefail
export SCENARIO=s20-heartbeat-haresources
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/hb.sh"
require_root

hb_prepare
step "hb-lab up (heartbeat on node1 and node2, haresources above)"
lab up --haresources "$HARESOURCES" --agents-dir "$AGENTS_DIR"
timed "heartbeat: node1 and node2 active"
for n in node1 node2; do
    link=$(timeout 5 "$LAB" exec "$n" readlink /etc/ha.d/resource.d/IPaddr /etc/ha.d/resource.d/IPaddr2 /etc/ha.d/resource.d/Filesystem) ||
        fail "resource.d on $n has no links to our agents"
    [ "$link" = "$(printf '%s\n' "$AGENTS_DIR/IPaddr" "$AGENTS_DIR/IPaddr2" "$AGENTS_DIR/Filesystem")" ] ||
        fail "resource.d on $n does not point at our agents: $link"
done

wait_active node1 node2 40 "initial resource acquisition"
timed "both groups acquired on node1 (heartbeat waits initdead 10 s before acquiring)"
grep -q "Running /etc/ha.d/*resource.d/IPaddr $VIP1/27/$LAB_NET.31 start" "$LAB_DIR/node1/ha-log" ||
    fail "heartbeat's log on node1 does not show it running resource.d/IPaddr $VIP1/27/$LAB_NET.31 start"
grep -q "Running /etc/ha.d/*resource.d/Filesystem $LOOP /srv/data ext4 noatime start" "$LAB_DIR/node1/ha-log" ||
    fail "heartbeat's log on node1 does not show it running resource.d/Filesystem $LOOP /srv/data ext4 noatime start"
# the address without a netmask takes the netmask of the route it falls in (heartbeat's rule)
timeout 5 "$LAB" exec node1 ip -o -4 addr show dev eth0 | awk '{print "    " $4, $5, $6}'
timeout 5 "$LAB" exec node1 findmnt -n -o SOURCE,TARGET,FSTYPE,OPTIONS /srv/data | sed 's/^/    /'

check_status node1 node2
timed "status checks"
step "scenario done"
