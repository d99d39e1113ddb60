# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks for the LVM agents inside a vmlab VM: `expect` runs an agent and compares its exit
# code and its one ocf-exit-reason line with what a user must see; a summary ends the run.
# Needs REPO (the checkout); sets LVMA (LVM-activate) and LVML (legacy LVM): the statically
# linked build `make install` ships when present, else the release build.
# shellcheck source=tests/vmlab/guest-lib.sh
. "$REPO/tests/vmlab/guest-lib.sh"
host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
bin=$REPO/target/${host:-x}/release
[ -x "$bin/LVM-activate" ] || bin=$REPO/target/release
export LVMA=$bin/LVM-activate LVML=$bin/LVM
export OCF_ROOT=/usr/lib/ocf HA_RSCTMP=/run/resource-agents LVM_SUPPRESS_FD_WARNINGS=1
mkdir -p "$HA_RSCTMP"
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }

# expect DESCRIPTION RC REASON AGENT ACTION [VAR=VALUE...]: REASON is a substring the one
# ocf-exit-reason line must contain ("" for none expected; "-" to not check).
expect() {
  local desc=$1 want=$2 reason=$3 agent=$4 action=$5 out rc lines
  shift 5
  out=$(env OCF_RESOURCE_INSTANCE=t "$@" "$agent" "$action" 2>&1 >/dev/null)
  rc=$?
  lines=$(grep -c '^ocf-exit-reason:' <<<"$out")
  if [ "$rc" != "$want" ]; then
    fail "$desc: exit $rc, expected $want; stderr: $(tail -2 <<<"$out" | tr '\n' ' ')"
  elif [ "$reason" = - ]; then
    pass "$desc ($rc)"
  elif [ -z "$reason" ] && [ "$lines" != 0 ]; then
    fail "$desc: unexpected reason: $(grep '^ocf-exit-reason:' <<<"$out")"
  elif [ -n "$reason" ] && { [ "$lines" != 1 ] || ! grep '^ocf-exit-reason:' <<<"$out" | grep -qF -- "$reason"; }; then
    fail "$desc: expected one reason containing '$reason', got $lines: $(grep '^ocf-exit-reason:' <<<"$out" | tr '\n' ' ')"
  else
    pass "$desc ($rc${reason:+, \"$(grep '^ocf-exit-reason:' <<<"$out" | cut -c17-)\"})"
  fi
}

# run_ok DESCRIPTION CMD...: a setup or check command that must succeed.
run_ok() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc: $(tail -3 <<<"$out" | tr '\n' ' ')"; fi
}

# lvm.conf variants: the host's file with settings added under `global {` / `activation {`.
lvm_conf() { # system_id|tagging|plain
  [ -e /tmp/lvm.conf.orig ] || cp /etc/lvm/lvm.conf /tmp/lvm.conf.orig
  cp /tmp/lvm.conf.orig /etc/lvm/lvm.conf
  case $1 in
  filter) sed -i '/^devices {/a\	global_filter = [ "r|^/dev/drbd|" ]' /etc/lvm/lvm.conf ;&
  system_id) sed -i '/^global {/a\	system_id_source = "uname"' /etc/lvm/lvm.conf ;;
  tagging) sed -i '/^activation {/a\	volume_list = [ "@vmlab-local" ]' /etc/lvm/lvm.conf ;;
  lockd) sed -i '/^global {/a\	use_lvmlockd = 1' /etc/lvm/lvm.conf ;;
  esac
}

# The lvmlockd stack of a Corosync cluster, in two steps so that every node's corosync runs before
# any node waits for quorum: `lockd_up NODE...` on each node (corosync.conf with the named VMs,
# two_node quorum, addresses from /etc/hosts; corosync started; use_lvmlockd=1), then
# `lockd_ready` on each (waits for quorum, i.e. every node joined, then dlm_controld and lvmlockd
# with lock manager dlm, and returns when lvmlockd answers). dlm_controld runs with
# enable_fencing=0: this lab has no fence device, and with fencing on dlm would wait for a fence
# that never comes once a node leaves. A real cluster fences.
lockd_up() {
  local id=0 node addr
  mkdir -p /etc/corosync /var/log/cluster /etc/dlm /run/lvm
  {
    printf 'totem {\n\tversion: 2\n\tcluster_name: lockd\n\ttransport: knet\n'
    printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n\ttoken: 3000\n}\n'
    printf 'logging {\n\tto_logfile: yes\n\tlogfile: /var/log/cluster/corosync.log\n\tto_syslog: no\n}\n'
    printf 'quorum {\n\tprovider: corosync_votequorum\n\ttwo_node: 1\n}\nnodelist {\n'
    for node in "$@"; do
      id=$((id + 1))
      addr=$(getent ahostsv4 "$node" | awk '{print $1; exit}')
      [ -n "$addr" ] || { echo "lockd_up: no address for $node" >&2; return 1; }
      printf '\tnode {\n\t\tname: %s\n\t\tnodeid: %d\n\t\tring0_addr: %s\n\t}\n' "$node" "$id" "$addr"
    done
    printf '}\n'
  } >/etc/corosync/corosync.conf
  echo enable_fencing=0 >/etc/dlm/dlm.conf
  lvm_conf lockd
  modprobe dlm || return 1
  mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config || return 1
  # Daemons detached, without the caller's descriptors (vmlab exec waits for its output's end).
  setsid corosync -f </dev/null >/var/log/cluster/corosync.out 2>&1 3>&- &
}

lockd_ready() {
  local end=$((SECONDS + 120))
  until corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes'; do
    ((SECONDS < end)) || { echo "lockd_ready: corosync not quorate after 120 s" >&2; corosync-quorumtool -s >&2; return 1; }
    sleep 0.5
  done
  setsid dlm_controld --foreground 1 </dev/null >/var/log/cluster/dlm_controld.out 2>&1 3>&- &
  end=$((SECONDS + 60))
  until dlm_tool status >/dev/null 2>&1; do
    ((SECONDS < end)) || { echo "lockd_ready: dlm_controld does not answer" >&2; tail -5 /var/log/cluster/dlm_controld.out >&2; return 1; }
    sleep 0.5
  done
  lvmlockd_start
}

# lvmlockd in the foreground, detached; its PID in /run/lvmlockd.rustha-pid (a test stops it).
lvmlockd_start() {
  local end=$((SECONDS + 60))
  setsid lvmlockd -f -g dlm </dev/null >>/var/log/cluster/lvmlockd.out 2>&1 3>&- &
  echo $! >/run/lvmlockd.rustha-pid
  until lvmlockctl -i >/dev/null 2>&1; do
    ((SECONDS < end)) || { echo "lvmlockd_start: lvmlockd does not answer" >&2; tail -5 /var/log/cluster/lvmlockd.out >&2; return 1; }
    sleep 0.5
  done
}

# lockspace_started VG: lvmlockd has VG's lockspace (lvm_VG in dlm) started on this node.
lockspace_started() { dlm_tool ls 2>/dev/null | grep -q "^name *lvm_$1\$"; }

# ocft_run NAME: run the ocft cases that scenarios/10-lvm-agents.sh made on the host (ocft make
# is slow under emulation) into $REPO/target/vmlab-ocft for config rustha-NAME.
ocft_run() {
  local name=$1 dir=$REPO/target/vmlab-ocft log bad ok
  mkdir -p /var/lib/resource-agents/ocft/cases
  cp "$dir"/cases/*"_rustha-$name.sh" /var/lib/resource-agents/ocft/cases/ ||
    { fail "ocft $name: no cases made"; return; }
  log=/tmp/ocft-$name.log
  (cd /tmp && ocft test "rustha-$name") >"$log" 2>&1
  bad=$(grep -c 'FAILED\|ERROR:' "$log")
  ok=$(grep -c "^rustha-$name: .* - .*OK" "$log")
  if [ "$bad" = 0 ] && [ "$ok" -gt 0 ]; then
    pass "ocft rustha-$name: $ok cases"
  else
    fail "ocft rustha-$name: $ok ok, $bad failures"
    grep -B2 -A3 'FAILED\|ERROR:' "$log" | head -40
  fi
}

ocf_tester() { # DESC AGENT -o ARG...
  local desc=$1 agent=$2 out
  shift 2
  # Under emulation LVM commands take seconds each: ocf-tester's 20 s would time out stock too.
  if out=$(ocf-tester -n t -o CRM_meta_timeout=90000 "$@" "$agent" 2>&1); then
    pass "ocf-tester $desc"
  else
    fail "ocf-tester $desc"
    echo "$out" | grep -v '^\s*$' | tail -15
  fi
}

summary() {
  echo "$VMLAB_NAME: $PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}
