#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: ocf:heartbeat:IPaddr2 against ocf:rustha:IPaddr2 on the same address, in one run.
#
#   bench/ipaddr2.sh [RUNS]            (root; default 50 runs per measurement)
#
# AGENT=/path/to/IPaddr2 selects our binary (default: the build `make install` ships). Both agents run
# in a network namespace this script creates (veth pair, base address 10.251.20.1/24) through
# `ip netns exec`, so both pay the same ~2 ms floor, which is measured too. Reported per
# invocation: median wall-clock time and median CPU time (user+system of the agent and all the
# children it waited for, from wait4), for
#   - monitor of a running address (recurring monitor: OCF_RESKEY_CRM_meta_interval=10000),
#   - start+stop (one start and one stop; ARPs in the background as both agents default to
#     for IPv4, so neither waits for them).
set -u
runs=${1:-50}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
stock=/usr/lib/ocf/resource.d/heartbeat/IPaddr2

[ "$(id -u)" = 0 ] || { echo "bench/ipaddr2.sh needs root (network namespaces)"; exit 1; }
[ -x "$stock" ] || { echo "stock agent $stock not found (apt-get install resource-agents)"; exit 1; }
agent=${AGENT:-}
if [ -z "$agent" ]; then
	agent=$("$repo/tools/agent-path.sh" IPaddr2) || exit 1
fi

ns=rustha-bench-$$
tmp=$(mktemp -d /tmp/rustha-bench.XXXXXX)
cleanup() {
	ip netns pids "$ns" 2>/dev/null | while read -r pid; do kill "$pid" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns" || exit 1
ip link add eth0 netns "$ns" type veth peer name eth1 netns "$ns" || exit 1
for l in lo eth0 eth1; do ip -n "$ns" link set "$l" up; done
ip -n "$ns" addr add 10.251.20.1/24 brd 10.251.20.255 dev eth0

NS=$ns STOCK=$stock OURS=$agent RUNS=$runs STATE=$tmp python3 - <<'PY'
import os, statistics, subprocess, sys, time

ns, runs = os.environ["NS"], int(os.environ["RUNS"])
agents = [("stock", os.environ["STOCK"]), ("rustha", os.environ["OURS"])]
env = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
env.update({
    "OCF_ROOT": "/usr/lib/ocf", "HA_RSCTMP": os.environ["STATE"],
    "OCF_RESOURCE_INSTANCE": "bench-vip",
    "OCF_RESKEY_ip": "10.251.20.10", "OCF_RESKEY_cidr_netmask": "24", "OCF_RESKEY_nic": "eth0",
})

def run(argv, extra=None):
    """One invocation: (wall seconds, cpu seconds, exit code)."""
    e = dict(env, **(extra or {}))
    t = time.perf_counter()
    p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, env=e,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, p.returncode

def must(argv, expect, extra=None):
    w, c, rc = run(argv, extra)
    if rc != expect:
        sys.exit(f"{argv} returned {rc}, expected {expect}")
    return w, c

def med(xs):
    return statistics.median(xs) * 1000

floor, mon, ss = [], {n: [] for n, _ in agents}, {n: [] for n, _ in agents}
recurring = {"OCF_RESKEY_CRM_meta_interval": "10000"}
# Both agents manage the same address, so one start serves both monitors. Runs alternate
# between the agents (and the floor) so that load from elsewhere hits all of them alike.
must([agents[0][1], "stop"], 0)
must([agents[0][1], "start"], 0)
for _ in range(runs):
    floor.append(must(["true"], 0))
    for name, path in agents:
        mon[name].append(must([path, "monitor"], 0, recurring))
must([agents[0][1], "stop"], 0)
for _ in range(runs):
    for name, path in agents:
        w1, c1 = must([path, "start"], 0)
        w2, c2 = must([path, "stop"], 0)
        ss[name].append((w1 + w2, c1 + c2))
for name, path in agents:
    must([path, "monitor"], 7, recurring)

def both(xs):
    return med([w for w, _ in xs]), med([c for _, c in xs])

f = both(floor)
print(f"IPaddr2 benchmark: {runs} runs each, medians per invocation, every call via `ip netns exec`")
print(f"floor (`ip netns exec NS true`): {f[0]:.1f} ms wall, {f[1]:.1f} ms CPU")
print(f"{'operation':<12} {'stock wall':>11} {'rustha wall':>12} {'ratio':>7}   {'stock CPU':>10} {'rustha CPU':>11} {'ratio':>7}")
for op, data in [("monitor", mon), ("start+stop", ss)]:
    s, r = both(data["stock"]), both(data["rustha"])
    print(f"{op:<12} {s[0]:>9.1f}ms {r[0]:>10.1f}ms {s[0] / r[0]:>6.1f}x   {s[1]:>8.1f}ms {r[1]:>9.1f}ms {s[1] / r[1]:>6.1f}x")
# The same, less the floor (start+stop is two invocations, so two floors).
print("above the floor (the agents' own cost):")
for op, data, n in [("monitor", mon, 1), ("start+stop", ss, 2)]:
    s, r = both(data["stock"]), both(data["rustha"])
    sw, rw = s[0] - n * f[0], max(r[0] - n * f[0], 0.05)
    sc, rc = s[1] - n * f[1], max(r[1] - n * f[1], 0.05)
    print(f"{op:<12} {sw:>9.1f}ms {rw:>10.1f}ms {sw / rw:>6.1f}x   {sc:>8.1f}ms {rc:>9.1f}ms {sc / rc:>6.1f}x")
PY
