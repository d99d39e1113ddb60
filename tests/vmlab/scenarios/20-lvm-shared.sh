#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two VMs sharing one disk, ocf:rustha:LVM-activate on each: in system_id and in tagging mode the
# VG active on one node cannot be activated on the other; the owner is powered off hard; the
# survivor takes the VG over, activates it and reads the data written before; a node that took
# the VG over behind the owner's back is noticed by the owner's monitor.
# First vg_access_mode=lvmlockd against a real lvmlockd: Corosync (two
# nodes), dlm_controld and lvmlockd in both VMs, a shared VG (lock type dlm); an LV exclusively
# active on one node cannot be started on the other (reason: LVM's "LV locked by other host");
# stop deactivates and stops the lockspace as stock; the other node then starts it; shared
# activation on both nodes at once; monitor and probe codes; lvmlockd down.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
vmlab=$here/vmlab
LAB=$(mktemp -d /tmp/vmlab-lvm-shared.XXXXXX)
rmdir "$LAB"
trap '"$vmlab" destroy "$LAB"' EXIT
failed=0 passed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
t0=$SECONDS
step() { echo "[$((SECONDS - t0)) s] $*"; }
# on NODE 'commands': run with the agents' check helpers loaded.
on() {
  "$vmlab" exec -t 300 "$LAB" "$1" "REPO=$(cd "$here/../.." && pwd); . \$REPO/tests/vmlab/lvm/lib.sh; $2"
}
# check DESC NODE 'commands': must exit 0.
check() {
  local out
  if out=$(on "$2" "$3" 2>&1); then pass "$1"; else fail "$1: $(tail -3 <<<"$out" | tr '\n' ' ')"; fi
}
SID="OCF_RESOURCE_INSTANCE=vg OCF_RESKEY_vgname=vgsh OCF_RESKEY_vg_access_mode=system_id"
TAG="OCF_RESOURCE_INSTANCE=vt OCF_RESKEY_vgname=vgtg OCF_RESKEY_vg_access_mode=tagging"
INTERVAL=OCF_RESKEY_CRM_meta_interval=30000

"$vmlab" create "$LAB" --vm node1 --vm node2 --disk shared:96M --disk shared2:64M --disk lockd:48M \
  --wire-port 12320 >/dev/null
"$vmlab" boot "$LAB" node1
"$vmlab" boot "$LAB" node2
"$vmlab" ready "$LAB" node1
"$vmlab" ready "$LAB" node2
step "both nodes up"

# ---- lvmlockd (about 100 s under emulation). dlm_controld runs with enable_fencing=0: this lab
# has no fence device (lockd_up).
lvmlockd_checks() {
  local EX SH PROBE t_lockd vm
  EX="OCF_RESOURCE_INSTANCE=ex OCF_RESKEY_vgname=vgld OCF_RESKEY_lvname=ex OCF_RESKEY_vg_access_mode=lvmlockd OCF_RESKEY_activation_mode=exclusive"
  SH="OCF_RESOURCE_INSTANCE=sh OCF_RESKEY_vgname=vgld OCF_RESKEY_lvname=sh OCF_RESKEY_vg_access_mode=lvmlockd OCF_RESKEY_activation_mode=shared"
  PROBE=OCF_RESKEY_CRM_meta_interval=0
  t_lockd=$SECONDS
  # Both nodes at once: each waits for the other to join.
  declare -A up
  for vm in node1 node2; do
    on $vm 'lockd_up node1 node2 && lockd_ready' >"$LAB/lockd-$vm.out" 2>&1 &
    up[$vm]=$!
  done
  for vm in node1 node2; do
    if wait "${up[$vm]}"; then pass "$vm: corosync quorate, dlm_controld and lvmlockd up"; else
      fail "$vm: lvmlockd stack: $(tail -3 "$LAB/lockd-$vm.out" | tr '\n' ' ')"; fi
  done
  check "node1: shared VG vgld (lock type dlm), LVs ex and sh, lockspace stopped" node1 '
    set -e; pvcreate -qy $(vm_disk lockd); vgcreate -q --shared vgld $(vm_disk lockd)
    lvcreate -qy -aey -n ex -L 16M vgld; lvcreate -qy -aey -n sh -L 8M vgld; mkfs.ext4 -q /dev/vgld/ex
    mkdir -p /tmp/x; mount /dev/vgld/ex /tmp/x; echo "written on node1 under lvmlockd" >/tmp/x/proof; umount /tmp/x
    lvchange -an vgld; vgchange -q --lockstop vgld; ! lockspace_started vgld
    [ "$(vgs --noheadings -o vg_lock_type vgld | tr -d " ")" = dlm ]'
  check "node1: exclusive start starts the lockspace and activates ex" node1 "
    env $EX \$LVMA start && lockspace_started vgld && [ -e /dev/mapper/vgld-ex ] && [ ! -e /dev/mapper/vgld-sh ]"
  check "node1: monitor 0 (recurring, probe, depth 10)" node1 "
    env $EX $INTERVAL \$LVMA monitor && env $EX $PROBE \$LVMA monitor && env $EX $INTERVAL OCF_CHECK_LEVEL=10 \$LVMA monitor"
  check "node2: probe 7" node2 "env $EX $PROBE \$LVMA monitor; [ \$? = 7 ]"
  check "node2: exclusive start of ex fails: node1 holds its lock" node2 "
    expect 'start while node1 holds ex' 1 'LV locked by other host: vgld/ex' \$LVMA start $EX
    [ ! -e /dev/mapper/vgld-ex ] || fail 'ex active on node2'
    expect 'recurring monitor after the failed start' 7 '' \$LVMA monitor $EX $INTERVAL
    expect 'stop after the failed start' 0 '' \$LVMA stop $EX
    ! lockspace_started vgld || fail 'stop left the lockspace the failed start had joined'
    summary"
  check "node1: stop deactivates ex and stops the lockspace; stop again, probe and monitor" node1 "
    env $EX \$LVMA stop && [ ! -e /dev/mapper/vgld-ex ] && ! lockspace_started vgld &&
    env $EX \$LVMA stop && { env $EX $PROBE \$LVMA monitor; [ \$? = 7 ]; } && { env $EX $INTERVAL \$LVMA monitor; [ \$? = 7 ]; }"
  check "node2: exclusive start now succeeds; node1's data readable" node2 "
    env $EX \$LVMA start && env $EX $INTERVAL \$LVMA monitor && mkdir -p /tmp/x && mount /dev/vgld/ex /tmp/x &&
    grep -qx 'written on node1 under lvmlockd' /tmp/x/proof && umount /tmp/x"
  check "node1: shared start of ex fails: node2 holds it exclusively" node1 "
    expect 'shared start of ex' 1 'LV locked by other host: vgld/ex' \$LVMA start $EX OCF_RESKEY_activation_mode=shared
    expect 'stop after the failed start' 0 '' \$LVMA stop $EX
    summary"
  check "node1: shared start of sh" node1 "env $SH \$LVMA start && env $SH $INTERVAL \$LVMA monitor"
  check "node2: shared start of sh beside node1; both LVs active" node2 "
    env $SH \$LVMA start && env $SH $INTERVAL \$LVMA monitor && [ -e /dev/mapper/vgld-sh ] && [ -e /dev/mapper/vgld-ex ]"
  check "node1: still active and monitored" node1 "env $SH $INTERVAL \$LVMA monitor && [ -e /dev/mapper/vgld-sh ]"
  check "node2: stop sh keeps the lockspace while ex is active; stop ex stops it" node2 "
    env $SH \$LVMA stop && [ ! -e /dev/mapper/vgld-sh ] && lockspace_started vgld &&
    env $EX \$LVMA stop && [ ! -e /dev/mapper/vgld-ex ] && ! lockspace_started vgld"
  check "node1: stop sh" node1 "env $SH \$LVMA stop && ! lockspace_started vgld && ! compgen -G '/sys/block/dm-*' >/dev/null"
  check "node2: lvmlockd stopped: start fails (1), stop of the stopped LV succeeds (0)" node2 "
    lvmlockctl -S >/dev/null; kill \$(cat /run/lvmlockd.rustha-pid)
    for _ in \$(seq 100); do lvmlockctl -i >/dev/null 2>&1 || break; sleep 0.2; done
    ! lvmlockctl -i >/dev/null 2>&1 || fail 'lvmlockd still answers'
    expect 'start without lvmlockd' 1 'lvmlockd is not running' \$LVMA start $EX
    expect 'stop without lvmlockd' 0 '' \$LVMA stop $EX
    summary"
  step "lvmlockd: $((SECONDS - t_lockd)) s"
}
lvmlockd_checks

# ---- system_id
check "node1: VG with system ID node1 on the shared disk" node1 '
  lvm_conf system_id; set -e
  pvcreate -qy $(vm_disk shared) && vgcreate -q vgsh $(vm_disk shared) && lvcreate -qy -n data -L 32M vgsh
  vgchange -q -an vgsh; [ "$(vgs --noheadings -o vg_systemid vgsh | tr -d " ")" = node1 ]'
check "node2: sees the VG as foreign" node2 'lvm_conf system_id; pvscan -q --cache >/dev/null; vgs --foreign vgsh >/dev/null'
check "node1: LVM-activate start" node1 "env $SID \$LVMA start"
check "node1: data written" node1 '
  mkfs.ext4 -q /dev/vgsh/data && mkdir -p /tmp/m && mount /dev/vgsh/data /tmp/m &&
  echo "written on node1 before the failure" >/tmp/m/proof && sync'
check "node2: probe finds it stopped" node2 "env $SID OCF_RESKEY_CRM_meta_interval=0 \$LVMA monitor; [ \$? = 7 ]"
check "node2: LVM refuses to activate node1's VG" node2 '
  ! lvchange -ay vgsh 2>/tmp/err && grep -q "system ID" /tmp/err && ! compgen -G "/sys/block/dm-*" >/dev/null'
step "powering node1 off hard"
"$vmlab" poweroff "$LAB" node1
check "node2: LVM-activate start takes the VG over" node2 "env $SID \$LVMA start"
check "node2: the VG now has system ID node2, autoactivation off" node2 '
  [ "$(vgs --noheadings -o vg_systemid,vg_autoactivation vgsh | xargs)" = node2 ]'
check "node2: monitor" node2 "env $SID $INTERVAL \$LVMA monitor"
check "node2: data written on node1 is readable" node2 '
  mkdir -p /tmp/m && mount /dev/vgsh/data /tmp/m && grep -qx "written on node1 before the failure" /tmp/m/proof && umount /tmp/m'
step "booting node1 again"
"$vmlab" boot "$LAB" node1
"$vmlab" ready "$LAB" node1
check "node1 (rebooted): probe finds it stopped" node1 "lvm_conf system_id; env $SID OCF_RESKEY_CRM_meta_interval=0 \$LVMA monitor; [ \$? = 7 ]"
check "node1 (rebooted): LVM refuses to activate node2's VG" node1 '! lvchange -ay vgsh 2>/dev/null && ! compgen -G "/sys/block/dm-*" >/dev/null'
check "node1: takes the VG over behind node2's back" node1 '
  vgchange -qy --config "local/extra_system_ids=[\"node2\"]" --systemid node1 vgsh >/dev/null'
# A recurring monitor re-reads the metadata once its last check is older than N = min(60 s,
# 10 intervals): at interval 100 ms N is 1 s, so after the sleep this one reads it. A probe
# always reads it.
notours="ocf-exit-reason:VG vgsh has system ID \\\"node1\\\", not ours (\\\"node2\\\")"
check "node2: recurring monitor notices the VG is no longer ours (last check older than N)" node2 "
  sleep 1.2; out=\$(env $SID OCF_RESKEY_CRM_meta_interval=100 \$LVMA monitor 2>&1); rc=\$?; echo \"\$out\"
  [ \$rc = 1 ] && grep -qF \"$notours\" <<<\"\$out\""
check "node2: a probe notices it too" node2 "
  out=\$(env $SID OCF_RESKEY_CRM_meta_interval=0 \$LVMA monitor 2>&1); rc=\$?; echo \"\$out\"
  [ \$rc = 1 ] && grep -qF \"$notours\" <<<\"\$out\""
check "node2: stop" node2 "env $SID \$LVMA stop && ! compgen -G '/sys/block/dm-*' >/dev/null"

# ---- tagging
check "node1: VG for tagging on the second disk" node1 '
  lvm_conf tagging; set -e
  pvcreate -qy $(vm_disk shared2) && vgcreate -q vgtg $(vm_disk shared2)
  lvcreate -qy -n data -L 16M vgtg --config "activation{volume_list=[\"vgtg\"]}"
  vgchange -q -an vgtg --config "activation{volume_list=[\"vgtg\"]}"'
check "node2: tagging lvm.conf" node2 'lvm_conf tagging; pvscan -q --cache >/dev/null; vgs vgtg >/dev/null'
check "node1: LVM-activate tagging start" node1 "env $TAG \$LVMA start"
check "node1: data written" node1 '
  mkfs.ext4 -q /dev/vgtg/data && mkdir -p /tmp/t && mount /dev/vgtg/data /tmp/t &&
  echo "tagged data from node1" >/tmp/t/proof && sync'
check "node2: plain activation is filtered out (volume_list)" node2 '
  vgchange -ay vgtg >/dev/null 2>&1; ! compgen -G "/sys/block/dm-*" >/dev/null'
check "node2: probe finds it stopped" node2 "env $TAG OCF_RESKEY_CRM_meta_interval=0 \$LVMA monitor; [ \$? = 7 ]"
step "powering node1 off hard"
"$vmlab" poweroff "$LAB" node1
check "node2: LVM-activate tagging start" node2 "env $TAG \$LVMA start"
check "node2: data written on node1 is readable" node2 '
  mkdir -p /tmp/t && mount /dev/vgtg/data /tmp/t && grep -qx "tagged data from node1" /tmp/t/proof && umount /tmp/t'
check "node2: stop" node2 "env $TAG \$LVMA stop"
step "done"
echo "lvm-shared: $passed passed, $failed failed"
[ "$failed" = 0 ]
