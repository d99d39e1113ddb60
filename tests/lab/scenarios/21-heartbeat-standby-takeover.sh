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

step "hb_standby on node1"
timeout 20 "$LAB" exec node1 /usr/share/heartbeat/hb_standby >/dev/null 2>&1 || fail "hb_standby failed on node1"
wait_active node2 node1 30 "hb_standby to move the groups to node2"
timed "both groups on node2, addresses answer"
check_status node2 node1
[ "$(timeout 5 "$LAB" exec node2 cat /srv/data/probe)" = written-on-node1 ] || fail "node2 does not read what node1 wrote"
timeout 5 "$LAB" exec node2 sh -c 'echo written-on-node2 >/srv/data/probe' || fail "cannot write to /srv/data on node2"
mark

step "hb_takeover on node1"
timeout 20 "$LAB" exec node1 /usr/share/heartbeat/hb_takeover >/dev/null 2>&1 || fail "hb_takeover failed on node1"
wait_active node1 node2 30 "hb_takeover to bring the groups back to node1"
timed "both groups back on node1, addresses answer"
check_status node1 node2
[ "$(timeout 5 "$LAB" exec node1 cat /srv/data/probe)" = written-on-node2 ] || fail "node1 does not read what node2 wrote"
grep -q "Releasing resource group: node1 $VIP3 Filesystem::$LOOP" "$LAB_DIR/node2/ha-log" ||
    fail "node2's heartbeat log does not show it releasing the file system group"
step "scenario done"
