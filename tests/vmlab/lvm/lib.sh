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
  esac
}

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
