#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 24: a cman cluster.conf (tools/migrate/tests/data/cluster.conf, in the style of the Node
# Assassin seed: fence_na with per-node `port="0N" action="off"`, failover domains, services with
# <ip>/<fs>) moved to Pacemaker by `rustha-migrate cluster-conf --pcs`; the pcs commands it prints
# run inside the Pacemaker lab (our agents, na-sim, without the lab's own fence device). Service web
# (fs + ip, ordered domain node1 > node2) starts on node1, db (restricted to node2) on node2; the
# fence device has pcmk_host_map from the ports and reboots by powering off (action=off). Fencing
# node1 with it leaves node1 held off and web moves to node2.
#
# Variables: AGENTS_DIR/FENCE_DIR or RUSTHA_BIN (see ours.sh), RUSTHA_MIGRATE.
set -euo pipefail
export SCENARIO=s24-migrate-cluster-conf
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/migrate.sh"
migrate_prepare
SRC=$(readlink -f "$(dirname "${BASH_SOURCE[0]}")/../../../tools/migrate/tests/data/cluster.conf")

step "lab up 2 --fence na (our agents), without the lab's fence device"
lab_up_na_bare
timed "cluster online"
shared_disk
# the seed-style file with this lab's shared disk and mount point
sed -e "s|/dev/loop7|$LOOP|" -e "s|/srv/data|$MNT|" -e "s|10\.250\.3\.|$LAB_NET.|g" "$SRC" >"$LAB_DIR/cluster.conf"
rc=0
"$MIGRATE" cluster-conf --pcs "$LAB_DIR/cluster.conf" >"$LAB_DIR/migrate.sh" 2>"$LAB_DIR/migrate.err" || rc=$?
sed 's/^/    /' "$LAB_DIR/migrate.sh"
sed 's/^/    /' "$LAB_DIR/migrate.err"
[ "$rc" = 0 ] || fail "rustha-migrate exited $rc"
grep -q 'crm_verify accepts it' "$LAB_DIR/migrate.err" || fail "rustha-migrate did not report crm_verify's check"
! grep '^pcs ' "$LAB_DIR/migrate.sh" | grep -q 'secret' || fail "the fence password is on a pcs command line"
timed "translated"

out=$(timeout 180 "$LAB" exec node1 bash -e "$LAB_DIR/migrate.sh" 2>&1) || fail "the pcs commands failed: $(tail -n 3 <<<"$out")"
timed "pcs commands run"
wait_for 40 "web on node1" group_on web node1
wait_for 40 "db on node2" group_on db node2
timed "web on node1, db on node2 (their failover domains)"
for v in "$LAB_NET.60" "$LAB_NET.61"; do wait_for 10 "$v to answer from the hub" answers "$v"; done
[ "$(timeout 5 "$LAB" exec node1 findmnt -n -o SOURCE "$MNT")" = "$LOOP" ] || fail "$MNT is not mounted on node1"
wait_for 30 "fence_motoko (fence_na) to start" fence_started fence_na
fence_device_for fence_motoko node1 || fail "fence_motoko cannot fence node1"
fence_device_for fence_motoko node2 || fail "fence_motoko cannot fence node2"
cfg=$(timeout 20 "$LAB" exec node1 crm_resource --resource fence_motoko --query-xml 2>&1) || fail "cannot read fence_motoko: $cfg"
grep -q 'name="pcmk_host_map" value="node1:01;node2:02"' <<<"$cfg" || fail "fence_motoko has no pcmk_host_map from the ports: $cfg"
grep -q 'name="pcmk_reboot_action" value="off"' <<<"$cfg" || fail "fence_motoko does not power off (cman's action=off)"
grep -q 'name="password" value="secret"' <<<"$cfg" || fail "fence_motoko's password was not set by the cibadmin step"
timed "addresses answer; fence_motoko fences both nodes by powering them off"

step "fencing node1 (a reboot request: action=off keeps it off)"
out=$(timeout 60 "$LAB" exec node2 stonith_admin --reboot node1 --tolerance 5s 2>&1) || fail "stonith_admin --reboot node1 failed: $out"
wait_for 20 "node1 to be powered off" out_has '^off$' "$LAB" power node1 status
wait_for 40 "web to move to node2" group_on web node2
wait_for 10 "$LAB_NET.60 to answer from node2" answers "$LAB_NET.60"
sleep 3
[ "$(lab power node1 status)" = off ] || fail "node1 came back on: the fence rebooted it instead of powering it off"
timed "node1 held off, web runs on node2 and answers"
on_any crm_mon -1 | sed -n '/Node List/,$p'
step "scenario done"
