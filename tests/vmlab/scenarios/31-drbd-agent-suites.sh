#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf:rustha:drbd against a suite we did not write (issue 12, scenario 5), on a real DRBD 8.4
# pair in two VMs: resource-agents' ocft drbd.linbit config pointed at our agent (its two-node
# cases run on n2 over ssh, as ocft does). ocft takes ~60 s a case under emulation (~13 min):
# it runs only with RUSTHA_VM_LONG=1, left out of make test's budget, and says so.
# ocf-tester runs in scenario 30 (step 0), on the DRBD pair that scenario boots anyway.
set -euo pipefail
if [ "${RUSTHA_VM_LONG:-0}" != 1 ]; then
  echo "ocft drbd.linbit: NOT RUN (make test's time budget; RUSTHA_VM_LONG=1 runs it)"
  exit 0
fi
CL_PORT=${CL_PORT:-12361}
. "$(dirname "$0")/../drbd/cluster.sh"

CL_LAB=$(mktemp -d /tmp/vmlab-drbd.XXXXXX)
rmdir "$CL_LAB"
trap cl_down EXIT
"$VMLAB" create "$CL_LAB" --vm n1 --vm n2 --disk b1:160M:n1 --disk b2:160M:n2 --wire-port "$CL_PORT" >/dev/null
cl_bin
echo "LAB_BIN=$CL_LAB/bin" >"$CL_LAB/cluster.env"
"$VMLAB" boot "$CL_LAB" n1
"$VMLAB" boot "$CL_LAB" n2
"$VMLAB" ready "$CL_LAB" n1 || cl_fail "n1 did not boot"
"$VMLAB" ready "$CL_LAB" n2 || cl_fail "n2 did not boot"
for vm in n1 n2; do cl_exec "$vm" "bash $CL_HERE/guest-node.sh setup ours" || cl_fail "$vm: setup"; done
for vm in n1 n2; do cl_exec "$vm" "bash $CL_HERE/guest-node.sh init-md" || cl_fail "$vm: init-md"; done
cl_wait 60 "DRBD connected" cl_exec n1 'grep -q "cs:Connected" /proc/drbd' || cl_fail "DRBD did not connect"
cl_exec n1 'drbdadm -- --clear-bitmap new-current-uuid r0' || cl_fail "new-current-uuid"
cl_wait 30 "UpToDate" cl_exec n2 'grep -q "ds:UpToDate/UpToDate" /proc/drbd' || cl_fail "not UpToDate"
cl_exec n1 'drbdadm down r0'
cl_exec n2 'drbdadm down r0'
cl_log "DRBD pair ready"

# ocft: n1 runs it; n2 answers ssh (key made here) and has the ocft0 resource up
T=$SECONDS
mkdir -p "$CL_LAB/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$CL_LAB/ssh/id" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$CL_LAB/ssh/host" </dev/null
cl_exec n2 "mkdir -p /root/.ssh /run/sshd && cp $CL_LAB/ssh/id.pub /root/.ssh/authorized_keys && chmod 700 /root/.ssh &&
  /usr/sbin/sshd -o HostKey=$CL_LAB/ssh/host -o PermitRootLogin=prohibit-password -o UsePAM=no -o ListenAddress=10.253.0.2" || cl_fail "n2: sshd"
cl_exec n1 "mkdir -p /root/.ssh && cp $CL_LAB/ssh/id /root/.ssh/id_ed25519 && chmod 700 /root/.ssh && chmod 600 /root/.ssh/id_ed25519 &&
  printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n' >/root/.ssh/config &&
  ssh 10.253.0.2 true" || cl_fail "n1 cannot ssh to n2"
# ocft's setup waits on n1 for the peer: n2 brings ocft0 up with the configuration ocft writes
# on n1 (the same text, at the same place: HA_RSCTMP/ocft_drbd_tmp.conf)
conf="global { usage-count no; }
resource ocft0 { protocol C; disk { on-io-error detach; }
  on n1 { device /dev/drbd0; address 10.253.0.1:5735; meta-disk internal; disk /dev/vgdata/r0; }
  on n2 { device /dev/drbd0; address 10.253.0.2:5735; meta-disk internal; disk /dev/vgdata/r0; } }"
printf '%s\n' "$conf" >"$CL_LAB/ocft_drbd_tmp.conf"
cl_exec n2 "mkdir -p /run/resource-agents && cp $CL_LAB/ocft_drbd_tmp.conf /run/resource-agents/ &&
  drbdadm -c /run/resource-agents/ocft_drbd_tmp.conf up ocft0" || cl_fail "n2: ocft0 up"
out=$(CL_EXEC_TIMEOUT=900 cl_exec n1 "bash $CL_HERE/ocft-drbd.sh $CL_LAB/bin 2>&1" || true)
echo "$out" | grep -E "drbd-rustha|FAILED|ERROR|WARNING" | head -40
failed=$(grep -c 'FAILED\|ERROR:\|WARNING:' <<<"$out" || true)
passed=$(grep -c "^drbd-rustha: .* - .*OK" <<<"$out" || true)
cl_log "ocft drbd.linbit: $passed cases passed, $failed failure lines ($((SECONDS - T)) s)"
[ "$failed" = 0 ] && [ "$passed" -ge 12 ] || cl_fail "ocft drbd.linbit did not pass"
cl_log "drbd agent suites: ok"
