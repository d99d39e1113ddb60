#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 0: the lab itself keeps its promises. Nodes have their own host names, addresses and
# private directories; power off kills every process of a node and its NIC (its address stops
# answering), power on brings it back into the cluster; a cut link isolates a node and survives a
# power cycle; an ocf:rustha agent directory appears in the nodes only; `lab down` leaves no
# process, namespace or mount behind, and is idempotent.
set -euo pipefail
export SCENARIO=s0-lab-basics
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

# a fake ocf:rustha agent directory, to prove it is mounted where the nodes look for agents
RADIR=$LAB_DIR.ra
mkdir -p "$RADIR"
printf '#!/bin/sh\nexit 0\n' >"$RADIR/Probe"
chmod 755 "$RADIR/Probe"
CLEANUP_HOOKS+=("rm -rf $RADIR")

step "lab up 2 --fence none --agents-dir $RADIR"
lab up 2 --fence none --agents-dir "$RADIR"
timed "cluster online"

for n in 1 2; do
    got=$(lab exec "node$n" hostname)
    [ "$got" = "node$n" ] || fail "hostname in node$n is '$got', expected node$n"
    has_addr "node$n" "$LAB_NET.$n" || fail "node$n does not have $LAB_NET.$n"
    lab exec "node$n" test -x /usr/lib/ocf/resource.d/rustha/Probe ||
        fail "node$n does not see ocf:rustha:Probe from --agents-dir"
    lab exec "node$n" test -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ||
        fail "node$n lost the stock ocf:heartbeat agents under the overlay"
    answers "$LAB_NET.$n" || fail "node$n ($LAB_NET.$n) does not answer from the hub"
done
[ ! -e /usr/lib/ocf/resource.d/rustha/Probe ] || fail "ocf:rustha:Probe leaked into the host's OCF root"
c1=$(lab exec node1 stat -c %i /var/lib/pacemaker/cib)
c2=$(lab exec node2 stat -c %i /var/lib/pacemaker/cib)
[ "$c1" != "$c2" ] || fail "node1 and node2 share /var/lib/pacemaker/cib (inode $c1)"
lab exec node1 sh -c 'echo private > /run/lab-probe'
! lab exec node2 test -e /run/lab-probe || fail "/run is shared between node1 and node2"
timed "nodes are separate machines"

# wrong use fails with one clear line and leaves the lab alone
expect_error() { # expect_error TEXT CMD...: CMD fails and its stderr contains TEXT
    local text=$1 err
    shift
    if err=$("$@" 2>&1 >/dev/null); then fail "'$*' succeeded; expected an error"; fi
    [[ $err == *"$text"* ]] || fail "'$*' said '$err'; expected it to mention '$text'"
}
expect_error "already set up" "$LAB" up 2
expect_error "bad node 'node3'" "$LAB" exec node3 true
expect_error "bad power action 'sideways'" "$LAB" power node1 sideways
expect_error "bad link action 'wiggle'" "$LAB" link node1 wiggle
lab wait-online --timeout 10 node1 node2
timed "wrong use is refused with a clear message; the cluster is untouched"

pids=$(lab exec node2 ps -e -o pid= | wc -l)
((pids >= 8)) || fail "node2 runs only $pids processes, expected corosync and the Pacemaker daemons"
boot=$(cat "$LAB_DIR/node2/pid")
lab power node2 off
[ "$(lab power node2 status)" = off ] || fail "node2 still reports power on after 'power off'"
# (a dead process may linger as a zombie until its parent, here the host's init, reaps it)
gone_or_zombie() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
gone_or_zombie "$boot" || fail "node2's power process $boot survived 'power off'"
left=$(grep -l "_init 2 $LAB_DIR" /proc/[0-9]*/cmdline 2>/dev/null || true)
[ -z "$left" ] || fail "processes of node2 survived 'power off': $left"
wait_for 5 "node2's address to stop answering" silent "$LAB_NET.2"
wait_for 20 "node1 to see node2 offline" node_offline node2
timed "node2 powered off: processes and NIC gone, cluster noticed"

lab power node2 on
lab wait-online --timeout 30 node1 node2
answers "$LAB_NET.2" || fail "node2 does not answer after power on"
timed "node2 powered on and rejoined"

lab link node2 cut
[ "$(lab link node2 status)" = cut ] || fail "link status of node2 is not 'cut' after 'link cut'"
wait_for 5 "node2 to stop answering with its link cut" silent "$LAB_NET.2"
lab power node2 off
lab power node2 on
sleep 1
! answers "$LAB_NET.2" || fail "node2 answers after a power cycle although its link is cut"
wait_for 20 "node1 to see node2 offline (link cut)" node_offline node2
lab link node2 restore
wait_for 5 "node2 to answer with its link restored" answers "$LAB_NET.2"
lab wait-online --timeout 30 node1 node2
timed "link cut isolates node2 (also across a power cycle); restore rejoins it"

HUB=$(sed -n 's/^HUB=//p' "$LAB_DIR/config")
lab down
! out_has "\\b$HUB\\b" ip netns list || fail "hub namespace $HUB survived 'lab down'"
left=$(grep -l "$LAB_DIR" /proc/[0-9]*/cmdline 2>/dev/null || true)
[ -z "$left" ] || fail "processes survived 'lab down': $left"
grep -q "$LAB_DIR" /proc/self/mountinfo && fail "mounts under $LAB_DIR survived 'lab down'"
lab down >/dev/null 2>&1 || fail "a second 'lab down' failed"
timed "lab down removed everything; a second down is harmless"
step "scenario done"
