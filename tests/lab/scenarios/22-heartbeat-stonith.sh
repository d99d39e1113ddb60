#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 22: heartbeat v1 with STONITH. Scenario 20's haresources with our agents, `auto_failback
# off`, and `stonith_host * external/fence_na ...` in ha.cf: heartbeat fences through cluster-glue's
# external/ plugin interface with our fence_na, against na-sim holding both nodes' power. The active
# node (node1) dies at once (its namespaces are killed); node2 declares it dead after deadtime (5 s),
# resets it through the Node Assassin (off, then on: node1 boots again), and only then takes both
# groups over; the addresses answer from outside. node1 boots again (after hb-lab's reboot delay, a
# real server's POST) and rejoins without taking the groups back. Each step is timed from the death
# and set against the seed's figure ("5-10 s; 30 s means something is wrong"), with heartbeat's
# deadtime reported apart. Then the Node Assassin goes
# away and node2 dies: node1 declares it dead, fence_na fails, heartbeat retries and takes nothing
# over (the addresses stay silent); when the Node Assassin is back, the next retry fences node2 and
# node1 takes both groups.
#
# Variables: AGENTS_DIR/FENCE_DIR or RUSTHA_BIN (our agents, see ours.sh), HB_LAB_NET (10.250.7).
set -euo pipefail
export SCENARIO=s22-heartbeat-stonith
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/hb.sh"
require_root

# node_status_is OBSERVER NODE STATUS: heartbeat on OBSERVER says NODE is STATUS (cl_status's
# exit code is not 0 for a dead node: only its word counts)
node_status_is() { [ "$(timeout 5 "$LAB" exec "$1" cl_status nodestatus "$2" 2>/dev/null)" = "$3" ]; }
stonith_failures_at_least() { (($(grep -c 'STONITH of node2 failed' "$LAB_DIR/node1/ha-log" || true) >= $1)); }

hb_prepare
step "hb-lab up --stonith --auto-failback off"
lab up --haresources "$HARESOURCES" --agents-dir "$AGENTS_DIR" --fence-dir "$FENCE_DIR" --stonith --auto-failback off
grep -q '^stonith_host \* external/fence_na ' "$LAB_DIR/node2/etc-ha.d/ha.cf" || fail "ha.cf has no stonith_host line"
[ "$(timeout 5 "$LAB" exec node2 readlink /usr/lib/stonith/plugins/external/fence_na)" = "$FENCE_DIR/fence_na" ] ||
    fail "external/fence_na on node2 is not our fence_na"
wait_active node1 node2 40 "initial resource acquisition"
timed "both groups on node1"
grep -q "Managed STONITH-stat process .* exited with return code 0" "$LAB_DIR/node2/ha-log" ||
    fail "heartbeat on node2 did not check the STONITH device successfully at start (see its ha-log)"
# the device's hosts as cluster-glue sees them
hosts=$(timeout 20 "$LAB" exec node2 stonith -t external/fence_na -p "$(sed -n 's/^stonith_host \* external\/fence_na //p' "$LAB_DIR/node2/etc-ha.d/ha.cf")" -l 2>&1) ||
    fail "stonith -l through the plugin failed: $hosts"
[ "$(echo "$hosts" | tr '\n' ' ')" = "node1 node2 " ] || fail "stonith -l lists '$hosts', expected node1 and node2"
power=$LAB_DIR/na/power/01
[ "$(cat "$power")" = on ] || fail "the Node Assassin does not show node1 powered ($power: $(cat "$power"))"

step "node1 dies (its namespaces are killed; the Node Assassin still sees its power on)"
T_KILL=$(date +%s%N)
lab kill node1
t_dead='' t_off='' t_on='' t_over=''
end=$((T_KILL + 60 * 1000000000))
while [ -z "$t_over" ] || [ -z "$t_on" ]; do
    (($(date +%s%N) < end)) || fail "timed out 60 s after the death: dead='$t_dead' fence off='$t_off' on='$t_on' takeover='$t_over'"
    now=$(date +%s%N)
    if [ -z "$t_dead" ] && node_status_is node2 node1 dead; then
        t_dead=$now
        printf '[%6ss after death] heartbeat on node2 declares node1 dead\n' "$(rel_s "$t_dead" "$T_KILL")"
    fi
    if [ -z "$t_off" ] && [ "$(cat "$power")" = off ]; then
        t_off=$now
        printf '[%6ss after death] fence_na: the Node Assassin holds node1 off\n' "$(rel_s "$t_off" "$T_KILL")"
    fi
    if [ -z "$t_on" ] && [ -n "$t_off" ] && [ "$(cat "$power")" = on ]; then
        t_on=$now
        printf '[%6ss after death] fence_na: node1 powered on again (reset = off + on)\n' "$(rel_s "$t_on" "$T_KILL")"
    fi
    if [ -z "$t_over" ] && holds node2 && all_answer; then
        t_over=$(date +%s%N)
        printf '[%6ss after death] both groups on node2, addresses answer\n' "$(rel_s "$t_over" "$T_KILL")"
    fi
    sleep 0.1
done
[ -n "$t_dead" ] || t_dead=$(ha_log_time node2 'WARN: node node1: is dead')
[ -n "$t_dead" ] || fail "heartbeat on node2 never declared node1 dead"
[ -n "$t_off" ] || fail "node1 was never fenced (the Node Assassin never held it off)"
((t_off < t_over)) || fail "node2 took the groups over before node1 was fenced"
log=$LAB_DIR/node2/ha-log
grep -q 'Resetting node node1 with \[fence_na' "$log" || fail "node2's log does not show heartbeat resetting node1 with fence_na"
grep -q 'node node1 now reset' "$log" || fail "node2's log does not show the reset of node1 confirmed"
reset_line=$(grep -n 'node node1 now reset' "$log" | head -n 1 | cut -d: -f1)
takeover_line=$(grep -n 'Taking over resource group' "$log" | head -n 1 | cut -d: -f1)
[ -n "$takeover_line" ] && ((reset_line < takeover_line)) || fail "node2's log shows the takeover before the confirmed reset"
mark

step "node1 boots again and rejoins; auto_failback off keeps the groups on node2"
wait_for 40 "node1 to rejoin (active as node2 sees it)" node_status_is node2 node1 active
timed "node1 rejoined"
sleep 3
active_on node2 node1 || fail "after node1 rejoined the groups are not (only) on node2"
! grep -q 'Both machines own' "$LAB_DIR"/node*/ha-log || fail "heartbeat reports both nodes holding the resources: $(grep -h 'Both machines own' "$LAB_DIR"/node*/ha-log | head -n 1)"
check_status node2 node1

ms() { echo "$((($2 - $1) / 1000000))"; }
echo "timings after node1's death: declared dead $(rel_s "$t_dead" "$T_KILL") s (heartbeat's deadtime: 5 s),"
echo "    fenced (held off) $(rel_s "$t_off" "$T_KILL") s, powered on again $(rel_s "$t_on" "$T_KILL") s, both groups answering on node2 $(rel_s "$t_over" "$T_KILL") s"
echo "split: detection $(ms "$T_KILL" "$t_dead") ms (deadtime 5 s), fencing until held off $(ms "$t_dead" "$t_off") ms,"
echo "    reset done and takeover until the addresses answer $(ms "$t_off" "$t_over") ms; after detection $(ms "$t_dead" "$t_over") ms"
after=$(((t_over - t_dead) / 1000000))
total=$(((t_over - T_KILL) / 1000000))
if ((total > 30000)); then
    fail "failover took ${total} ms: the seed's figure is 5-10 s, and 30 s means something is wrong"
fi
echo "seed: \"5-10 s; 30 s means something is wrong\": total ${total} ms, of which heartbeat's deadtime 5000 ms; ${after} ms after detection"
mark

# Without a working fence device there is no takeover: heartbeat retries STONITH and waits, and
# our fence_na must say it failed (never a false success). Then the device comes back.
step "the Node Assassin goes away; node2 (now active) dies"
lab na stop
failed_before=$(grep -c 'STONITH of node2 failed' "$LAB_DIR/node1/ha-log" || true)
T_KILL2=$(date +%s%N)
lab kill node2
wait_for 20 "node1 to declare node2 dead" node_status_is node1 node2 dead
printf '[%6ss after death] heartbeat on node1 declares node2 dead\n' "$(rel_s "$(date +%s%N)" "$T_KILL2")"
wait_for 30 "two failed STONITH attempts on node1" stonith_failures_at_least $((failed_before + 2))
printf '[%6ss after death] two STONITH attempts failed; node1 keeps retrying\n' "$(rel_s "$(date +%s%N)" "$T_KILL2")"
grep -q 'fence_na reset.* for host node2 failed' "$LAB_DIR/node1/ha-log" || fail "node1's log does not show fence_na's failure"
holds_none node1 || fail "node1 took resources over although node2 was never fenced"
for v in "$VIP1" "$VIP2" "$VIP3"; do silent "$v" || fail "$v answers although node2 is dead and unfenced"; done
timed "no takeover without a fence: node1 holds nothing, the addresses are silent"
step "the Node Assassin comes back"
lab na start
wait_for 30 "node1 to fence node2 and take both groups over" holds node1
wait_for 10 "the addresses to answer from node1" all_answer
grep -q 'node node2 now reset' "$LAB_DIR/node1/ha-log" || fail "node1's log does not show node2's reset"
timed "node2 fenced at the next retry; both groups on node1, addresses answer"
step "scenario done"
