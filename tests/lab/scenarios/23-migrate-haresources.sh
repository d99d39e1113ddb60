#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 23: a heartbeat v1 configuration moved to Pacemaker by rustha-migrate. haresources with
# the seeds' lines (one group preferring node1, one preferring node2, our IPaddr, IPaddr2 and
# Filesystem) and an ha.cf with auto_failback on and `stonith_host * external/fence_na ...` go
# through `rustha-migrate haresources --ha-cf` (crm text, checked by crm_verify); `crm configure
# load update` puts it into the Pacemaker lab (our agents, na-sim, without the lab's own fence
# device). Each group starts on its line's node and answers from outside; the fence device from
# stonith_host is started and can fence both nodes; fencing node2 with it powers node2 off through
# the Node Assassin and its group moves to node1.
#
# Variables: AGENTS_DIR/FENCE_DIR or RUSTHA_BIN (see ours.sh), RUSTHA_MIGRATE.
set -euo pipefail
export SCENARIO=s23-migrate-haresources
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/migrate.sh"
migrate_prepare

step "lab up 2 --fence na (our agents), without the lab's fence device"
lab_up_na_bare
timed "cluster online"
shared_disk
V1=$LAB_NET.53 V2=$LAB_NET.54 V3=$LAB_NET.55
cat >"$LAB_DIR/haresources" <<EOT
# the seeds' lines with the lab's addresses; the second group prefers node2
node1 IPaddr::$V1/27/$LAB_NET.63 IPaddr2::$V2/27/eth0
node2 $V3 Filesystem::$LOOP::$MNT::ext4::noatime
EOT
cat >"$LAB_DIR/ha.cf" <<EOT
keepalive 1
deadtime 5
initdead 10
ucast eth0 $LAB_NET.2
auto_failback on
crm off
node node1
node node2
stonith_host * external/fence_na node1:1,node2:2 $LAB_NET.200 238 - - -
EOT
rc=0
"$MIGRATE" haresources --ha-cf "$LAB_DIR/ha.cf" "$LAB_DIR/haresources" >"$LAB_DIR/config.crm" 2>"$LAB_DIR/migrate.err" || rc=$?
sed 's/^/    /' "$LAB_DIR/config.crm"
sed 's/^/    /' "$LAB_DIR/migrate.err"
[ "$rc" = 0 ] || fail "rustha-migrate exited $rc"
grep -q 'crm_verify accepts it' "$LAB_DIR/migrate.err" || fail "rustha-migrate did not report crm_verify's check"
G1=group_ip_$(echo "$V1" | tr . _) G2=group_ip_$(echo "$V3" | tr . _)
timed "translated"

out=$(on_any crm configure load update "$LAB_DIR/config.crm" 2>&1) || fail "crm configure load update failed: $out"
wait_for 40 "$G1 on node1" group_on "$G1" node1
wait_for 40 "$G2 on node2" group_on "$G2" node2
timed "both groups started where haresources put them"
for v in "$V1" "$V2" "$V3"; do wait_for 10 "$v to answer from the hub" answers "$v"; done
has_addr node1 "$V1" && has_addr node1 "$V2" && has_addr node2 "$V3" || fail "the addresses are not where the groups run"
out_has " inet $V1/27 brd $LAB_NET.63 " timeout 5 "$LAB" exec node1 ip -o addr show || fail "$V1 lacks the /27 and broadcast .63 of its haresources line"
[ "$(timeout 5 "$LAB" exec node2 findmnt -n -o SOURCE "$MNT")" = "$LOOP" ] || fail "$MNT is not mounted on node2"
wait_for 30 "st_fence_na (fence_na from stonith_host) to start" fence_started fence_na
fence_device_for st_fence_na node1 || fail "Pacemaker does not list st_fence_na as able to fence node1"
fence_device_for st_fence_na node2 || fail "Pacemaker does not list st_fence_na as able to fence node2"
timed "addresses answer; st_fence_na started and fences node1 and node2"

step "fencing node2 with the migrated device"
out=$(timeout 60 "$LAB" exec node1 stonith_admin --fence node2 --tolerance 5s 2>&1) || fail "stonith_admin --fence node2 failed: $out"
wait_for 20 "node2 to be powered off" out_has '^off$' "$LAB" power node2 status
hist=$(timeout 10 "$LAB" exec node1 stonith_admin --history node2 2>&1) || true
grep -Eq "(off|reboot) of node2 successful" <<<"$hist" || fail "stonith history of node2 shows no success: $hist"
grep -q 'st_fence_na' <<<"$(timeout 10 "$LAB" exec node1 stonith_admin --history node2 --verbose 2>&1)" ||
    echo "    (the history does not name the device; it is the only one configured)"
wait_for 40 "$G2 to move to node1" group_on "$G2" node1
wait_for 10 "$V3 to answer from node1" answers "$V3"
timed "node2 fenced (held off by the Node Assassin), $G2 runs on node1 and answers"
on_any crm_mon -1 | sed -n '/Node List/,$p'
step "scenario done"
