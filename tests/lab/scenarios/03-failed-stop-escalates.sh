#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 3: a failed stop escalates to fencing, and the group recovers on the survivor.
# 2 nodes (two_node), fencing by fence_na through na-sim, a group g = Filesystem (shared loop device)
# + IPaddr2 VIP. On the active node A a process that ignores SIGTERM keeps the mount busy (its cwd is
# in the mount); the Filesystem has term_signals=TERM, kill_signals=CONT (harmless) and a 5 s stop
# timeout, so its stop cannot unmount. `crm resource move g B` then: the stop of fs on A fails with
# our exit reason ("Couldn't unmount ...; held by pid ... (sleep)"), Pacemaker fences A through
# fence_na (na-sim powers it off; stonith-action=off), the group starts on B, the VIP answers from
# outside, the mount is on B with the data written on A; A, powered on again, rejoins without the
# mount, the VIP or the holder, and the group stays on B.
#
# Variables: RA (default ocf:rustha:IPaddr2), FS_RA (default ocf:rustha:Filesystem), NA_AGENT
# (default fence_na), AGENTS_DIR, FENCE_DIR, RUSTHA_BIN (see ours.sh), VIP (default 10.250.3.50),
# KILL_SIGNALS (default CONT; KILL lets the stop succeed, and the scenario then fails: a control).
# The exit-reason checks are written for ocf:rustha:Filesystem ("Couldn't unmount DIR: ...; held by
# pid N (COMM): ...").
set -euo pipefail
export SCENARIO=s3-failed-stop-escalates
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/ours.sh"
require_root

RA=${RA:-ocf:rustha:IPaddr2}
FS_RA=${FS_RA:-ocf:rustha:Filesystem}
FENCE_AGENT=${NA_AGENT:-fence_na}
VIP=${VIP:-$LAB_NET.50}
STOP_TIMEOUT=5
KILL_SIGNALS=${KILL_SIGNALS:-CONT} # KILL: the stop succeeds and this scenario must fail (a control)
check_ra "$RA"
check_ra "$FS_RA"
our_agents
lab_up_opts
echo "RA=$RA FS_RA=$FS_RA fence $FENCE_AGENT + na-sim"

step "lab up 2 --fence na --fence-agent $FENCE_AGENT"
lab up 2 --fence na --fence-agent "$FENCE_AGENT" "${LAB_UP_OPTS[@]}"
timed "cluster online"
shared_disk

cat >"$LAB_DIR/config.crm" <<EOT
property stonith-action=off
rsc_defaults resource-stickiness=100
primitive fs $FS_RA params device=$LOOP directory=$MNT fstype=ext4 \
    term_signals=TERM kill_signals=$KILL_SIGNALS signal_delay=1 \
    op monitor interval=10s op stop timeout=${STOP_TIMEOUT}s interval=0
primitive vip $RA params ip=$VIP cidr_netmask=24 op monitor interval=5s
group g fs vip
EOT
on_any crm configure load update "$LAB_DIR/config.crm" >/dev/null 2>&1 || fail "crm configure load failed"
wait_for 30 "vip to start" is_running vip
A=$(locate vip)
running_on fs "$A" || fail "fs runs on '$(locate fs)', expected $A (same group as vip)"
wait_for 10 "$VIP to answer from the hub" answers "$VIP"
wait_for 30 "the fence device ($FENCE_AGENT) to start" fence_started "$FENCE_AGENT"
timed "group started on $A, $VIP answers, fence device started"
B=node1
[ "$A" != node1 ] || B=node2
lab exec "$A" sh -c "echo written-on-$A > $MNT/marker"

# The holder: inside A's namespaces, cwd in the mount, SIGTERM ignored (kept across exec).
HOLD=86399
setsid "$LAB" exec "$A" sh -c "cd $MNT && trap '' TERM && exec sleep $HOLD" </dev/null >/dev/null 2>&1 &
holder=$!
disown "$holder"
CLEANUP_HOOKS+=("kill $holder 2>/dev/null")
holder_in_mount() {
    local p ign
    p=$(timeout 5 "$LAB" exec "$A" pgrep -x -f "sleep $HOLD") || return 1
    [ "$(timeout 5 "$LAB" exec "$A" readlink "/proc/$p/cwd")" = "$MNT" ] || return 1
    ign=$(timeout 5 "$LAB" exec "$A" sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$p/status") || return 1
    (((16#$ign >> 14) & 1)) # SIGTERM (15) is bit 14
}
wait_for 10 "the holder (sleep $HOLD, cwd $MNT, TERM ignored) on $A" holder_in_mount
hpid=$(lab exec "$A" pgrep -x -f "sleep $HOLD")
timed "holder pid $hpid (in $A) keeps $MNT busy and ignores SIGTERM"

pid_before=$(cat "$LAB_DIR/$A/pid")
# a process that exists and is not a zombie
proc_alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
T_MOVE=$(date +%s%N)
rel() { local d=$(($1 - T_MOVE)); printf '%d.%02d' $((d / 1000000000)) $((d / 10000000 % 100)); }
step "crm resource move g $B (the stop of fs on $A cannot unmount)"
on_any crm resource move g "$B" >/dev/null 2>&1 || fail "'crm resource move g $B' failed"

t_off='' t_vip=''
end=$((T_MOVE + 60 * 1000000000))
while [ -z "$t_off" ] || [ -z "$t_vip" ]; do
    (($(date +%s%N) < end)) || fail "timed out 60 s after the move: $A off='$t_off' vip answers on $B='$t_vip'"
    if [ -z "$t_off" ] && { [ "$(cat "$LAB_DIR/$A/pid")" != "$pid_before" ] || ! proc_alive "$pid_before"; }; then
        line=$(grep ' power off$' "$LAB_DIR/$A/boot.log" | tail -n 1)
        [ -n "$line" ] || fail "$A's power process died without a power off (see $LAB_DIR/$A/boot.log)"
        t_off=$(date -d "${line% power off}" +%s%N)
        printf '[%6ss after move] %s powered off (fenced by %s through na-sim)\n' "$(rel "$t_off")" "$A" "$FENCE_AGENT"
    fi
    if [ -z "$t_off" ] && running_on fs "$B"; then
        fail "fs started on $B while $A is powered on: the stop on $A did not fail (kill_signals=$KILL_SIGNALS)"
    fi
    if [ -z "$t_vip" ] && running_on vip "$B" && answers "$VIP"; then
        t_vip=$(date +%s%N)
        printf '[%6ss after move] group on %s, %s answers\n' "$(rel "$t_vip")" "$B" "$VIP"
    fi
    sleep 0.1
done
mark
((t_off < t_vip)) || fail "the group answered on $B ($(rel "$t_vip")s) before $A was fenced ($(rel "$t_off")s)"

# the stop failed with our exit reason, and that was why Pacemaker fenced A
logs=("$LAB_DIR"/node[12]/log/pacemaker.log)
stopfail=$(grep -h "Result of stop operation for fs on $A: error" "${logs[@]}" | tail -n 1)
[ -n "$stopfail" ] || fail "no failed stop of fs on $A in the Pacemaker logs"
[[ $stopfail == *": error (Couldn't unmount $MNT"* ]] ||
    fail "the failed stop does not carry our exit reason (Couldn't unmount $MNT...): $stopfail"
# Pacemaker keeps 128 bytes of an exit reason; the executor logs the agent's whole line
full=$(grep -h "fs_stop_0.*ocf-exit-reason:" "$LAB_DIR/$A/log/pacemaker.log" | tail -n 1)
[[ $full == *"held by pid $hpid (sleep)"* ]] ||
    fail "our exit reason for the failed stop does not name the holder (pid $hpid, sleep): ${full:-no ocf-exit-reason line in the log of $A}"
reason=${stopfail#*: error (}
echo "    stop of fs on $A failed: ${reason%) | *}"
why=$(grep -h "Cluster node $A will be fenced: " "${logs[@]}" | head -n 1)
[[ $why == *"will be fenced: fs failed there"* ]] ||
    fail "the scheduler did not fence $A because of fs's failure: '${why:-no such log line}'"
echo "    scheduler: ${why#*warning: }"
grep -qE "Requesting fencing \((reboot|off)\) of node $A" "${logs[@]}" ||
    fail "Pacemaker never requested fencing of $A"
hist=$(timeout 10 "$LAB" exec "$B" stonith_admin --history "$A" 2>&1) || true
grep -Eq "(reboot|off) of $A successful" <<<"$hist" || fail "stonith history of $A shows no successful fence: $hist"
echo "    $(grep -E "of $A successful" <<<"$hist" | head -n 1)"
grep -q "node $(printf '%02d' "${A#node}") power off" "$LAB_DIR/na/na-sim.log" ||
    fail "na-sim's log ($LAB_DIR/na/na-sim.log) shows no power off of $A"

# the timeline, from the Pacemaker logs (ms) and A's power log
l_stop=$(first_log_after "$T_MOVE" "Result of stop operation for fs on $A: error" "${logs[@]}")
l_freq=$(first_log_after "$T_MOVE" "Requesting (peer )?fencing \([a-z]+\) (of node|targeting) $A" "${logs[@]}")
l_fdone=$(first_log_after "$T_MOVE" "Operation '[a-z]+' targeting $A by .*: OK" "${logs[@]}")
l_start=$(first_log_after "$T_MOVE" "Result of start operation for vip on $B: ok" "${logs[@]}")
if [ -n "$l_stop" ] && [ -n "$l_freq" ] && [ -n "$l_fdone" ] && [ -n "$l_start" ]; then
    echo "    s after the move: stop failed $(rel "$l_stop") (stop timeout ${STOP_TIMEOUT}s), fence requested $(rel "$l_freq"),"
    echo "    $A off $(rel "$t_off"), fence confirmed $(rel "$l_fdone"), vip started on $B $(rel "$l_start"), answers $(rel "$t_vip")"
fi

# the group is healthy on B: mount with A's data, address only there
running_on fs "$B" || fail "fs runs on '$(locate fs)', expected $B"
lab exec "$B" findmnt -n "$MNT" >/dev/null || fail "$MNT is not mounted on $B"
got=$(lab exec "$B" cat "$MNT/marker") || fail "cannot read $MNT/marker on $B"
[ "$got" = "written-on-$A" ] || fail "$MNT/marker on $B says '$got', expected 'written-on-$A'"
has_addr "$B" "$VIP" || fail "$VIP is not configured on $B"
timed "group recovered on $B: $MNT mounted with $A's data, $VIP answers"

# A stays off (stonith-action=off: a node rebooted in 2 s rejoins before the fencer has announced
# the result, and Pacemaker then shuts it down for good, "We were allegedly just fenced"). The
# administrator powers it on; it rejoins clean.
[ "$(lab power "$A" status)" = off ] || fail "$A is powered on after a fence with stonith-action=off"
lab power "$A" on
wait_for 60 "$A to rejoin" node_online "$A"
! lab exec "$A" findmnt -n "$MNT" >/dev/null || fail "$MNT is mounted on $A after its reboot"
! has_addr "$A" "$VIP" || fail "$VIP is configured on $A after its reboot"
! lab exec "$A" pgrep -x -f "sleep $HOLD" >/dev/null || fail "the holder survived $A's fence"
running_on vip "$B" || fail "vip left $B after $A rejoined"
timed "$A powered on and rejoined without the mount, the address or the holder"
on_any crm resource clear g >/dev/null 2>&1 || fail "'crm resource clear g' failed"
sleep 2
running_on vip "$B" || fail "vip left $B after 'crm resource clear g' (stickiness 100 should keep it)"
on_any crm_mon -1 | sed -n '/Node List/,$p'
step "scenario done"
