#!/bin/bash
# Scenario 4: agent errors reach the administrator. Resources configured with a bad value (an
# IPaddr2 on an interface that does not exist, a Filesystem on a device that does not exist) fail to
# start with the right OCF exit code, and `crm_mon --show-detail` shows the agent's exit reason. With
# REASON_NAMES_VALUE=1 (the default for ocf:rustha agents, our standard) the reason must also name
# the bad value. `crm_resource --why` is shown for information (Pacemaker 2.1.5 prints no reason).
#
# Variables: RA (default ocf:heartbeat:IPaddr2), FS_RA (default ocf:heartbeat:Filesystem; empty to
# skip), AGENTS_DIR (for ocf:rustha:*), REASON_NAMES_VALUE (0/1).
set -euo pipefail
export SCENARIO=s4-exit-reason
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

RA=${RA:-ocf:heartbeat:IPaddr2}
FS_RA=${FS_RA-ocf:heartbeat:Filesystem}
check_ra "$RA"
[ -z "$FS_RA" ] || check_ra "$FS_RA"
if [[ $RA == ocf:rustha:* ]]; then REASON_NAMES_VALUE=${REASON_NAMES_VALUE:-1}; fi
REASON_NAMES_VALUE=${REASON_NAMES_VALUE:-0}
lab_up_opts
BAD_NIC=nosuchnic0
BAD_DEV=/dev/rustha-lab-missing
echo "RA=$RA FS_RA=${FS_RA:-none} REASON_NAMES_VALUE=$REASON_NAMES_VALUE"

step "lab up 1 --fence none"
lab up 1 --fence none "${LAB_UP_OPTS[@]}"
timed "node online"

{
    echo "primitive badvip $RA params ip=$LAB_NET.50 cidr_netmask=24 nic=$BAD_NIC"
    [ -z "$FS_RA" ] || echo "primitive badfs $FS_RA params device=$BAD_DEV directory=$LAB_DIR.mnt fstype=ext4"
} >"$LAB_DIR/config.crm"
on_any crm configure load update "$LAB_DIR/config.crm" >/dev/null 2>&1 || fail "crm configure load failed"

# failure_of RSC: the <failure> element crm_mon reports for RSC's start (or probe), if any
failure_of() {
    timeout 10 "$LAB" exec any crm_mon -1 --output-as=xml 2>/dev/null |
        grep -E "<failure op_key=\"$1_(start|monitor)_0\"" | head -n 1
}
has_failure() { [ -n "$(failure_of "$1")" ]; }
# attribute NAME of the element in $2, XML entities decoded (crm_mon escapes exit reasons twice)
attr() {
    local v
    v=$(sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p" <<<"$2")
    for _ in 1 2; do
        v=${v//&quot;/\"}
        v=${v//&apos;/\'}
        v=${v//&lt;/<}
        v=${v//&gt;/>}
        v=${v//&amp;/"&"}
    done
    printf '%s' "$v"
}

# check RSC BAD-VALUE EXIT-CODE...: RSC failed with one of EXIT-CODEs and a visible exit reason
check() {
    local rsc=$1 bad=$2 f code reason detail
    shift 2
    wait_for 30 "a failed start of $rsc" has_failure "$rsc"
    f=$(failure_of "$rsc")
    code=$(attr exitcode "$f")
    reason=$(attr exitreason "$f")
    printf '    %s: exit code %s (%s), exit reason "%s"\n' "$rsc" "$code" "$(attr exitstatus "$f")" "$reason"
    [[ " $* " == *" $code "* ]] || fail "$rsc failed with exit code $code, expected one of: $*"
    [ -n "$reason" ] || fail "$rsc failed without an exit reason"
    detail=$(on_any crm_mon -1 --show-detail 2>&1) || fail "crm_mon --show-detail failed"
    grep -qF -- "$reason" <<<"$detail" || fail "crm_mon --show-detail does not show $rsc's exit reason '$reason'"
    if [ "$REASON_NAMES_VALUE" = 1 ]; then
        grep -qF -- "$bad" <<<"$reason" || fail "$rsc's exit reason '$reason' does not name the bad value '$bad'"
    fi
    echo "    crm_resource --why -r $rsc: $(on_any crm_resource --why -r "$rsc" 2>&1 | tr '\n' ' ')"
}

# a missing interface is a configuration error (6); a missing device: not installed (5) or configured (6)
check badvip "$BAD_NIC" 6
timed "badvip ($RA): failed start with its exit reason in crm_mon"
if [ -n "$FS_RA" ]; then
    check badfs "$BAD_DEV" 5 6
    timed "badfs ($FS_RA): failed start with its exit reason in crm_mon"
fi
step "scenario done"
