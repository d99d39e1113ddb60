#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: ocf:heartbeat:LVM-activate against ocf:rustha:LVM-activate, side by side in one VM
# (the host kernel has no device-mapper; tests/vmlab boots Debian's kernel under emulation).
#
#   bench/lvm.sh [RUNS]          (root; default 20 runs per measurement)
#
# AGENT=/path/to/LVM-activate selects our binary (default: the build `make install` ships, else
# the release build). Each agent gets its own VG (two LVs, system_id mode) on its own virtual
# disk; runs alternate between the agents. Reported per invocation: median wall-clock and CPU
# time (user+system of the agent and its children, from wait4) of a recurring monitor, a monitor
# at depth 10, and stop+start. Times are those of a software-emulated CPU: compare the ratios.
set -u
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
if [ -z "${VMLAB_NAME:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/lvm.sh needs root (qemu, the VM lab)"; exit 1; }
	agent=${AGENT:-}
	if [ -z "$agent" ]; then
		agent=$("$repo/tools/agent-path.sh" LVM-activate 2>/dev/null)
		[ -x "$agent" ] || { cargo build -q --release -p lvm-activate && agent=$repo/target/release/LVM-activate; }
	fi
	exec flock /tmp/rustha-vm.lock "$repo/tests/vmlab/vmlab" run --title bench-lvm --vm bench \
		--disk d0:64M --disk d1:64M --timeout 1200 "$0" "$runs" "$agent"
fi
# Inside the VM.
agent=$2
stock=/usr/lib/ocf/resource.d/heartbeat/LVM-activate
[ -x "$stock" ] || { echo "stock agent $stock not found (apt-get install resource-agents)"; exit 1; }
sed -i '/^global {/a\	system_id_source = "uname"' /etc/lvm/lvm.conf
for pair in stock:d0 rustha:d1; do
	name=${pair%:*} disk=$(readlink -f "/dev/vmlab/${pair#*:}")
	{ pvcreate -qy "$disk" && vgcreate -q "vg$name" "$disk" && lvcreate -qy -n a -L 8M "vg$name" &&
		lvcreate -qy -n b -L 8M "vg$name" && vgchange -q -an "vg$name"; } >/dev/null || exit 1
done
STOCK=$stock OURS=$agent RUNS=$runs python3 - <<'PY'
import os, statistics, subprocess, sys, time

runs = int(os.environ["RUNS"])
agents = [("stock", os.environ["STOCK"]), ("rustha", os.environ["OURS"])]
base = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
base.update({"OCF_ROOT": "/usr/lib/ocf", "HA_RSCTMP": "/run/resource-agents", "HA_LOGFACILITY": "none",
             "OCF_RESKEY_vg_access_mode": "system_id", "OCF_RESKEY_CRM_meta_timeout": "90000"})
os.makedirs("/run/resource-agents", exist_ok=True)
env = {n: dict(base, OCF_RESOURCE_INSTANCE=f"bench-{n}", OCF_RESKEY_vgname=f"vg{n}") for n, _ in agents}

def run(name, path, action, extra=None):
    e = dict(env[name], **(extra or {}))
    t = time.perf_counter()
    p = subprocess.Popen([path, action], env=e, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)

def must(name, path, action, extra=None):
    w, c, rc = run(name, path, action, extra)
    if rc != 0:
        sys.exit(f"{name} {action} returned {rc}")
    return w, c

results = {}
def record(op, name, w, c):
    ws, cs = results.setdefault((op, name), ([], []))
    ws.append(w)
    cs.append(c)

recurring = {"OCF_RESKEY_CRM_meta_interval": "30000"}
for name, path in agents:
    must(name, path, "start")
for _ in range(runs):
    for name, path in agents:
        record("monitor", name, *must(name, path, "monitor", recurring))
    for name, path in agents:
        record("monitor depth 10", name, *must(name, path, "monitor", dict(recurring, OCF_CHECK_LEVEL="10")))
ss = max(runs // 4, 3)
for _ in range(ss):
    for name, path in agents:
        w1, c1 = must(name, path, "stop")
        w2, c2 = must(name, path, "start")
        record("stop+start", name, w1 + w2, c1 + c2)
for name, path in agents:
    must(name, path, "stop")

med = lambda xs: statistics.median(xs) * 1000
print(f"LVM-activate benchmark (in a software-emulated VM): {runs} runs, stop+start {ss}, medians per invocation")
print(f"{'operation':<18}{'stock wall':>12}{'rustha wall':>13}{'ratio':>8}{'stock CPU':>12}{'rustha CPU':>12}{'ratio':>8}")
for op in ["monitor", "monitor depth 10", "stop+start"]:
    sw, sc = results[(op, "stock")]
    rw, rc = results[(op, "rustha")]
    print(f"{op:<18}{med(sw):>10.1f}ms{med(rw):>11.1f}ms{med(sw) / med(rw):>7.1f}x"
          f"{med(sc):>10.1f}ms{med(rc):>10.1f}ms{med(sc) / max(med(rc), 1e-3):>7.1f}x")
PY
