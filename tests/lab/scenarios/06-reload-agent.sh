#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 6: Pacemaker reloads our agents instead of restarting them when only reloadable
# parameters change (OCF 1.1 reload-agent). A 2-node cluster (fence none) runs a group of an
# ocf:rustha:Filesystem on a shared loop device and an ocf:rustha:IPaddr2 VIP.
#   1. Reloadable changes (`crm resource param fs set signal_delay 2`, `... vip set arp_count 3`):
#      the node's pacemaker.log has an ok reload-agent result for fs and for vip, and no stop or start
#      of either after the change; the mount (its mountinfo line, mount ID included) and the address
#      stay as they were, on the same node.
#   2. A non-reloadable change (`crm resource param fs set options noatime`): fs and vip are stopped
#      and started again (no reload-agent), and the file system is now mounted with noatime.
#
# Variables: AGENTS_DIR, FENCE_DIR, RUSTHA_BIN (see ours.sh), VIP (default 10.250.3.50).
set -euo pipefail
export SCENARIO=s6-reload-agent
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/ours.sh"
require_root
our_agents
lab_up_opts
VIP=${VIP:-$LAB_NET.50}

step "lab up 2 --fence none (our agents mounted)"
lab up 2 --fence none "${LAB_UP_OPTS[@]}"
timed "cluster online"

shared_disk

{
    echo "primitive fs ocf:rustha:Filesystem params device=$LOOP directory=$MNT fstype=ext4 op monitor interval=10s"
    echo "primitive vip ocf:rustha:IPaddr2 params ip=$VIP cidr_netmask=24 op monitor interval=5s"
    echo "group g fs vip"
} >"$LAB_DIR/config.crm"
on_any crm configure load update "$LAB_DIR/config.crm" 2>&1 | grep -v 'Blind faith' || true
wait_for 30 "vip to start" is_running vip
A=$(locate vip)
running_on fs "$A" || fail "fs runs on '$(locate fs)', expected $A (same group as vip)"
timed "group started on $A"
LOG=$LAB_DIR/$A/log/pacemaker.log
[ -f "$LOG" ] || fail "no Pacemaker log at $LOG"
LOGS=("$LAB_DIR"/node*/log/pacemaker.log)

# mount_line: the mountinfo line of $MNT on $A (mount ID, options): a new mount changes it
# shellcheck disable=SC2016 # (awk's $5, not the shell's)
mount_line() { lab exec "$A" awk -v d="$MNT" '$5 == d' /proc/self/mountinfo; }
# ops_after NS RSC OPS: some node's Pacemaker log has a "Result of OP operation for RSC" line (OP in
# the ERE OPS) at or after NS
ops_after() {
    local t
    t=$(first_log_after "$1" "Result of ($3) operation for $2 on " "${LOGS[@]}")
    [ -n "$t" ]
}
# settled: the cluster has no pending actions
settled() { on_any crm_resource --wait --timeout=20s; }

mount0=$(mount_line)
[ -n "$mount0" ] || fail "$MNT is not mounted on $A"
has_addr "$A" "$VIP" || fail "$VIP is not on $A"

# 1. reloadable parameters: reload-agent, no restart
T1=$(date +%s%N)
mark
on_any crm resource param fs set signal_delay 2 >/dev/null 2>&1 || fail "'crm resource param fs set signal_delay 2' failed"
on_any crm resource param vip set arp_count 3 >/dev/null 2>&1 || fail "'crm resource param vip set arp_count 3' failed"
# a reload or a restart of each (a stop right away tells that Pacemaker restarts instead)
wait_for 20 "a reload-agent (or a stop) of fs" ops_after "$T1" fs 'reload-agent|stop'
wait_for 20 "a reload-agent (or a stop) of vip" ops_after "$T1" vip 'reload-agent|stop'
settled || fail "the cluster did not settle after the reloads"
for r in fs vip; do
    ! ops_after "$T1" "$r" 'stop|start' ||
        fail "$r was restarted after a reloadable change: $(grep -hE "Result of (stop|start) operation for $r " "${LOGS[@]}" | tail -n 2)"
    t=$(first_log_after "$T1" "Result of reload-agent operation for $r on $A: ok" "$LOG")
    [ -n "$t" ] || fail "the reload-agent of $r did not succeed: $(grep "reload-agent operation for $r" "$LOG" | tail -n 1)"
done
timed "Pacemaker ran reload-agent for fs and vip on $A, and stopped or started neither"
grep -E "Result of reload-agent operation for (fs|vip) on " "$LOG" | tail -n 2 | sed 's/^/    /'
if ! running_on fs "$A" || ! running_on vip "$A"; then
    fail "the group left $A after a reload (fs on '$(locate fs)', vip on '$(locate vip)')"
fi
[ "$(mount_line)" = "$mount0" ] || fail "the mount of $MNT changed on a reload: '$mount0' -> '$(mount_line)'"
has_addr "$A" "$VIP" || fail "$VIP is gone from $A after a reload"
for kv in "fs signal_delay 2" "vip arp_count 3"; do
    read -r r p v <<<"$kv"
    got=$(on_any crm_resource -r "$r" -g "$p" 2>/dev/null) || fail "cannot read $r's $p"
    [ "$got" = "$v" ] || fail "$r's $p is '$got', expected $v"
done
timed "mount and address untouched, new values in the CIB"

# 2. a non-reloadable parameter: a restart
T2=$(date +%s%N)
on_any crm resource param fs set options noatime >/dev/null 2>&1 || fail "'crm resource param fs set options noatime' failed"
for r in fs vip; do
    wait_for 30 "$r to be stopped and started again" ops_after "$T2" "$r" 'stop'
done
wait_for 30 "fs to run again" is_running fs
wait_for 30 "vip to run again" is_running vip
settled || fail "the cluster did not settle after the restart"
for r in fs vip; do
    ops_after "$T2" "$r" 'start' || fail "$r was stopped but not started again"
    ! ops_after "$T2" "$r" 'reload-agent' || fail "$r got a reload-agent for a non-reloadable change (options)"
done
A=$(locate fs)
out_has '(^|,)noatime(,|$)' lab exec "$A" findmnt -n -o OPTIONS "$MNT" || fail "$MNT on $A is not mounted with noatime after the restart"
timed "options changed: fs and vip restarted on $A, $MNT mounted with noatime"
step "scenario done"
