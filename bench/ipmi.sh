#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: fence-agents' fence_ipmilan (ipmitool, --cipher=3) against fence_ipmilan_rs on the
# same OpenIPMI ipmi_sim, side by side.
#
#   bench/ipmi.sh [RUNS]          (default 10 runs per measurement; status runs 3x as often)
#
# AGENT=/path/to/fence_ipmilan_rs selects our binary (default: the build `make install` ships).
# NOCIPHER=1 also measures one fence_ipmilan status without --cipher (ipmitool's ~10 s cipher
# discovery stall), next to ours without a cipher (Get Channel Cipher Suites).
#
# ipmi_sim runs on a random free loopback UDP port, in a temporary directory that is removed at
# the end (ipmi_sim is killed by PID). The simulated machine is a shell whose life is the power
# state; it logs when it receives the power-off TERM, so "off lag" is the time from the
# simulator's power-off to the agent's return with a confirmed off.
# Reported: median wall-clock seconds per action, and stock/ours ratios.
set -u
runs=${1:-10}
. "$(dirname "$0")/lib.sh"
stock=/usr/sbin/fence_ipmilan

bench_need ipmi_sim -- "apt-get install openipmi"
[ -x "$stock" ] || bench_die "stock agent $stock not found (apt-get install fence-agents)"
agent=$(bench_agent fence_ipmilan_rs) || exit 1

tmp=$(mktemp -d /tmp/rustha-ipmi-bench.XXXXXX)
simpid=
cleanup() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$simpid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$simpid" 2>/dev/null
		wait "$simpid" 2>/dev/null
	fi
	# The machine (node.sh kills its sleep on TERM).
	[ -f "$tmp/node.pid" ] && kill "$(cat "$tmp/node.pid")" 2>/dev/null && sleep 0.1
	rm -rf "$tmp"
}
trap cleanup EXIT

read -r port serial < <(python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0))
print(u.getsockname()[1], t.getsockname()[1])')

cat > "$tmp/node.sh" <<EOF
#!/bin/sh
echo \$\$ > $tmp/node.pid
trap 'echo "off \$(date +%s.%N)" >> $tmp/power.log; kill \$child 2>/dev/null; exit 0' TERM
echo "on \$(date +%s.%N)" >> $tmp/power.log
sleep 1000000 & child=\$!
wait \$child
EOF
chmod +x "$tmp/node.sh"
cat > "$tmp/lan.conf" <<EOF
name "benchbmc"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $port
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  serial 15 127.0.0.1 $serial codec VM
  startcmd "$tmp/node.sh"
  startnow true
  poweroff_wait 1
  kill_wait 1
  user 2 true  "admin" "secret" admin  10 none md2 md5 straight
EOF
cat > "$tmp/bmc.emu" <<EOF
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
EOF
mkdir -p "$tmp/state"
ipmi_sim -c "$tmp/lan.conf" -f "$tmp/bmc.emu" -s "$tmp/state" -n >"$tmp/sim.log" 2>&1 </dev/null &
simpid=$!

PORT=$port STOCK=$stock OURS=$agent RUNS=$runs DIR=$tmp NOCIPHER=${NOCIPHER:-0} python3 - <<'PY'
import os, sys, time
from benchlib import Table, timed

port, runs, d = os.environ["PORT"], int(os.environ["RUNS"]), os.environ["DIR"]
base = ["--ip=127.0.0.1", f"--ipport={port}", "--username=admin", "--password=secret"]
agents = [("fence_ipmilan", [os.environ["STOCK"]] + base + ["--lanplus", "--cipher=3"]),
          ("fence_ipmilan_rs", [os.environ["OURS"]] + base + ["--lanplus", "--cipher=3"])]

def run(argv, action):
    wall, _, rc, err = timed(argv + ["-o", action])
    return wall, rc, err

def must(argv, action, ok=(0,)):
    w, rc, err = run(argv, action)
    if rc not in ok:
        sys.exit(f"{argv[0]} -o {action} returned {rc}: {err.strip()[-300:]}")
    return w

def last_off():
    try:
        offs = [l.split()[1] for l in open(os.path.join(d, "power.log")) if l.startswith("off")]
        return float(offs[-1]) if offs else None
    except OSError:
        return None

# Wait for the simulator.
deadline = time.time() + 10
while run(agents[1][1], "status")[1] not in (0, 2):
    if time.time() > deadline:
        sys.exit("ipmi_sim did not come up:\n" + open(os.path.join(d, "sim.log")).read())
    time.sleep(0.1)
must(agents[1][1], "on")

t = Table("fence_ipmilan", stock="fence_ipmilan", ours="fence_ipmilan_rs")
labels = {"status": "status", "off": "off", "on": "on", "reboot": "reboot",
          "offlag": "off: return after power-off"}
for name, argv in agents:
    for _ in range(3 * runs):
        t.add("status", name, must(argv, "status"))
    for _ in range(runs):
        t0 = time.time()
        t.add("off", name, must(argv, "off"))
        end = time.time()
        off = last_off()
        if off is not None and off >= t0:
            t.add(labels["offlag"], name, end - off)
        t.add("on", name, must(argv, "on"))
    for _ in range(runs):
        t.add("reboot", name, must(argv, "reboot"))

t.show(f"ipmi_sim on 127.0.0.1:{port}, lanplus cipher suite 3; median wall-clock per action "
       f"({3 * runs} status, {runs} of each other action)")

nc = [os.environ["OURS"]] + base + ["--lanplus"]
w = sorted(must(nc, "status") for _ in range(runs))[runs // 2]
print(f"status, no cipher (ours): {w * 1000:.1f}ms")
if os.environ.get("NOCIPHER") == "1":
    w = must([os.environ["STOCK"]] + base + ["--lanplus"], "status")
    print(f"status, no cipher (stock): {w * 1000:.1f}ms")
PY
