#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Inside a VM of the DRBD cluster lab: monitor of r0 by ocf:linbit:drbd and ocf:rustha:drbd,
alternating, RUNS times each, as Pacemaker runs a recurring monitor. Prints median wall-clock and
CPU (user+system of the agent and every child it waited for, from wait4) and the ratios.
A separate instance name keeps the benchmark's promotion score apart from the cluster's."""
import os, statistics, subprocess, sys, time

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
agents = [("stock", "/usr/lib/ocf/resource.d/linbit/drbd"), ("rustha", "/usr/lib/ocf/resource.d/rustha/drbd")]
env = {k: v for k, v in os.environ.items() if not k.startswith(("OCF_", "HA_"))}
env.update({
    "OCF_ROOT": "/usr/lib/ocf", "HA_RSCTMP": "/run/resource-agents", "HA_LOGFACILITY": "none",
    "OCF_RESOURCE_INSTANCE": "bench_r0:0", "OCF_RESKEY_drbd_resource": "r0",
    "OCF_RESKEY_CRM_meta_interval": "15000", "OCF_RESKEY_CRM_meta_timeout": "20000",
    "OCF_RESKEY_CRM_meta_notify": "true", "OCF_RESKEY_CRM_meta_clone_max": "2",
    "OCF_RESKEY_CRM_meta_clone_node_max": "1", "OCF_RESKEY_CRM_meta_master_max": "1",
    "OCF_RESKEY_CRM_meta_master_node_max": "1", "OCF_RESKEY_CRM_meta_promoted_max": "1",
    "OCF_RESKEY_CRM_meta_promoted_node_max": "1",
})
os.makedirs("/run/resource-agents", exist_ok=True)

def run(path):
    t = time.perf_counter()
    p = subprocess.Popen([path, "monitor"], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)

res = {name: ([], []) for name, _ in agents}
codes = {name: set() for name, _ in agents}
for _ in range(runs):
    for name, path in agents:
        w, c, rc = run(path)
        res[name][0].append(w)
        res[name][1].append(c)
        codes[name].add(rc)
for name, _ in agents:
    w, c = res[name]
    print(f"  {name:6} monitor: wall {statistics.median(w)*1000:8.1f} ms  cpu {statistics.median(c)*1000:8.1f} ms  (exit codes {sorted(codes[name])})")
sw, sc = (statistics.median(x) for x in res["stock"])
ow, oc = (statistics.median(x) for x in res["rustha"])
print(f"  ratio stock/rustha: wall {sw/ow:.1f}x  cpu {sc/max(oc, 1e-6):.1f}x")
print(f"ratio: drbd monitor: wall {sw/ow:.1f}x, CPU {sc/max(oc, 1e-6):.1f}x")
if codes["stock"] != codes["rustha"]:
    print("  EXIT CODES DIFFER", file=sys.stderr)
    sys.exit(1)
