#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 4: our agents' errors reach the administrator through Pacemaker. One node, three broken
# resources: an IPaddr2 with cidr_netmask=33, an IPaddr2 on a NIC that does not exist, and a
# Filesystem on a device that does not exist. For each, the exit reason the agent prints when run
# by hand inside the node (its "ocf-exit-reason:" line, which must name the bad value) appears
# verbatim in `crm_mon -1 --show-detail`'s failed actions with the right OCF code, in crm_mon's XML
# and in `crm status`; `crm_resource --why` reports the resource as not running.
# (Pacemaker 2.1.5's `crm_resource --why` does not print exit reasons; crm_mon is where they are.)
#
# Variables: RA (default ocf:rustha:IPaddr2), FS_RA (default ocf:rustha:Filesystem), AGENTS_DIR,
# FENCE_DIR, RUSTHA_BIN (see ours.sh).
set -euo pipefail
export SCENARIO=s4-agent-errors
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/ours.sh"
require_root

RA=${RA:-ocf:rustha:IPaddr2}
FS_RA=${FS_RA:-ocf:rustha:Filesystem}
check_ra "$RA"
check_ra "$FS_RA"
our_agents
lab_up_opts
VIP=$LAB_NET.50
echo "RA=$RA FS_RA=$FS_RA"

step "lab up 1 --fence none"
lab up 1 --fence none "${LAB_UP_OPTS[@]}"
timed "cluster online"

# name|agent|params|bad value the reason must name|expected crm_mon code text
cases=(
    "vip_mask|$RA|ip=$VIP cidr_netmask=33|33|'not configured' (6)"
    "vip_nic|$RA|ip=$LAB_NET.51 cidr_netmask=24 nic=nosuchnic0|nosuchnic0|'not configured' (6)"
    "fs_nodev|$FS_RA|device=/dev/nosuchdisk directory=/mnt/rustha-s4 fstype=ext4|/dev/nosuchdisk|'not installed' (5)"
)

# ra_path ocf:PROVIDER:TYPE -> the agent's file in a node
ra_path() {
    local p=${1#ocf:}
    echo "/usr/lib/ocf/resource.d/${p%%:*}/${p#*:}"
}

# the reason our agent gives for a start with these parameters, run by hand inside the node
declare -A reason
for c in "${cases[@]}"; do
    IFS='|' read -r name agent params bad code <<<"$c"
    envs=(OCF_ROOT=/usr/lib/ocf "OCF_RESOURCE_INSTANCE=$name")
    for kv in $params; do envs+=("OCF_RESKEY_$kv"); done
    rc=0
    out=$(lab exec node1 env "${envs[@]}" "$(ra_path "$agent")" start 2>&1) || rc=$?
    [ "$rc" != 0 ] || fail "$agent start with $params succeeded by hand; expected a failure"
    r=$(sed -n 's/^ocf-exit-reason://p' <<<"$out" | tail -n 1)
    [ -n "$r" ] || fail "$agent start with $params printed no ocf-exit-reason line (rc $rc): $out"
    [[ $r == *"$bad"* ]] || fail "$agent's exit reason '$r' does not name the bad value '$bad'"
    reason[$name]=$r
    echo "    by hand: $agent ($params) -> rc $rc, reason: $r"
done
timed "agents run by hand inside node1"

for c in "${cases[@]}"; do
    IFS='|' read -r name agent params bad code <<<"$c"
    echo "primitive $name $agent params $params op monitor interval=10s"
done >"$LAB_DIR/config.crm"
on_any crm configure load update "$LAB_DIR/config.crm" 2>&1 | grep -v 'Blind faith' || true

# every case has a failed start in crm_mon's failed actions
failed_all() {
    local mon c name
    mon=$(timeout 10 "$LAB" exec node1 crm_mon -1 --show-detail 2>/dev/null) || return 1
    for c in "${cases[@]}"; do
        name=${c%%|*}
        grep -q "^ *\* ${name}_start_0 on node1 " <<<"$mon" || return 1
    done
}
wait_for 30 "the three starts to fail" failed_all
timed "all three starts failed"

mon=$(on_any crm_mon -1 --show-detail)
sed -n '/Failed Resource Actions/,$p' <<<"$mon" | sed 's/^/    /'
xml=$(on_any crm_mon -1 --output-as=xml)
status=$(on_any crm status 2>&1)
for c in "${cases[@]}"; do
    IFS='|' read -r name agent params bad code <<<"$c"
    r=${reason[$name]}
    line=$(grep "^ *\* ${name}_start_0 on node1 " <<<"$mon")
    [[ $line == *"$code"* ]] || fail "crm_mon shows '$line' for $name, expected $code"
    [[ $line == *"exitreason='$r'"* ]] ||
        fail "crm_mon's failed action for $name does not carry our exit reason '$r': $line"
    # XML escapes quotes and ampersands; compare after unescaping
    xline=$(grep "<failure op_key=\"${name}_start_0\"" <<<"$xml" |
        sed 's/&amp;/\&/g; s/&apos;/'"'"'/g; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g; s/&apos;/'"'"'/g')
    [[ $xline == *"exitreason=\"$r\""* ]] || fail "crm_mon --output-as=xml has no failure for $name with reason '$r': $xline"
    want="$name start on node1 returned ${code% (*} ($r)"
    grep -qF "$want" <<<"$status" || fail "'crm status' does not show '$want'"
    why=$(on_any crm_resource --why -r "$name" 2>&1)
    [ "$why" = "Resource $name is not running" ] || fail "crm_resource --why -r $name says '$why', expected 'Resource $name is not running'"
    ! is_running "$name" || fail "$name runs on $(locate "$name") although its start failed"
done
echo "    crm_resource --why: $(on_any crm_resource --why -r vip_mask 2>&1)"
timed "exit reasons in crm_mon --show-detail, crm_mon XML and crm status"
step "scenario done"
