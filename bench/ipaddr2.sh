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
. "$(dirname "$0")/lib.sh"
stock=/usr/lib/ocf/resource.d/heartbeat/IPaddr2

bench_root "network namespaces"
[ -x "$stock" ] || bench_die "stock agent $stock not found (apt-get install resource-agents)"
agent=$(bench_agent IPaddr2) || exit 1

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
import os
from benchlib import Table, must

ns, runs = os.environ["NS"], int(os.environ["RUNS"])
agents = [("stock", os.environ["STOCK"]), ("rustha", os.environ["OURS"])]
env = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
env.update({
    "OCF_ROOT": "/usr/lib/ocf", "HA_RSCTMP": os.environ["STATE"],
    "OCF_RESOURCE_INSTANCE": "bench-vip",
    "OCF_RESKEY_ip": "10.251.20.10", "OCF_RESKEY_cidr_netmask": "24", "OCF_RESKEY_nic": "eth0",
})

def call(argv, expect, extra=None):
    """One invocation through `ip netns exec`: (wall, cpu)."""
    return must(["ip", "netns", "exec", ns] + argv, expect, env=dict(env, **(extra or {})))

t = Table("IPaddr2")
floor = Table("floor")
recurring = {"OCF_RESKEY_CRM_meta_interval": "10000"}
# Both agents manage the same address, so one start serves both monitors. Runs alternate
# between the agents (and the floor) so that load from elsewhere hits all of them alike.
call([agents[0][1], "stop"], 0)
call([agents[0][1], "start"], 0)
for _ in range(runs):
    floor.add("floor", "stock", *call(["true"], 0))
    for name, path in agents:
        t.add("monitor", name, *call([path, "monitor"], 0, recurring))
call([agents[0][1], "stop"], 0)
for _ in range(runs):
    for name, path in agents:
        w1, c1 = call([path, "start"], 0)
        w2, c2 = call([path, "stop"], 0)
        t.add("start+stop", name, w1 + w2, c1 + c2)
for name, path in agents:
    call([path, "monitor"], 7, recurring)

fw, fc = floor.medians("floor", "stock")
print(f"floor (`ip netns exec NS true`): {fw:.1f} ms wall, {fc:.1f} ms CPU")
# start+stop is two invocations, so two floors.
t.show(f"IPaddr2 benchmark: {runs} runs each, medians per invocation, every call via `ip netns exec`",
       floor=(fw, fc, {"monitor": 1, "start+stop": 2}))
PY
