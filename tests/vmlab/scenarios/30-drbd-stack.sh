#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The linuxha.net stack on our agents alone, in two VMs under Pacemaker with real fencing
# (issue 12, scenarios 1-4): ms_drbd (ocf:rustha:drbd, fencing resource-and-stonith with
# rustha-fence-peer) -> Filesystem -> IPaddr2, each VM behind an ipmi_sim BMC fenced by
# fence_ipmilan_rs. Prints each step's time.
#  1. start: the VIP answers from outside the VMs; a file is written on the VIP's node
#  2. move (crm resource move): demote/promote, the stack follows, the file is intact
#  3. the promoted VM is powered off hard: fenced, the survivor promoted, file system and VIP
#     back, the file there; the fenced VM rejoins, resyncs, and the fence constraint goes away
#  4. stale data: replication link cut, a write on the primary, then the primary dies: the
#     outdated node is NOT promoted (the constraint says why) until the admin removes the
#     constraint (docs/drbd.md); then it is promoted, without the write it never got
set -euo pipefail
. "$(dirname "$0")/../drbd/cluster.sh"
STACK=${DRBD_STACK:-ours}

other() { if [ "$1" = n1 ]; then echo n2; else echo n1; fi; }
step() { cl_log "== $*"; }
promoted_on() { [ "$(cl_promoted)" = "$1" ]; }
svc_on() { [ "$(cl_svc_on)" = "$1" ]; }
constraints_on() { cl_exec "$1" 'cibadmin -Q -o constraints' 2>/dev/null; }
has_fence_constraint() { constraints_on "$1" | grep -q "drbd-fence-by-handler-r0-ms_drbd"; }
no_fence_constraint() { ! constraints_on "$1" | grep -q "drbd-fence-by-handler"; }
fence_allows() { constraints_on "$1" | grep "drbd-fence-by-handler" | grep -q "value=\"$2\""; }
was_fenced() { cl_exec "$1" "stonith_admin --history $2" 2>/dev/null | grep -Eq "(reboot|off) of $2 successful"; }
score_shown() { cl_exec "$1" 'crm_mon -1 -A' 2>/dev/null | grep -q "master-drbd_r0.*$2"; }
t_mark() { T_STEP=$SECONDS; }
t_took() { cl_log "   $1: $((SECONDS - T_STEP)) s"; }

step "0. the DRBD pair, before the cluster starts"
t_mark
cl_up_drbd "$STACK"
if [ "$STACK" = ours ]; then
  # scenario 5: ocf-tester (promotable: start, monitor, promote, demote, notify, stop, the error
  # cases) on n1 while n2 is Secondary, before Pacemaker runs (no notify meta attributes, hence
  # ignore_missing_notifications; the promotion score calls fail and are only logged). The ocft
  # drbd.linbit config runs in scenario 31 (RUSTHA_VM_LONG=1: ~13 min under emulation).
  cl_exec n2 'drbdadm up r0' || cl_fail "n2: drbdadm up r0"
  out=$(cl_exec n1 'ocf-tester -n drbd_r0 -o drbd_resource=r0 -o ignore_missing_notifications=true /usr/lib/ocf/resource.d/rustha/drbd 2>&1') ||
    { echo "$out"; cl_fail "ocf-tester failed"; }
  grep -q "/usr/lib/ocf/resource.d/rustha/drbd passed all tests" <<<"$out" || { echo "$out"; cl_fail "ocf-tester did not pass"; }
  cl_exec n1 'drbdadm down r0 2>/dev/null; true'
  cl_exec n2 'drbdadm down r0'
  t_took "ocf-tester on ocf:rustha:drbd passed"
fi

step "1. start ($STACK stack)"
t_mark
cl_up_cluster "$STACK"
t_took "cluster up and stack running"
A=$(cl_svc_on)
[ -n "$A" ] || cl_fail "no node runs the VIP"
[ "$(cl_promoted)" = "$A" ] || cl_fail "VIP on $A but ms_drbd promoted on '$(cl_promoted)'"
cl_exec "$A" 'echo written-before-move >/srv/data/file1 && sync' || cl_fail "write on $A"
cl_vip_answers || cl_fail "VIP does not answer"
cl_exec "$A" 'crm_mon -1 -A' | grep -q 'master-drbd_r0.*10000' || cl_fail "promotion score 10000 not shown for $A"
if [ "${DRBD_BENCH_RUNS:-0}" -gt 0 ]; then
  cl_log "   monitor benchmark on $A (promoted), $DRBD_BENCH_RUNS runs per agent:"
  CL_EXEC_TIMEOUT=1800 cl_exec "$A" "python3 $CL_HERE/bench-monitor.py $DRBD_BENCH_RUNS" || cl_fail "monitor benchmark"
fi

step "2. move the stack to $(other "$A")"
B=$(other "$A")
t_mark
cl_exec n1 "crm resource move svc $B" >/dev/null 2>&1 || cl_fail "crm resource move"
cl_wait 120 "svc on $B" svc_on "$B" || true
on=$(cl_svc_on)
[ "$on" = "$B" ] || cl_fail "svc is on '$on', not $B, after the move"
[ "$(cl_promoted)" = "$B" ] || cl_fail "ms_drbd not promoted on $B after the move"
cl_wait 30 "VIP" cl_vip_answers || cl_fail "VIP does not answer after the move"
t_took "move (demote, promote, fs, vip)"
[ "$(cl_exec "$B" 'cat /srv/data/file1')" = written-before-move ] || cl_fail "file1 not intact on $B"
cl_exec n1 'crm resource clear svc' >/dev/null 2>&1 || cl_fail "crm resource clear"
cl_exec "$B" 'echo written-before-failure >/srv/data/file2 && sync' || cl_fail "write on $B"

step "3. power off $B (promoted) hard"
A=$(other "$B")
t_mark
"$VMLAB" poweroff "$CL_LAB" "$B"
T_OFF=$SECONDS
cl_wait 120 "$B to be fenced" was_fenced "$A" "$B" || cl_fail "$B was not fenced"
cl_log "   fenced after $((SECONDS - T_OFF)) s"
cl_wait 120 "$A promoted" promoted_on "$A" || true
[ "$(cl_promoted)" = "$A" ] || cl_fail "$A not promoted after $B died"
cl_log "   promoted after $((SECONDS - T_OFF)) s"
cl_wait 60 "VIP" cl_vip_answers || cl_fail "VIP does not answer after failover"
cl_log "   VIP answers after $((SECONDS - T_OFF)) s"
t_took "failover"
[ "$(cl_exec "$A" 'cat /srv/data/file2')" = written-before-failure ] || cl_fail "file2 lost in the failover"
has_fence_constraint "$A" ||
  cl_fail "no fence constraint after the peer was fenced"
# the fenced VM was powered on again by its BMC (reboot): it rejoins and resyncs
cl_wait 120 "$B booted again" "$VMLAB" ready "$CL_LAB" "$B" 1 || cl_fail "$B did not come back after the fence"
cl_node_join "$B" "$STACK"
cl_wait 180 "$B resynced" cl_exec "$B" 'grep -q "ds:UpToDate/UpToDate" /proc/drbd' || cl_fail "$B did not resync"
cl_wait 60 "the fence constraint removed" no_fence_constraint "$A" ||
  cl_fail "the fence constraint was not removed after the resync"
t_took "rejoin, resync, unfence"

step "4. stale data: cut the replication link, write on $A, then $A dies"
B=$(other "$A")
t_mark
# a quiet cluster first: both disks UpToDate and connected, no transition running
both_uptodate() { cl_exec "$1" 'grep -q "cs:Connected.*ds:UpToDate/UpToDate" /proc/drbd'; }
cl_wait 120 "$A and $B connected UpToDate" both_uptodate "$A" || cl_fail "not UpToDate/UpToDate before the cut"
cl_exec "$A" 'crm_resource --wait --timeout=120' >/dev/null 2>&1 || cl_log "   (cluster still busy)"
cl_wait 60 "$B Secondary UpToDate" score_shown "$B" 10000 || true
cl_exec "$A" "ip route add blackhole 10.253.0.${B#n}/32"
cl_exec "$B" "ip route add blackhole 10.253.0.${A#n}/32"
cl_wait 60 "the fence constraint for $A" fence_allows "$A" "$A" ||
  cl_fail "$A placed no fence constraint when the link was cut"
cl_exec "$A" 'echo written-after-cut >/srv/data/file3 && sync' || cl_fail "write on $A after the cut"
cl_log "   $A wrote file3 while $B was cut off"
"$VMLAB" poweroff "$CL_LAB" "$A"
cl_wait 120 "$A fenced" was_fenced "$B" "$A" ||
  cl_fail "$A was not fenced"
sleep 10
p=$(cl_promoted)
[ -z "$p" ] || cl_fail "stale $B was promoted ($p)"
mon=$(cl_exec "$B" 'crm_mon -1 -r; crm configure show drbd-fence-by-handler-r0-ms_drbd')
grep -q "drbd-fence-by-handler-r0-ms_drbd" <<<"$mon" || cl_fail "the cluster does not show why $B is not promoted"
cl_log "   $B stays unpromoted; the constraint says why:"
grep -A3 "location drbd-fence-by-handler" <<<"$mon" | sed 's/^/     /'
# the admin decides to go on with the stale data (docs/drbd.md)
cl_exec "$B" 'crm configure delete drbd-fence-by-handler-r0-ms_drbd' || cl_fail "admin: delete the constraint"
cl_wait 120 "$B promoted by the admin's decision" promoted_on "$B" || true
[ "$(cl_promoted)" = "$B" ] || cl_fail "$B not promoted after the admin removed the constraint"
cl_wait 60 "VIP" cl_vip_answers || cl_fail "VIP does not answer on $B"
[ "$(cl_exec "$B" 'cat /srv/data/file2')" = written-before-failure ] || cl_fail "file2 missing on $B"
cl_exec "$B" 'test ! -e /srv/data/file3' || cl_fail "file3 present on the cut-off node?"
t_took "stale data held back until the admin's action"
cl_log "drbd stack ($STACK): ok"
