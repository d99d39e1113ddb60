#!/bin/bash
# Scenario 3: a stop that fails escalates to fencing, and the group recovers. A 2-node cluster runs
# group g (Filesystem on a shared loop device + VIP) on node A. A process on A keeps the mount busy
# and ignores SIGTERM; the Filesystem is configured so that it will not kill it (FS_STOP_PARAMS:
# force_unmount=false for the stock agent, kill_signals=CONT for ours). `crm resource move g B`:
# the stop on A fails, Pacemaker fences A, the group starts on B, the VIP answers there and the data
# is there; A powers back on and rejoins.
#
# Variables: RA, FS_RA (defaults ocf:heartbeat:IPaddr2 / Filesystem), AGENTS_DIR, FENCE (ipmi|na,
# default ipmi), FENCE_AGENT (ipmi, default fence_ipmilan), NA_AGENT (na, default fence_na),
# FENCE_DIR, FS_STOP_PARAMS, VIP.
set -euo pipefail
export SCENARIO=s3-stop-failure-fence
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

RA=${RA:-ocf:heartbeat:IPaddr2}
FS_RA=${FS_RA:-ocf:heartbeat:Filesystem}
FENCE=${FENCE:-ipmi}
case $FENCE in
    ipmi) FENCE_AGENT=${FENCE_AGENT:-fence_ipmilan} ;;
    na) FENCE_AGENT=${NA_AGENT:-fence_na} ;;
    *) fail "bad FENCE '$FENCE': this scenario needs fencing (ipmi or na)" ;;
esac
if [[ $FS_RA == ocf:rustha:* ]]; then
    FS_STOP_PARAMS=${FS_STOP_PARAMS:-kill_signals=CONT}
else
    FS_STOP_PARAMS=${FS_STOP_PARAMS:-force_unmount=false}
fi
VIP=${VIP:-$LAB_NET.50}
check_ra "$RA"
check_ra "$FS_RA"
lab_up_opts
echo "RA=$RA FS_RA=$FS_RA ($FS_STOP_PARAMS) FENCE=$FENCE ($FENCE_AGENT)"

IMG=$LAB_DIR.img
MNT=$LAB_DIR.mnt
mkdir -p "$MNT"
truncate -s 64M "$IMG"
mkfs.ext4 -q -F "$IMG"
LOOP=$(losetup -f --show "$IMG")
CLEANUP_HOOKS+=("losetup -d $LOOP; rm -f $IMG; rmdir $MNT")

step "lab up 2 --fence $FENCE"
lab up 2 --fence "$FENCE" --fence-agent "$FENCE_AGENT" "${LAB_UP_OPTS[@]}"
timed "cluster online"

cat >"$LAB_DIR/config.crm" <<EOT
rsc_defaults resource-stickiness=100
primitive fs $FS_RA params device=$LOOP directory=$MNT fstype=ext4 $FS_STOP_PARAMS op monitor interval=10s op stop timeout=15s
primitive vip $RA params ip=$VIP cidr_netmask=24 op monitor interval=5s
group g fs vip
EOT
on_any crm configure load update "$LAB_DIR/config.crm" >/dev/null 2>&1 || fail "crm configure load failed"
wait_for 30 "vip to start" is_running vip
A=$(locate vip)
running_on fs "$A" || fail "fs runs on '$(locate fs)', expected $A with vip"
B=node1
[ "$A" != node1 ] || B=node2
wait_for 10 "$VIP to answer" answers "$VIP"
wait_for 30 "the fence device ($FENCE_AGENT) to start" fence_started "$FENCE_AGENT"
lab exec "$A" sh -c "echo written-on-$A > $MNT/marker"
timed "group started on $A, fencing ready"

# the holder: cwd on the mount, SIGTERM ignored (inherited across exec)
lab exec "$A" setsid sh -c "trap '' TERM; cd $MNT && exec sleep 600" </dev/null >/dev/null 2>&1 &
holding() { lab exec "$A" sh -c "ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -q ' -> $MNT\$'"; }
wait_for 10 "a process on $A to hold $MNT" holding
timed "a TERM-ignoring process holds $MNT on $A"

T_MOVE=$(date +%s%N)
on_any crm resource move g "$B" >/dev/null 2>&1 || fail "'crm resource move g $B' failed"
powered_off_since() { [ -n "$(boot_event_after "$1" "power off" "$2")" ]; }
wait_for 60 "$A to be fenced (powered off)" powered_off_since "$A" "$T_MOVE"
t_off=$(boot_event_after "$A" "power off" "$T_MOVE")
echo "    $A powered off by its fence device $(rel_s "$t_off" "$T_MOVE") s after the move"
wait_for 60 "the group to start on $B" running_on vip "$B"
running_on fs "$B" || fail "fs runs on '$(locate fs)', expected $B"
wait_for 10 "$VIP to answer on $B" answers "$VIP"
t_vip=$(date +%s%N)
has_addr "$B" "$VIP" || fail "$VIP is not on $B"
got=$(lab exec "$B" cat "$MNT/marker") || fail "cannot read $MNT/marker on $B"
[ "$got" = "written-on-$A" ] || fail "$MNT/marker on $B says '$got', expected 'written-on-$A'"
echo "    group running on $B, $VIP answers $(rel_s "$t_vip" "$T_MOVE") s after the move"

logs=("$LAB_DIR"/node[12]/log/pacemaker.log)
l_stopfail=$(first_log_after "$T_MOVE" "Result of stop operation for fs on $A: (error|Timed Out|timed out)" "${logs[@]}")
l_fdone=$(first_log_after "$T_MOVE" "Operation '[a-z]+' targeting $A by .*: OK" "${logs[@]}")
[ -n "$l_stopfail" ] || fail "no failed stop of fs on $A in the Pacemaker logs"
[ -n "$l_fdone" ] || fail "no successful fencing of $A in the Pacemaker logs"
((t_off > l_stopfail)) || fail "$A was powered off before its stop failed"
hist=$(timeout 10 "$LAB" exec "$B" stonith_admin --history "$A" 2>&1) || true
grep -Eq "(reboot|off) of $A successful" <<<"$hist" || fail "stonith history of $A shows no successful fence: $hist"
timed "stop failed on $A at +$(rel_s "$l_stopfail" "$T_MOVE")s, fenced (done +$(rel_s "$l_fdone" "$T_MOVE")s), group recovered on $B"

if [ "$(lab power "$A" status)" = off ]; then lab power "$A" on; fi # after an 'off' fence action
lab wait-online --timeout 60 node1 node2
on_any crm resource clear g >/dev/null 2>&1 || fail "'crm resource clear g' failed"
wait_for 10 "$VIP to answer after $A rejoined" answers "$VIP"
! has_addr "$A" "$VIP" || fail "$VIP is on $A after it rejoined"
timed "$A rejoined"
on_any crm_mon -1 | sed -n '/Node List/,$p'
step "scenario done"
