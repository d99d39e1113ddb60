#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: ocf:linbit:drbd against ocf:rustha:drbd in the DRBD cluster lab (two VMs under
# Pacemaker, tests/vmlab/drbd/cluster.sh), in one run:
#   - monitor of the promoted r0, both agents alternating (median wall-clock and CPU, ratio);
#   - the failover of tests/vmlab/scenarios/30-drbd-stack.sh step 3 (the promoted VM powered off
#     hard) with the stock stack (drbd.ocf, Filesystem, IPaddr2, fence_ipmilan,
#     crm-fence-peer.9.sh) and with ours: time to fence, to promote, to the VIP answering, and the
#     agents' share (the survivor's operation exec-times Pacemaker recorded).
#   bench/drbd.sh [RUNS]     (root; default 20 monitor runs per agent; about 12 minutes)
set -euo pipefail
if [ -z "${DRBD_BENCH_LOCKED:-}" ]; then
  DRBD_BENCH_LOCKED=1 exec flock /tmp/rustha-vm.lock "$0" "$@"
fi
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/vmlab/drbd/cluster.sh"
[ "$(id -u)" = 0 ] || { echo "bench/drbd.sh needs root"; exit 1; }

# the survivor's agent operations since the failure: their exec-time (ms) from the CIB status,
# the sum first, then each operation; and the fence action's duration from the fencer's log
agents_share() { # VM SINCE
  cl_exec "$1" "cibadmin -Q --scope status" | python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read()); me = sys.argv[1]; since = int(sys.argv[2]); total = 0; ops = []
for ns in root.iter("node_state"):
    if ns.get("uname") != me: continue
    for rsc in ns.iter("lrm_resource"):
        for op in rsc.iter("lrm_rsc_op"):
            kind = op.get("operation")
            if int(op.get("last-rc-change", "0")) >= since and kind in ("promote", "start", "notify", "demote", "stop"):
                ms = int(op.get("exec-time", "0")); total += ms
                ops.append("%s %s %d ms" % (rsc.get("id"), kind, ms))
print(total, "; ".join(ops))' "$1" "$2"
}

fence_ms() { # VM TARGET: the fence action's duration on VM (its log: requested -> OK)
  cl_exec "$1" "cat /var/log/pacemaker/pacemaker.log" | python3 -c '
import re, sys, datetime
t0 = t1 = None; tgt = sys.argv[1]
for line in sys.stdin:
    m = re.match(r"(\w{3} +\d+ \d+:\d+:\d+\.\d+) ", line)
    if not m: continue
    when = datetime.datetime.strptime(m.group(1), "%b %d %H:%M:%S.%f")
    if t0 is None and re.search(r"Requesting that \S+ perform .(reboot|off). action targeting " + tgt, line): t0 = when
    if t0 and re.search(r"Operation .(reboot|off). targeting " + tgt + r" by \S+ for \S+: OK", line): t1 = when; break
print(int((t1 - t0).total_seconds() * 1000) if t0 and t1 else "?")' "$2"
}

failover() { # STACK -> prints one result line
  local stack=$1 p s t0 fenced promoted vip since share
  cl_up "$stack" >/dev/null
  p=$(cl_promoted)
  s=$([ "$p" = n1 ] && echo n2 || echo n1)
  if [ "$stack" = ours ]; then
    echo "monitor, $runs runs each, on $p (promoted):"
    cl_exec "$p" "python3 $CL_HERE/bench-monitor.py $runs"
  fi
  since=$(cl_exec "$s" 'date +%s')
  t0=$SECONDS
  "$VMLAB" poweroff "$CL_LAB" "$p"
  fenced=""; promoted=""; vip=""
  while ((SECONDS - t0 < 240)); do
    [ -n "$fenced" ] || { cl_exec "$s" "stonith_admin --history $p" 2>/dev/null | grep -Eq "(reboot|off) of $p successful" && fenced=$((SECONDS - t0)); }
    [ -n "$promoted" ] || { [ "$(cl_promoted)" = "$s" ] && promoted=$((SECONDS - t0)); }
    [ -n "$vip" ] || { cl_vip_answers && vip=$((SECONDS - t0)); }
    [ -n "$fenced" ] && [ -n "$promoted" ] && [ -n "$vip" ] && break
    sleep 1
  done
  share=$(agents_share "$s" "$since")
  echo "failover $stack: fenced ${fenced:-never} s, promoted ${promoted:-never} s, VIP ${vip:-never} s after the power-off"
  echo "  resource agents' operations on $s: ${share%% *} ms (${share#* })"
  echo "  fence action (requested -> done, fence agent and BMC): $(fence_ms "$s" "$p") ms"
  FAILOVER_SHARE[$stack]=${share%% *}
  cl_down
  trap - EXIT
}

declare -A FAILOVER_SHARE
failover ours
failover stock
o=${FAILOVER_SHARE[ours]:-0} s=${FAILOVER_SHARE[stock]:-0}
if [ "$o" -gt 0 ]; then
  echo "agents' share of the failover: stock ${s} ms, rustha ${o} ms, ratio $(python3 -c "print(f'{$s/$o:.1f}')")x"
  echo "ratio: drbd failover: resource agents' operations on the survivor $(python3 -c "print(f'{$s/$o:.1f}')")x"
fi
