#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: ocf:heartbeat:Filesystem against ocf:rustha:Filesystem on ext4 loop devices, in one run.
#
#   bench/filesystem.sh [RUNS]          (root; default 30 runs per measurement)
#
# AGENT=/path/to/Filesystem selects our binary (default: the build `make install` ships). Each agent
# gets its own ext4 loop device (64 MiB) and mount point; runs alternate between the agents so
# load from elsewhere hits both alike. Reported per invocation: median wall-clock time and median
# CPU time (user+system of the agent and every child it waited for, from wait4), for
#   - monitor (depth 0, recurring),
#   - monitor at depth 20 (OCF_CHECK_LEVEL=20: status file written, synced, read back),
#   - stop+start (one stop and one start),
#   - stop of a mount held by 100 processes (sleep with their cwd on the mount; both agents at
#     their defaults: force_unmount=true, and for ours signal_delay=1), wall-clock only.
# The script runs in a private mount namespace (mounts are not copied into namespaces that
# others create meanwhile) and removes its mounts, loop devices and processes on exit.
set -u
runs=${1:-30}
. "$(dirname "$0")/lib.sh"
stock=/usr/lib/ocf/resource.d/heartbeat/Filesystem

bench_root "loop devices, mounts"
[ -x "$stock" ] || bench_die "stock agent $stock not found (apt-get install resource-agents)"
bench_need losetup mkfs.ext4 fuser modprobe python3 -- "the stock agent needs psmisc and kmod"
if [ -z "${RUSTHA_BENCH_PRIVATE_NS:-}" ]; then
	export RUSTHA_BENCH_PRIVATE_NS=1
	exec unshare -m --propagation private "$0" "$@"
fi
agent=$(bench_agent Filesystem) || exit 1

tmp=$(mktemp -d /tmp/rustha-bench-fs.XXXXXX)
loops=()
cleanup() {
	for d in "$tmp"/mnt-*; do umount -l "$d" 2>/dev/null; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
for name in stock rustha; do
	truncate -s 64M "$tmp/$name.img"
	mkfs.ext4 -q -F "$tmp/$name.img" || exit 1
	l=$(losetup -f --show "$tmp/$name.img") || exit 1
	loops+=("$l")
	mkdir "$tmp/mnt-$name"
	echo "$l" > "$tmp/$name.dev"
done

STOCK=$stock OURS=$agent RUNS=$runs TMP=$tmp python3 - <<'PY'
import os, subprocess, sys, time
from benchlib import Table, must as must_argv

runs, tmp = int(os.environ["RUNS"]), os.environ["TMP"]
agents = [("stock", os.environ["STOCK"]), ("rustha", os.environ["OURS"])]
base = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
base.update({"OCF_ROOT": "/usr/lib/ocf", "HA_RSCTMP": tmp, "OCF_RESOURCE_INSTANCE": "bench-fs",
             "HA_LOGFACILITY": "none"})
env = {}
for name, _ in agents:
    env[name] = dict(base, OCF_RESKEY_device=open(f"{tmp}/{name}.dev").read().strip(),
                     OCF_RESKEY_directory=f"{tmp}/mnt-{name}", OCF_RESKEY_fstype="ext4",
                     OCF_RESKEY_CRM_meta_timeout="60000")

def must(name, path, action, expect=0, extra=None):
    return must_argv([path, action], expect, env=dict(env[name], **(extra or {})))

t = Table("Filesystem")
recurring = {"OCF_RESKEY_CRM_meta_interval": "20000"}
for name, path in agents:
    must(name, path, "stop")
    must(name, path, "start")
for _ in range(runs):
    for name, path in agents:
        t.add("monitor", name, *must(name, path, "monitor", 0, recurring))
    for name, path in agents:
        t.add("monitor depth 20", name, *must(name, path, "monitor", 0, dict(recurring, OCF_CHECK_LEVEL="20")))
for _ in range(max(runs // 3, 5)):
    for name, path in agents:
        w1, c1 = must(name, path, "stop")
        w2, c2 = must(name, path, "start")
        t.add("stop+start", name, w1 + w2, c1 + c2)

# Stop of a mount held by 100 processes (wall-clock only: the holders' CPU is not the agent's).
holder_runs = 3
for _ in range(holder_runs):
    for name, path in agents:
        must(name, path, "start")
        mnt = env[name]["OCF_RESKEY_directory"]
        procs = [subprocess.Popen(["sleep", "600"], cwd=mnt) for _ in range(100)]
        time.sleep(0.3)
        try:
            w, _ = must(name, path, "stop")
            t.add("stop, 100 holders", name, w)
            time.sleep(0.05)
            survivors = sum(1 for p in procs if p.poll() is None)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()
        if survivors:
            sys.exit(f"{name}: {survivors} holders were still alive after stop")

for name, path in agents:
    must(name, path, "stop")

t.show(f"Filesystem benchmark: {runs} runs (stop+start {max(runs // 3, 5)}, 100-holder stop {holder_runs}), "
       "medians per invocation, ext4 on loop devices")
PY
