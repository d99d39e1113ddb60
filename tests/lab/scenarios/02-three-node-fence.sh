#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 2: a 3-node cluster with IPMI fencing (one ipmi_sim BMC per node, whose power command is
# the node). Cut the active node's link: the survivors see it lost, Pacemaker fences it through
# FENCE_AGENT (the BMC kills and reboots it), the VIP restarts on a survivor and answers from
# outside, the fenced node powers back on; once the link is restored it rejoins. Each step's time is
# printed relative to the cut.
#
# Variables: RA (default ocf:heartbeat:IPaddr2), AGENTS_DIR (for ocf:rustha:*), FENCE_AGENT (default
# fence_ipmilan; e.g. fence_ipmilan_rs with FENCE_DIR), FENCE_DIR (a directory whose fence_* files
# the nodes see in /usr/sbin), VIP (default 10.250.3.50).
set -euo pipefail
export SCENARIO=s2-three-node-fence
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

RA=${RA:-ocf:heartbeat:IPaddr2}
FENCE_AGENT=${FENCE_AGENT:-fence_ipmilan}
VIP=${VIP:-$LAB_NET.50}
check_ra "$RA"
lab_up_opts
echo "RA=$RA FENCE_AGENT=$FENCE_AGENT${FENCE_DIR:+ FENCE_DIR=$FENCE_DIR}${AGENTS_DIR:+ AGENTS_DIR=$AGENTS_DIR}"

step "lab up 3 --fence ipmi --fence-agent $FENCE_AGENT"
lab up 3 --fence ipmi --fence-agent "$FENCE_AGENT" "${LAB_UP_OPTS[@]}"
timed "cluster online"

cat >"$LAB_DIR/config.crm" <<EOT
rsc_defaults resource-stickiness=100
primitive vip $RA params ip=$VIP cidr_netmask=24 op monitor interval=5s
EOT
on_any crm configure load update "$LAB_DIR/config.crm" >/dev/null 2>&1 || fail "crm configure load failed"
wait_for 30 "vip ($RA) to start" is_running vip
A=$(locate vip)
wait_for 10 "$VIP to answer from the hub" answers "$VIP"
timed "vip started on $A and answers"
for f in 1 2 3; do
    wait_for 30 "fence-node$f ($FENCE_AGENT) to start" is_running "fence-node$f"
done
timed "fence devices started"
S=node1 # a survivor to ask
[ "$A" != node1 ] || S=node2
pid_before=$(cat "$LAB_DIR/$A/pid")

# ns_of "YYYY-mm-dd HH:MM:SS.N" -> nanoseconds since the epoch
ns_of() { date -d "$1" +%s%N; }
rel() { local d=$(($1 - T_CUT)); printf '%d.%02d' $((d / 1000000000)) $((d / 10000000 % 100)); }

dc_xml=$(timeout 10 "$LAB" exec "$S" crm_mon -1 --output-as=xml 2>/dev/null) || dc_xml=""
DC=$(sed -n 's/.*<current_dc present="true".* name="\([^"]*\)".*/\1/p' <<<"$dc_xml" | head -n 1)
echo "    the DC is ${DC:-unknown}"
step "cutting $A's link"
T_CUT=$(date +%s%N)
lab link "$A" cut
t_detect='' t_off='' t_vip='' t_on=''
end=$((T_CUT + 60 * 1000000000))
while [ -z "$t_vip" ] || [ -z "$t_on" ]; do
    (($(date +%s%N) < end)) || fail "timed out 60 s after the cut: detect='$t_detect' off='$t_off' vip='$t_vip' on='$t_on'"
    now=$(date +%s%N)
    if [ -z "$t_detect" ] &&
        out_has "<node name=\"$A\" id=\"[0-9]*\" online=\"false\"" timeout 5 "$LAB" exec "$S" crm_mon -1 --output-as=xml; then
        t_detect=$now
        printf '[%6ss after cut] survivors see %s lost\n' "$(rel "$t_detect")" "$A"
    fi
    if [ -z "$t_off" ] && { [ "$(cat "$LAB_DIR/$A/pid")" != "$pid_before" ] || ! kill -0 "$pid_before" 2>/dev/null; }; then
        line=$(grep ' power off$' "$LAB_DIR/$A/boot.log" | tail -n 1)
        [ -n "$line" ] || fail "$A's power process died without the BMC powering it off (see $LAB_DIR/$A/boot.log)"
        t_off=$(ns_of "${line% power off}")
        printf '[%6ss after cut] %s powered off by its BMC (fence)\n' "$(rel "$t_off")" "$A"
    fi
    if [ -z "$t_vip" ]; then
        where=$(timeout 5 "$LAB" exec "$S" crm_resource --locate -r vip 2>/dev/null |
            sed -n 's/^resource .* is running on: \(node[0-9]*\).*/\1/p' | head -n 1)
        if [ -n "$where" ] && [ "$where" != "$A" ] && answers "$VIP"; then
            t_vip=$(date +%s%N)
            B=$where
            printf '[%6ss after cut] vip started on %s and %s answers\n' "$(rel "$t_vip")" "$B" "$VIP"
        elif [ -n "$where" ] && [ "$where" != "$A" ] && [ -n "${LAB_DEBUG:-}" ]; then
            printf '[%6ss after cut] DEBUG vip on %s, no answer; hub: %s\n' "$(rel "$(date +%s%N)")" "$where" "$(lab hub ip neigh show "$VIP")"
        fi
    fi
    if [ -z "$t_on" ] && [ -n "$t_off" ]; then
        pid_now=$(cat "$LAB_DIR/$A/pid")
        if [ "$pid_now" != "$pid_before" ] && [ "$(lab power "$A" status)" = on ]; then
            line=$(grep ' power on (pid ' "$LAB_DIR/$A/boot.log" | tail -n 1)
            t_on=$(ns_of "${line% power on (pid *}")
            printf '[%6ss after cut] %s powered on again (BMC)\n' "$(rel "$t_on")" "$A"
        fi
    fi
    sleep 0.1
done
[ -n "$t_detect" ] || fail "the survivors never reported $A lost"
[ -n "$t_off" ] || fail "$A was never powered off"
((t_off < t_vip)) || fail "vip answered on $B before $A was fenced (at $(rel "$t_off")s, vip $(rel "$t_vip")s)"
hist=$(timeout 10 "$LAB" exec "$S" stonith_admin --history "$A" 2>&1) || true
grep -Eq "(reboot|off) of $A successful" <<<"$hist" || fail "stonith history of $A shows no successful fence: $hist"
echo "    $(grep -E "of $A successful" <<<"$hist" | head -n 1)"
! has_addr "$A" "$VIP" || fail "$VIP is configured on the fenced node $A after its reboot"
mark

step "restoring $A's link"
lab link "$A" restore
wait_for 60 "$A to rejoin" node_online "$A"
t_join=$(date +%s%N)
printf '[%6ss after cut] %s rejoined (online)\n' "$(rel "$t_join")" "$A"
wait_for 10 "$VIP to answer after $A rejoined" answers "$VIP"
where=$(locate vip)
[ "$where" = "$B" ] || fail "vip moved from $B to '$where' after $A rejoined (stickiness 100 should keep it)"
! has_addr "$A" "$VIP" || fail "$VIP is configured on both $A and $B"

# the split, from the survivors' Pacemaker logs (millisecond timestamps)
logs=()
for n in node1 node2 node3; do [ "$n" = "$A" ] || logs+=("$LAB_DIR/$n/log/pacemaker.log"); done
l_lost=$(first_log_after "$T_CUT" "Node $A state is now lost" "${logs[@]}")
l_freq=$(first_log_after "$T_CUT" "Requesting fencing \([a-z]+\) of node $A" "${logs[@]}")
l_fdone=$(first_log_after "$T_CUT" "Operation '[a-z]+' targeting $A by .*: OK" "${logs[@]}")
l_start=$(first_log_after "$T_CUT" "Result of start operation for vip on $B: ok" "${logs[@]}")
if [ -z "$l_lost" ] || [ -z "$l_freq" ] || [ -z "$l_fdone" ] || [ -z "$l_start" ]; then
    fail "missing log lines for the split: lost='$l_lost' fence request='$l_freq' fence done='$l_fdone' start='$l_start'"
fi
ms() { echo "$((($2 - $1) / 1000000))"; }
echo "timings, s after the cut: membership lost $(rel "$l_lost"), fence requested $(rel "$l_freq"), $A powered off $(rel "$t_off"),"
echo "    on $(rel "$t_on"), fence done $(rel "$l_fdone"), vip started $(rel "$l_start"), $VIP answers $(rel "$t_vip")"
echo "split: detection $(ms "$T_CUT" "$l_lost") ms, decision $(ms "$l_lost" "$l_freq") ms, fencing ($FENCE_AGENT reboot) $(ms "$l_freq" "$l_fdone") ms,"
echo "    resource start ($RA) $(ms "$l_fdone" "$l_start") ms, until it answers $(ms "$l_start" "$t_vip") ms; total $(ms "$T_CUT" "$t_vip") ms"
on_any crm_mon -1 | sed -n '/Node List/,$p'
step "scenario done"
