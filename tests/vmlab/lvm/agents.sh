#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Inside one VM (tests/vmlab/scenarios/10-lvm-agents.sh): ocf:rustha:LVM-activate and LVM under
# ocf-tester (system_id, tagging; legacy plain and exclusive), ocft (resource-agents' LVM config
# against our LVM; tests/ocft/LVM-activate.cfg), the error cases of the stock agent, and what the
# monitor must notice (a VG deactivated behind its back, an incomplete VG, a lost tag, a PV that
# vanished under an active LV), stop with a holder, the DRBD filter warning of validate-all.
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/vmlab/lvm/lib.sh
. "$REPO/tests/vmlab/lvm/lib.sh"
D0=$(vm_disk d0)
D1=$(vm_disk d1)
q() { "$@" >/dev/null 2>&1; }
recurring=(OCF_RESKEY_CRM_meta_interval=30000)
probe=(OCF_RESKEY_CRM_meta_interval=0)

vm_log "== system_id"
lvm_conf system_id
q pvcreate -y "$D0"
q vgcreate vgsid "$D0"
q lvcreate -y -n lv1 -L 16M vgsid
q lvcreate -y -n lv2 -L 16M vgsid
q vgchange -an vgsid
sid=(OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=system_id)
ocf_tester "LVM-activate system_id" "$LVMA" -o vgname=vgsid -o vg_access_mode=system_id

expect "probe of an inactive VG" 7 "" "$LVMA" monitor "${sid[@]}" "${probe[@]}"
expect "monitor without interval of an inactive VG" 7 "" "$LVMA" monitor "${sid[@]}"
expect "start" 0 "" "$LVMA" start "${sid[@]}"
[ "$(vgs --noheadings -o vg_autoactivation vgsid | tr -d ' ')" != enabled ] &&
  pass "start turned autoactivation off" || fail "autoactivation still on after start"
expect "monitor" 0 "" "$LVMA" monitor "${sid[@]}" "${recurring[@]}"
# A recurring monitor trusts an ownership check younger than N = min(60 s, 10 intervals) (start's
# here): no metadata read. Probes and depth 10 always read (the tag cases below).
run_ok "recurring monitor trusts start's ownership check (metadata not read)" \
  bash -c 'env OCF_RESOURCE_INSTANCE=t HA_debug=1 "$@" monitor 2>&1 | grep "metadata not read"' _ "${sid[@]}" "${recurring[@]}" "$LVMA"
expect "monitor depth 10" 0 "" "$LVMA" monitor "${sid[@]}" "${recurring[@]}" OCF_CHECK_LEVEL=10
q lvchange -an vgsid/lv2
expect "LV deactivated behind our back: incomplete" 1 "incompletely active: LV lv2" "$LVMA" monitor "${sid[@]}" "${recurring[@]}"
expect "start completes an incomplete VG" 0 "" "$LVMA" start "${sid[@]}"
q vgchange -an vgsid
expect "VG deactivated behind our back: probe" 7 "" "$LVMA" monitor "${sid[@]}" "${probe[@]}"
expect "VG deactivated behind our back: recurring monitor" 1 "vgsid is not active" "$LVMA" monitor "${sid[@]}" "${recurring[@]}"
expect "start again" 0 "" "$LVMA" start "${sid[@]}"
mkdir -p /tmp/mnt
q mkfs.ext4 -q /dev/vgsid/lv1
mount /dev/vgsid/lv1 /tmp/mnt
sleep 1000 9</dev/vgsid/lv2 &
holder=$!
t0=$SECONDS
expect "stop of a VG in use fails, naming the holders" 1 "mounted on /tmp/mnt" "$LVMA" stop "${sid[@]}" OCF_RESKEY_CRM_meta_timeout=10000
((SECONDS - t0 <= 10)) && pass "stop gave up within its timeout ($((SECONDS - t0)) s)" || fail "stop took $((SECONDS - t0)) s for a 10 s timeout"
umount /tmp/mnt
expect "stop names a process holding an LV" 1 "(sleep)" "$LVMA" stop "${sid[@]}" OCF_RESKEY_CRM_meta_timeout=8000
expect "monitor after the failed stop: lv1 stopped, lv2 held" 1 "incompletely active: LV lv1 not active" "$LVMA" monitor "${sid[@]}" "${recurring[@]}"
kill "$holder"
wait "$holder" 2>/dev/null
expect "stop" 0 "" "$LVMA" stop "${sid[@]}"
! compgen -G '/sys/block/dm-*' >/dev/null && pass "nothing active after stop" || fail "dm devices left: $(dmsetup ls)"
expect "recurring monitor after stop" 7 "" "$LVMA" monitor "${sid[@]}" "${recurring[@]}"

vm_log "== bad input"
expect "vgname unset" 6 "vgname" "$LVMA" start OCF_RESKEY_vg_access_mode=system_id
expect "vg_access_mode unset" 6 "vg_access_mode" "$LVMA" start OCF_RESKEY_vgname=vgsid
expect "vg_access_mode bogus" 6 "vg_access_mode \"bogus\"" "$LVMA" start OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=bogus
expect "vg_access_mode bogus: validate-all" 6 "vg_access_mode" "$LVMA" validate-all OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=bogus
expect "vg_access_mode bogus: probe" 7 "-" "$LVMA" monitor OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=bogus
expect "vg_access_mode bogus: stop" 0 "-" "$LVMA" stop OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=bogus
expect "activation_mode bogus" 6 "activation_mode" "$LVMA" start "${sid[@]}" OCF_RESKEY_activation_mode=both
expect "vgname with a space" 6 "vgname" "$LVMA" start OCF_RESKEY_vgname="vg sid" OCF_RESKEY_vg_access_mode=system_id
expect "tag with a space" 6 "tag" "$LVMA" start "${sid[@]}" OCF_RESKEY_tag="a b"
expect "VG that does not exist" 1 "doesn't exist" "$LVMA" start OCF_RESKEY_vgname=novg OCF_RESKEY_vg_access_mode=system_id
expect "LV that does not exist" 6 "vgsid/nolv does not exist" "$LVMA" start "${sid[@]}" OCF_RESKEY_lvname=nolv
expect "mode that does not match the VG" 6 "doesn't match" "$LVMA" start OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=lvmlockd
expect "clvmd absent" 5 "clvmd" "$LVMA" start OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=clvmd
expect "tagging without volume_list" 2 "volume_list" "$LVMA" start OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=tagging
expect "unknown action" 3 "-" "$LVMA" frobnicate "${sid[@]}"
expect "meta-data without environment" 0 "" "$LVMA" meta-data
xmllint --noout --dtdvalid /usr/share/resource-agents/ra-api-1.dtd <("$LVMA" meta-data) 2>/dev/null &&
  pass "LVM-activate meta-data valid for ra-api-1.dtd" || fail "LVM-activate meta-data not valid"
xmllint --noout --dtdvalid /usr/share/resource-agents/ra-api-1.dtd <("$LVML" meta-data) 2>/dev/null &&
  pass "LVM meta-data valid for ra-api-1.dtd" || fail "LVM meta-data not valid"

vm_log "== a PV vanishes under an active LV"
# A SCSI disk that can be deleted (scsi_debug), with two partitions: vgsd has a second PV (a
# loop device) and stays visible with a missing PV; vgsd1 lives on its partition alone and
# vanishes from LVM entirely (iSCSI loss).
modprobe scsi_debug dev_size_mb=48
udevadm settle
sd=""
for b in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*/block/*; do
  [ -e "$b" ] && sd=${b##*/}
done
# Two 20 MiB partitions of type LVM (0x8e) at sectors 2048 and 43008, written as a DOS
# partition table by hand (no partitioning tool is installed).
mbr() {
  printf '\x00\x00\x00\x00\x8e\x00\x00\x00\x00\x08\x00\x00\x00\xa0\x00\x00'
  printf '\x00\x00\x00\x00\x8e\x00\x00\x00\x00\xa8\x00\x00\x00\xa0\x00\x00'
}
if [ -n "$sd" ] && mbr | dd of="/dev/$sd" bs=1 seek=446 conv=notrunc status=none &&
  printf '\x55\xaa' | dd of="/dev/$sd" bs=1 seek=510 conv=notrunc status=none &&
  blockdev --rereadpt "/dev/$sd"; then
  udevadm settle
  p1=${sd}1 p2=${sd}2
  truncate -s 24M /tmp/pv2.img
  lo=$(losetup -f --show /tmp/pv2.img)
  run_ok "PVs on the SCSI disk" pvcreate -y "/dev/$p1" "/dev/$p2" "$lo"
  run_ok "VG vgsd" vgcreate vgsd "/dev/$p1" "$lo"
  run_ok "LV on the SCSI partition" lvcreate -y -n data -L 8M vgsd "/dev/$p1"
  run_ok "VG vgsd1" vgcreate vgsd1 "/dev/$p2"
  run_ok "LV of vgsd1" lvcreate -y -n data -L 8M vgsd1
  q vgchange -an vgsd vgsd1
  sd0=(OCF_RESKEY_vgname=vgsd OCF_RESKEY_vg_access_mode=system_id)
  sd1=(OCF_RESKEY_vgname=vgsd1 OCF_RESKEY_vg_access_mode=system_id OCF_RESOURCE_INSTANCE=t1)
  expect "start on the SCSI disk" 0 "" "$LVMA" start "${sd0[@]}"
  expect "start on the other partition" 0 "" "$LVMA" start "${sd1[@]}"
  echo 1 >"/sys/block/$sd/device/delete"
  udevadm settle
  expect "PV removed: monitor fails naming the device" 1 "uses device /dev/$p1, which no longer exists" "$LVMA" monitor "${sd0[@]}" "${recurring[@]}"
  expect "PV removed: probe fails too" 1 "no longer exists" "$LVMA" monitor "${sd0[@]}" "${probe[@]}"
  expect "PV removed: depth 10 fails" 1 "no longer exists" "$LVMA" monitor "${sd0[@]}" "${recurring[@]}" OCF_CHECK_LEVEL=10
  expect "PV removed: stop deactivates" 0 "" "$LVMA" stop "${sd0[@]}"
  expect "PV removed: start refused without partial_activation" 1 "missing 1 PV" "$LVMA" start "${sd0[@]}"
  expect "only PV removed: monitor fails" 1 "uses device /dev/$p2, which no longer exists" "$LVMA" monitor "${sd1[@]}" "${recurring[@]}"
  expect "only PV removed (VG gone for LVM): stop removes its devices" 0 "" "$LVMA" stop "${sd1[@]}"
  ! compgen -G '/sys/block/dm-*' >/dev/null && pass "no device left of the lost VGs" || fail "devices left: $(dmsetup ls)"
  q vgremove -ff vgsd
  losetup -d "$lo"
else
  fail "no scsi_debug disk to partition"
fi

vm_log "== validate-all and DRBD devices"
modprobe drbd
if drbdsetup new-resource rvm >/dev/null 2>&1 && drbdsetup new-minor rvm 9 0 >/dev/null 2>&1; then
  udevadm settle
  out=$(env OCF_RESOURCE_INSTANCE=t "${sid[@]}" "$LVMA" validate-all 2>&1)
  rc=$?
  [ $rc = 0 ] && grep -q 'does not exclude /dev/drbd9' <<<"$out" &&
    pass "validate-all warns: lvm.conf does not exclude /dev/drbd9" || fail "no DRBD filter warning (rc $rc): $out"
  lvm_conf filter
  out=$(env OCF_RESOURCE_INSTANCE=t "${sid[@]}" "$LVMA" validate-all 2>&1)
  [ $? = 0 ] && ! grep -q 'drbd' <<<"$out" && pass "no warning once global_filter rejects /dev/drbd" ||
    fail "warning despite the filter: $out"
  drbdsetup del-minor 9 >/dev/null 2>&1
  drbdsetup del-resource rvm >/dev/null 2>&1
else
  fail "cannot create a DRBD minor"
fi

vm_log "== ocft LVM-activate (own cases)"
lvm_conf system_id
ocft_run LVM-activate

vm_log "== tagging"
lvm_conf tagging
q pvcreate -y "$D1"
q vgcreate vgtag "$D1"
q lvcreate -y -n lv1 -L 8M vgtag --config 'activation{volume_list=["vgtag"]}'
q vgchange -an vgtag --config 'activation{volume_list=["vgtag"]}'
tg=(OCF_RESKEY_vgname=vgtag OCF_RESKEY_vg_access_mode=tagging)
ocf_tester "LVM-activate tagging" "$LVMA" -o vgname=vgtag -o vg_access_mode=tagging
expect "tagging start" 0 "" "$LVMA" start "${tg[@]}"
[ "$(vgs --noheadings -o vg_tags vgtag | tr -d ' ')" = pacemaker ] && pass "start tagged the VG" || fail "tag not set"
# The record of the last ownership check is fresh (start's) in each case: only the kind of
# monitor decides whether the metadata is read.
notours="no longer carries our tag \"pacemaker\""
q vgchange --deltag pacemaker vgtag
expect "tag removed behind our back: depth 10 notices at once" 1 "$notours" "$LVMA" monitor "${tg[@]}" "${recurring[@]}" OCF_CHECK_LEVEL=10
q vgchange --addtag pacemaker vgtag
expect "probe with our tag back" 0 "" "$LVMA" monitor "${tg[@]}" "${probe[@]}"
q vgchange --deltag pacemaker vgtag
expect "tag removed behind our back: probe notices at once" 1 "$notours" "$LVMA" monitor "${tg[@]}" "${probe[@]}"
q vgchange --addtag pacemaker vgtag
expect "probe with our tag back (again)" 0 "" "$LVMA" monitor "${tg[@]}" "${probe[@]}"
q vgchange --deltag pacemaker vgtag
sleep 1.2
expect "tag removed behind our back: recurring monitor notices once the check is older than N (1 s at interval 100 ms)" \
  1 "$notours" "$LVMA" monitor "${tg[@]}" OCF_RESKEY_CRM_meta_interval=100
q vgchange --addtag pacemaker vgtag
expect "tagging stop" 0 "" "$LVMA" stop "${tg[@]}"
[ -z "$(vgs --noheadings -o vg_tags vgtag | tr -d ' ')" ] && pass "stop removed the tag" || fail "tag left after stop"
expect "tag listed in volume_list" 2 "volume_list lists \"@vmlab-local\"" "$LVMA" start "${tg[@]}" OCF_RESKEY_tag=vmlab-local
expect "system_id without system_id_source" 2 "system_id_source" "$LVMA" start OCF_RESKEY_vgname=vgsid OCF_RESKEY_vg_access_mode=system_id
ocf_tester "LVM exclusive (tags)" "$LVML" -o volgrpname=vgtag -o exclusive=true
q vgchange --addtag node-old vgtag
expect "LVM exclusive start takes a foreign tag over" 0 "" "$LVML" start OCF_RESKEY_volgrpname=vgtag OCF_RESKEY_exclusive=true
[ "$(vgs --noheadings -o vg_tags vgtag | tr -d ' ')" = pacemaker ] && pass "legacy start replaced the foreign tag" || fail "tags: $(vgs --noheadings -o vg_tags vgtag)"
expect "LVM exclusive stop" 0 "" "$LVML" stop OCF_RESKEY_volgrpname=vgtag OCF_RESKEY_exclusive=true

vm_log "== legacy LVM, plain"
lvm_conf plain
expect "LVM: unset volgrpname" 6 "volgrpname" "$LVML" start
expect "LVM: a VG that does not exist" 1 "doesn't exist" "$LVML" start OCF_RESKEY_volgrpname=/dev/no_such_device
expect "LVM: monitor when not running" 7 "" "$LVML" monitor OCF_RESKEY_volgrpname=vgtag "${recurring[@]}"
ocft_run LVM

summary
