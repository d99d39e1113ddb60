#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 5: the administrators' tools show our meta-data inside a cluster node:
#   crm ra info ocf:rustha:IPaddr2, pcs resource describe ocf:rustha:Filesystem,
#   pcs stonith describe fence_na, pcs stonith describe fence_ipmilan_rs.
# The expected texts come from the agents' own meta-data (run in the node): the agent's one-line
# description, a part of its long description that only our agent has, and for chosen parameters
# their names with their descriptions (crm: "name (type): shortdesc", pcs resource: "name: longdesc",
# pcs stonith: "name: shortdesc"). As a control, `crm ra info ocf:heartbeat:IPaddr2` must not show
# our agent's text (the check can tell the two apart).
#
# Variables: AGENTS_DIR, FENCE_DIR, RUSTHA_BIN (see ours.sh).
set -euo pipefail
export SCENARIO=s5-metadata-tools
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/ours.sh"
require_root
command -v xmllint >/dev/null || fail "xmllint is missing (apt-get install -y libxml2-utils)"
our_agents
lab_up_opts

step "lab up 1 --fence none (our agents mounted)"
lab up 1 --fence none "${LAB_UP_OPTS[@]}"
timed "cluster online"

# xp XML XPATH: the text of the first node XPATH selects, whitespace squeezed
xp() { xmllint --xpath "string($2)" - <<<"$1" 2>/dev/null | squeeze | sed 's/^ //; s/ $//'; }

# check TOOL-OUTPUT META-XML WHAT MARKER PARAM-FORMAT PARAM...
#   MARKER: text of our long description that must appear (only our agent has it)
#   PARAM-FORMAT: crm (name (type[, [default]]): shortdesc), pcs-rsc (name: first sentence of longdesc),
#   pcs-stonith (name: shortdesc)
check() {
    local out=$1 meta=$2 what=$3 marker=$4 fmt=$5 short p desc
    shift 5
    [ -n "$out" ] || fail "$what printed nothing"
    short=$(xp "$meta" '/resource-agent/shortdesc')
    [ -n "$short" ] || short=$(xp "$meta" '/resource-agent/@shortdesc')
    [ -n "$short" ] || fail "$what: the agent's meta-data has no shortdesc"
    contains "$out" "$short" "$what (the agent's shortdesc)"
    contains "$(xp "$meta" '/resource-agent/longdesc')" "$marker" "$what: our agent's meta-data (the marker)"
    contains "$out" "$marker" "$what (our long description)"
    for p in "$@"; do
        case $fmt in
            crm)
                desc=$(xp "$meta" "//parameters/parameter[@name='$p']/shortdesc")
                [ -n "$desc" ] || fail "$what: no shortdesc for $p in the meta-data"
                grep -Eq "^$p\*? \([a-z]+(, \[[^]]*\])?\): " <<<"$out" || fail "$what: no line for parameter $p"
                contains "$(grep -E "^$p\*? \(" <<<"$out")" "$desc" "$what, parameter $p"
                ;;
            pcs-rsc)
                desc=$(xp "$meta" "//parameters/parameter[@name='$p']/longdesc")
                desc=${desc%%. *}
                [ -n "$desc" ] || fail "$what: no longdesc for $p in the meta-data"
                grep -Eq "^  $p( \(required\))?: " <<<"$out" || fail "$what: no line for parameter $p"
                contains "$(grep -E "^  $p( \(required\))?: " <<<"$out")" "$desc" "$what, parameter $p"
                ;;
            pcs-stonith)
                desc=$(xp "$meta" "//parameters/parameter[@name='$p']/shortdesc")
                [ -n "$desc" ] || fail "$what: no shortdesc for $p in the meta-data"
                grep -Eq "^  $p( \(required\))?: " <<<"$out" || fail "$what: no line for parameter $p"
                contains "$(grep -E "^  $p( \(required\))?: " <<<"$out")" "$desc" "$what, parameter $p"
                ;;
        esac
    done
    echo "    $what: $(head -n 1 <<<"$out")"
    echo "        shows our description and parameters $*"
}

meta=$(lab exec node1 /usr/lib/ocf/resource.d/rustha/IPaddr2 meta-data)
out=$(on_any crm ra info ocf:rustha:IPaddr2 2>&1)
contains "$out" "(ocf:rustha:IPaddr2)" "crm ra info ocf:rustha:IPaddr2 (its title)"
check "$out" "$meta" "crm ra info ocf:rustha:IPaddr2" "It talks to the kernel over netlink" crm \
    ip nic cidr_netmask broadcast iflabel arp_count
stock=$(on_any crm ra info ocf:heartbeat:IPaddr2 2>&1)
contains "$stock" "(ocf:heartbeat:IPaddr2)" "crm ra info ocf:heartbeat:IPaddr2 (control)"
[[ $stock != *"over netlink"* ]] || fail "the control (ocf:heartbeat:IPaddr2) shows our text: the check cannot tell agents apart"
timed "crm ra info ocf:rustha:IPaddr2"

meta=$(lab exec node1 /usr/lib/ocf/resource.d/rustha/Filesystem meta-data)
out=$(on_any pcs resource describe ocf:rustha:Filesystem 2>&1)
contains "$(head -n 1 <<<"$out")" "ocf:rustha:Filesystem - " "pcs resource describe ocf:rustha:Filesystem (its title)"
check "$out" "$meta" "pcs resource describe ocf:rustha:Filesystem" \
    "Stop never blocks on a dead network server" pcs-rsc \
    device directory fstype options force_unmount term_signals kill_signals signal_delay
grep -q '^  device (required): ' <<<"$out" || fail "pcs resource describe does not mark device as required"
timed "pcs resource describe ocf:rustha:Filesystem"

meta=$(lab exec node1 fence_na -o metadata)
out=$(on_any pcs stonith describe fence_na 2>&1)
contains "$(head -n 1 <<<"$out")" "fence_na - " "pcs stonith describe fence_na (its title)"
check "$out" "$meta" "pcs stonith describe fence_na" "It speaks TNAP 1.1.x over TCP" pcs-stonith \
    ip ipport plug password_script power_timeout
timed "pcs stonith describe fence_na"

meta=$(lab exec node1 fence_ipmilan_rs -o metadata)
out=$(on_any pcs stonith describe fence_ipmilan_rs 2>&1)
contains "$(head -n 1 <<<"$out")" "fence_ipmilan_rs - " "pcs stonith describe fence_ipmilan_rs (its title)"
check "$out" "$meta" "pcs stonith describe fence_ipmilan_rs" "without ipmitool" pcs-stonith \
    ip username password lanplus cipher privlvl method
timed "pcs stonith describe fence_ipmilan_rs"
step "scenario done"
