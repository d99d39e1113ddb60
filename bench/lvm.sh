#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: ocf:heartbeat:LVM-activate against ocf:rustha:LVM-activate, side by side in one VM
# (the host kernel has no device-mapper; tests/vmlab boots Debian's kernel under emulation).
#
#   bench/lvm.sh [RUNS]          (root; default 20 runs per measurement)
#
# BENCH_ASLR=off turns address space randomization off in the VM (for both agents): the emulator
# then no longer translates every exec's code afresh, which real hardware never does (see
# docs/benchmarks.md). AGENT=/path/to/LVM-activate selects our binary (default: the build `make install` ships: the
# statically linked one, as tools/agents.sh registers it). RUSTHA_VM_LOCK (default
# /tmp/rustha-vm.lock) and VMLAB_WIRE_PORT (default 12300) let a run beside another VM lab. Each agent gets its own VG (two LVs, system_id mode) on its own virtual
# disk; runs alternate between the agents. Reported per invocation: median wall-clock and CPU
# time (user+system of the agent and its children, from wait4) of a recurring monitor, a monitor
# at depth 10, a probe, and stop+start. Times are those of a software-emulated CPU: compare the
# ratios. Ours reads the VG metadata (the ownership check) in every probe and depth-10 monitor, and
# in a recurring monitor only when its last check is older than min(60 s, 10 intervals): the
# recurring monitors here follow a check by seconds, so the "monitor" row is the cheap kind and the
# "probe" row the kind with the read (at the default interval of 30 s, every other monitor).
set -u
runs=${1:-20}
. "$(dirname "$0")/lib.sh"
if [ -z "${VMLAB_NAME:-}" ]; then
	bench_root "qemu, the VM lab"
	agent=$(bench_agent LVM-activate) || exit 1
	# The VM lock, not the root lock (bench/run leaves benchmarks that take it to themselves).
	exec flock -o "${RUSTHA_VM_LOCK:-/tmp/rustha-vm.lock}" "$BENCH_REPO/tests/vmlab/vmlab" run --title bench-lvm \
		--vm bench --wire-port "${VMLAB_WIRE_PORT:-12300}" --disk d0:64M --disk d1:64M --timeout 1200 "$0" "$runs" "$agent" "${BENCH_ASLR:-on}"
fi
# Inside the VM.
agent=$2
aslr=${3:-on}
if [ "$aslr" = off ]; then
	# The emulator (qemu TCG) translates code per virtual address: with ASLR every exec of a
	# position-independent program (bash, dmsetup, the shared libraries, our static-pie agent)
	# is translated afresh, a cost real hardware does not have. Off, both agents are measured
	# without that artifact.
	echo 0 >/proc/sys/kernel/randomize_va_space || exit 1
fi
stock=/usr/lib/ocf/resource.d/heartbeat/LVM-activate
[ -x "$stock" ] || { echo "stock agent $stock not found (apt-get install resource-agents)"; exit 1; }
sed -i '/^global {/a\	system_id_source = "uname"' /etc/lvm/lvm.conf
for pair in stock:d0 rustha:d1; do
	name=${pair%:*} disk=$(readlink -f "/dev/vmlab/${pair#*:}")
	{ pvcreate -qy "$disk" && vgcreate -q "vg$name" "$disk" && lvcreate -qy -n a -L 8M "vg$name" &&
		lvcreate -qy -n b -L 8M "vg$name" && vgchange -q -an "vg$name"; } >/dev/null || exit 1
done
STOCK=$stock OURS=$agent RUNS=$runs ASLR=$aslr python3 - <<'PY'
import os
from benchlib import Table, must as must_argv

runs = int(os.environ["RUNS"])
agents = [("stock", os.environ["STOCK"]), ("rustha", os.environ["OURS"])]
base = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
base.update({"OCF_ROOT": "/usr/lib/ocf", "HA_RSCTMP": "/run/resource-agents", "HA_LOGFACILITY": "none",
             "OCF_RESKEY_vg_access_mode": "system_id", "OCF_RESKEY_CRM_meta_timeout": "90000"})
os.makedirs("/run/resource-agents", exist_ok=True)
env = {n: dict(base, OCF_RESOURCE_INSTANCE=f"bench-{n}", OCF_RESKEY_vgname=f"vg{n}") for n, _ in agents}

def must(name, path, action, extra=None):
    return must_argv([path, action], 0, env=dict(env[name], **(extra or {})))

t = Table("LVM-activate")
recurring = {"OCF_RESKEY_CRM_meta_interval": "30000"}
probe = {"OCF_RESKEY_CRM_meta_interval": "0"}
for name, path in agents:
    must(name, path, "start")
for _ in range(runs):
    for name, path in agents:
        t.add("monitor", name, *must(name, path, "monitor", recurring))
    for name, path in agents:
        t.add("monitor depth 10", name, *must(name, path, "monitor", dict(recurring, OCF_CHECK_LEVEL="10")))
    for name, path in agents:
        t.add("probe", name, *must(name, path, "monitor", probe))
ss = max(runs // 4, 3)
for _ in range(ss):
    for name, path in agents:
        w1, c1 = must(name, path, "stop")
        w2, c2 = must(name, path, "start")
        t.add("stop+start", name, w1 + w2, c1 + c2)
for name, path in agents:
    must(name, path, "stop")

aslr = os.environ["ASLR"]
t.show(f"LVM-activate benchmark (in a software-emulated VM, ASLR {aslr}): {runs} runs, stop+start {ss}, medians per invocation")
PY
