#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 21: heartbeat v1 moves the seeds' resource groups (scenario 20's haresources, our agents)
# by hand: `hb_standby` on node1 hands both groups to node2, `hb_takeover` on node1 takes them back.
# After each move the service addresses answer from outside the cluster, only the active node holds
# the addresses and the mount, heartbeat's status checks agree, and a file written on one node is
# read on the other. Each move is timed.
#
# Variables: AGENTS_DIR/FENCE_DIR or RUSTHA_BIN (our agents, see ours.sh), HB_LAB_NET (10.250.7).
set -euo pipefail
export SCENARIO=s21-heartbeat-standby-takeover
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/hb.sh"
require_root

hb_prepare
step "hb-lab up"
lab up --haresources "$HARESOURCES" --agents-dir "$AGENTS_DIR"
wait_active node1 node2 40 "initial resource acquisition"
timed "both groups on node1"
timeout 5 "$LAB" exec node1 sh -c 'echo written-on-node1 >/srv/data/probe' || fail "cannot write to /srv/data on node1"

# move COMMAND TO FROM: COMMAND (run on node1) moves both groups to TO; they answer there, heartbeat
# agrees, and TO reads what FROM wrote on the shared file system, then writes its own mark
move() {
    local cmd=$1 to=$2 from=$3
    step "$cmd on node1"
    timeout 20 "$LAB" exec node1 "/usr/share/heartbeat/$cmd" >/dev/null 2>&1 || fail "$cmd failed on node1"
    wait_active "$to" "$from" 30 "$cmd to move the groups to $to"
    timed "both groups on $to, addresses answer"
    check_status "$to" "$from"
    [ "$(timeout 5 "$LAB" exec "$to" cat /srv/data/probe)" = "written-on-$from" ] || fail "$to does not read what $from wrote"
    timeout 5 "$LAB" exec "$to" sh -c "echo written-on-$to >/srv/data/probe" || fail "cannot write to /srv/data on $to"
    mark
}
move hb_standby node2 node1
move hb_takeover node1 node2
grep -q "Releasing resource group: node1 $VIP3 Filesystem::$LOOP" "$LAB_DIR/node2/ha-log" ||
    fail "node2's heartbeat log does not show it releasing the file system group"
step "scenario done"
