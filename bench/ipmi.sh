#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: fence-agents' fence_ipmilan (ipmitool, --cipher=3) against fence_ipmilan_rs on the
# same OpenIPMI ipmi_sim, side by side.
#
#   bench/ipmi.sh [RUNS]          (default 10 runs per measurement; status runs 3x as often)
#
# AGENT=/path/to/fence_ipmilan_rs selects our binary (default: cargo build --release).
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
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
stock=/usr/sbin/fence_ipmilan

command -v ipmi_sim >/dev/null || { echo "ipmi_sim not found (apt-get install openipmi)"; exit 1; }
[ -x "$stock" ] || { echo "stock agent $stock not found (apt-get install fence-agents)"; exit 1; }
agent=${AGENT:-}
if [ -z "$agent" ]; then
	(cd "$repo" && cargo build -q --release -p fence_ipmilan_rs) || exit 1
	agent=${CARGO_TARGET_DIR:-$repo/target}/release/fence_ipmilan_rs
fi

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
import os, statistics, subprocess, sys, time

port, runs, d = os.environ["PORT"], int(os.environ["RUNS"]), os.environ["DIR"]
base = ["--ip=127.0.0.1", f"--ipport={port}", "--username=admin", "--password=secret"]
agents = [("fence_ipmilan", [os.environ["STOCK"]] + base + ["--lanplus", "--cipher=3"]),
          ("fence_ipmilan_rs", [os.environ["OURS"]] + base + ["--lanplus", "--cipher=3"])]

def run(argv, action):
    t = time.perf_counter()
    p = subprocess.run(argv + ["-o", action], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t, p.returncode, p.stderr.decode(errors="replace")

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

res = {}
for name, argv in agents:
    r = res[name] = {"status": [], "off": [], "on": [], "reboot": [], "offlag": []}
    for _ in range(3 * runs):
        r["status"].append(must(argv, "status"))
    for _ in range(runs):
        t0 = time.time()
        r["off"].append(must(argv, "off"))
        end = time.time()
        off = last_off()
        if off is not None and off >= t0:
            r["offlag"].append(end - off)
        r["on"].append(must(argv, "on"))
    for _ in range(runs):
        r["reboot"].append(must(argv, "reboot"))

med = lambda xs: statistics.median(xs) if xs else float("nan")
print(f"ipmi_sim on 127.0.0.1:{port}, lanplus cipher suite 3; median wall-clock seconds "
      f"({3 * runs} status, {runs} of each other action)")
print(f"{'action':<26}{'fence_ipmilan':>14}{'fence_ipmilan_rs':>18}{'ratio':>9}")
for a, label in [("status", "status"), ("off", "off"), ("on", "on"), ("reboot", "reboot"),
                 ("offlag", "off: return after power-off")]:
    s, o = med(res["fence_ipmilan"][a]), med(res["fence_ipmilan_rs"][a])
    print(f"{label:<26}{s:>14.3f}{o:>18.3f}{s / o:>8.1f}x")

nc = [os.environ["OURS"]] + base + ["--lanplus"]
w = [must(nc, "status") for _ in range(runs)]
print(f"{'status, no cipher (ours)':<26}{'':>14}{med(w):>18.3f}")
if os.environ.get("NOCIPHER") == "1":
    w = must([os.environ["STOCK"]] + base + ["--lanplus"], "status")
    print(f"{'status, no cipher (stock)':<26}{w:>14.3f}")
PY
