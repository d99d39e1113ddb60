#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM lab itself: two VMs on one wire sharing a disk; LVM on the shared disk; a hard power
# off keeps what was written; a VM boots again with a one-shot script; a foreground boot (as
# ipmi_sim's startcmd runs it) is powered off by TERM; destroy leaves nothing behind.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
vmlab=$here/vmlab
LAB=$(mktemp -d /tmp/vmlab-selftest.XXXXXX)
rmdir "$LAB"
trap '"$vmlab" destroy "$LAB"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$vmlab" create "$LAB" --vm node1 --vm node2 --disk shared:64M --wire-port 12310 >/dev/null
"$vmlab" boot "$LAB" node1
"$vmlab" boot "$LAB" node2
"$vmlab" ready "$LAB" node1
"$vmlab" ready "$LAB" node2
"$vmlab" status "$LAB" | grep -qx 'node2 on' || fail "status does not say node2 on"

out=$("$vmlab" exec "$LAB" node1 'hostname; ping -c1 -W5 node2 >/dev/null && echo wire-ok')
[ "$out" = $'node1\nwire-ok' ] || fail "node1: hostname/wire: $out"
rc=0; "$vmlab" exec "$LAB" node2 'exit 7' || rc=$?
[ $rc = 7 ] || fail "exec did not return the command's status (7): $rc"

"$vmlab" exec "$LAB" node1 '
  set -e
  d=$(readlink -f /dev/vmlab/shared)
  pvcreate -q -y "$d"; vgcreate -q vmlabvg "$d"; lvcreate -q -y -n lv0 -L 8M vmlabvg
  echo "written-by-node1" | dd of=/dev/vmlabvg/lv0 bs=512 conv=sync oflag=direct status=none
  ls /sys/block/dm-0/slaves'
"$vmlab" poweroff "$LAB" node1
"$vmlab" status "$LAB" node1 >/dev/null && fail "node1 still on after poweroff"
"$vmlab" exec -t 5 "$LAB" node1 true 2>/dev/null && fail "exec on a VM that is off succeeded"

out=$("$vmlab" exec "$LAB" node2 '
  pvscan -q --cache >/dev/null; vgchange -q -ay vmlabvg >/dev/null
  dd if=/dev/vmlabvg/lv0 bs=512 count=1 iflag=direct status=none | tr -d "\0"
  vgchange -q -an vmlabvg >/dev/null')
[ "$out" = written-by-node1 ] || fail "node2 did not read node1's data: $out"

printf '%s\n' 'echo "$(hostname) again, args: $*"; exit 3' >"$LAB/again.sh"
"$vmlab" boot "$LAB" node1 --script "$LAB/again.sh" one two
rc=0; out=$("$vmlab" wait "$LAB" node1 300) || rc=$?
[ $rc = 3 ] && [ "$out" = "[node1] node1 again, args: one two" ] || fail "script run: rc $rc: $out"

"$vmlab" poweroff "$LAB" node2
"$vmlab" boot "$LAB" node2 --foreground &
pid=$!
for _ in $(seq 50); do "$vmlab" status "$LAB" node2 >/dev/null && break; sleep 0.1; done
"$vmlab" status "$LAB" node2 >/dev/null || fail "foreground boot: node2 not on"
kill -TERM "$pid"
wait "$pid" || true
"$vmlab" status "$LAB" node2 >/dev/null && fail "node2 on after TERM to its foreground qemu"

"$vmlab" destroy "$LAB"
[ ! -e "$LAB" ] || fail "destroy left $LAB"
trap - EXIT
echo "vmlab self-test: ok"
