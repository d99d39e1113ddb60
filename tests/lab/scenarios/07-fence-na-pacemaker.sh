#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 7: fence_na under a real Pacemaker, driven by stonith_admin (what the fencer and an admin
# do). 3 nodes, fencing by our fence_na through the lab's na-sim (one device fence-na,
# pcmk_host_map=node1:1;node2:2;node3:3). Checks: the fencer registers the device; `stonith_admin
# --metadata -a fence_na` and `pcs stonith describe fence_na` show our meta-data; `--list` and
# `--list-targets` succeed and the device's own list names its ports 01..03; `--fence node3` powers
# node3 off and it stays off; `--fence node9` (no port) fails; fence_na run by hand against an
# address nobody answers fails within its login timeout with one line naming the device;
# `--reboot node2` powers node2 off and on (a new boot) and the fence history says successful.
#
# Variables: NA_AGENT (default fence_na), AGENTS_DIR, FENCE_DIR, RUSTHA_BIN (see ours.sh).
set -euo pipefail
export SCENARIO=s7-fence-na-pacemaker
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/ours.sh"
require_root

FENCE_AGENT=${NA_AGENT:-fence_na}
our_agents
lab_up_opts

step "lab up 3 --fence na --fence-agent $FENCE_AGENT"
lab up 3 --fence na --fence-agent "$FENCE_AGENT" "${LAB_UP_OPTS[@]}"
timed "cluster online"

# admin: stonith_admin ARGS... on any live node, bounded; prints its output, keeps its exit status
admin() { timeout 90 "$LAB" exec any stonith_admin "$@" 2>&1; }
powered() { [ "$("$LAB" power "$1" status)" = "$2" ]; }

wait_for 30 "the fencer to register fence-na" out_has '^ *fence-na$' "$LAB" exec any stonith_admin --list-registered
timed "fencer registered fence-na"

out=$(admin --metadata -a "$FENCE_AGENT") || fail "stonith_admin --metadata -a $FENCE_AGENT failed: $out"
contains "$out" "<resource-agent name=\"$FENCE_AGENT\"" "stonith_admin --metadata"
contains "$out" '<parameter name="ipport"' "stonith_admin --metadata"
out=$(on_any pcs stonith describe "$FENCE_AGENT" 2>&1) || fail "pcs stonith describe $FENCE_AGENT failed: $out"
[[ $out == "$FENCE_AGENT - Fence agent for Node Assassin"* ]] ||
    fail "pcs stonith describe starts with '$(head -n 1 <<<"$out")', expected '$FENCE_AGENT - Fence agent for Node Assassin'"
contains "$out" "ipport: TCP port of the Node Assassin" "pcs stonith describe $FENCE_AGENT"
timed "meta-data through the fencer and pcs"

out=$(admin --list node2) || fail "stonith_admin --list node2 failed: $out"
contains "$out" "fence-na" "stonith_admin --list node2 (devices that can fence node2)"
out=$(admin --list-targets fence-na) || fail "stonith_admin --list-targets fence-na failed: $out"
got=$(head -n 3 <<<"$out" | tr '\n' ' ')
[ "$got" = "01 02 03 " ] || fail "the device's list (its ports) is '$got', expected '01 02 03 ' from na-sim: $out"
timed "list and list-targets"

out=$(admin --fence node3 --timeout 60) || fail "stonith_admin --fence node3 failed: $out"
powered node3 off || fail "node3 reports power '$(lab power node3 status)' after fence (off)"
wait_for 20 "node1 to see node3 offline" node_offline node3
sleep 2
powered node3 off || fail "node3 came back on by itself after fence (off)"
timed "fence node3: powered off and stays off"

if out=$(admin --fence node9 --timeout 10); then fail "stonith_admin --fence node9 succeeded; node9 has no port: $out"; fi
timed "fence node9 (no port) fails"

# An address on the lab's network that nobody answers: the connection gives up at --login-timeout.
t=$(date +%s%N)
rc=0
out=$(timeout 20 "$LAB" exec node1 "$FENCE_AGENT" -a "$LAB_NET.77" -n 1 -o status --login-timeout 1 2>&1) || rc=$?
ms=$((($(date +%s%N) - t) / 1000000))
[ "$rc" = 1 ] || fail "fence_na status against $LAB_NET.77 (nobody there) exited $rc, expected 1: $out"
contains "$out" "cannot connect to Node Assassin at $LAB_NET.77:238: no answer within the login timeout" "fence_na against an unreachable device"
((ms < 3000)) || fail "fence_na against an unreachable device took $ms ms with --login-timeout 1"
timed "unreachable device: one line, exit 1, ${ms} ms"

# Last: a rebooted lab node boots in a moment, before the fencer has announced the result, and then
# stops its own cluster stack on hearing that it was fenced (Pacemaker's fence-reaction). So the
# reboot is checked by the power cycle and the fence history, not by a rejoin.
boot=$(cat "$LAB_DIR/node2/pid")
since=$(date +%s%N)
out=$(admin --reboot node2 --timeout 60) || fail "stonith_admin --reboot node2 failed: $out"
[ -n "$(boot_event_after node2 'power off' "$since")" ] || fail "node2 was not powered off by the reboot"
wait_for 30 "node2 to power on again" powered node2 on
[ "$(cat "$LAB_DIR/node2/pid")" != "$boot" ] || fail "node2 still runs its old boot ($boot) after the reboot"
out=$(admin --history node2) || fail "stonith_admin --history node2 failed: $out"
contains "$out" "reboot of node2 successful" "stonith_admin --history node2"
timed "reboot node2: powered off and booted again; the fence history says successful"
step "scenario done"
