# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The DRBD cluster lab (sourced by tests/vmlab/scenarios/3x-drbd-*.sh and bench/drbd.sh): two VMs
# n1 n2 with Corosync + Pacemaker; each VM's power behind its own ipmi_sim BMC (power on boots
# the VM, power off kills its qemu); LVM under DRBD (one LV per node backs r0, linuxha.net
# style); DRBD `fencing resource-and-stonith`; the stack ms_drbd (promotable) -> group svc
# (Filesystem on /dev/drbd0 at /srv/data, IPaddr2 10.252.0.100), ordered and colocated.
#
# The host joins the VMs' wire from a network namespace (a tap bridged to the wire's multicast
# socket by socat): the BMCs listen there (10.252.0.201/.202) and the VIP is checked from there.
#
#   cl_up ours|stock    builds everything (stock: ocf:linbit:drbd, ocf:heartbeat:*, fence_ipmilan,
#                       crm-fence-peer.9.sh) and waits for the stack to run; cl_down tears it down
#                       (cl_up = cl_up_drbd, the VMs and DRBD's r0 down on both, then cl_up_cluster)
#   cl_exec VM CMD      run in a VM        cl_crm VM ARGS   crm_mon & co. in a VM
#   cl_ns CMD           run in the host namespace on the wire
#   cl_promoted         the node where ms_drbd is promoted (empty: none)

CL_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CL_REPO=$(cd "$CL_HERE/../../.." && pwd)
VMLAB=$CL_REPO/tests/vmlab/vmlab
CL_PORT=${CL_PORT:-12360}
CL_NS=rdrbd$CL_PORT
CL_TAP=rdw$CL_PORT
CL_VIP=10.252.0.100
CL_LAB=
CL_SOCAT=
CL_T0=$SECONDS

cl_log() { echo "[$((SECONDS - CL_T0))s] $*"; }
cl_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cl_exec() { "$VMLAB" exec -t "${CL_EXEC_TIMEOUT:-120}" "$CL_LAB" "$@"; }
cl_ns() { ip netns exec "$CL_NS" "$@"; }

# wait_for SECONDS WHAT COMMAND...: poll every second
cl_wait() {
  local t=$1 what=$2 end
  shift 2
  end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || { cl_log "timeout ($t s) waiting for $what"; return 1; }
    sleep 1
  done
}

cl_bin() { # the binaries the VMs use: a private copy of what make install ships (the registry's
  # builds: static resource agents), or of $RUSTHA_BIN when set
  local f src
  mkdir -p "$CL_LAB/bin"
  for f in drbd Filesystem IPaddr2 fence_ipmilan_rs rustha-fence-peer rustha-unfence-peer; do
    if [ -n "${RUSTHA_BIN:-}" ]; then src=$RUSTHA_BIN/$f; else src=$("$CL_REPO/tools/agents.sh" path "$f" 2>/dev/null) || src=; fi
    [ -n "$src" ] && [ -x "$src" ] || cl_fail "$f not built: make build first"
    cp "$src" "$CL_LAB/bin/"
  done
}

cl_bmc() { # N: ipmi_sim for VM nN, in the namespace, powering the VM through vmlab
  local n=$1 d=$CL_LAB/bmc$1
  mkdir -p "$d/state"
  cat >"$d/power" <<EOT
#!/bin/sh
exec nsenter --net=/proc/$$/ns/net "$VMLAB" boot "$CL_LAB" n$n --foreground
EOT
  chmod +x "$d/power"
  cat >"$d/lan.conf" <<EOT
name "drbdlab-bmc$n"
set_working_mc 0x20
  startlan 1
    addr 10.252.0.20$n 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa1234567890001$(printf '%02x' "$n")
  endlan
  serial 15 127.0.0.1 $((CL_PORT * 10 % 60000 + n)) codec VM
  startcmd "$d/power"
  startnow false
  poweroff_wait 1
  kill_wait 1
  user 2 true  "admin" "secret" admin  10 none md2 md5 straight
EOT
  cat >"$d/bmc.emu" <<'EOT'
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
EOT
  # fd 3 closed: run-scenarios' flock of the VM lock is fd 3, and a daemon must not hold it
  cl_ns setsid ipmi_sim -c "$d/lan.conf" -f "$d/bmc.emu" -s "$d/state" -n </dev/null >"$d/ipmi_sim.log" 2>&1 3>&- &
  echo $! >"$d/pid"
}

cl_ipmi() { # N ARGS...: ipmitool against VM nN's BMC
  local n=$1
  shift
  cl_ns ipmitool -I lanplus -C 3 -H "10.252.0.20$n" -U admin -P secret "$@"
}

cl_cib_seed() {
  local cib=$CL_LAB/cib-seed.xml
  cibadmin --empty >"$cib"
  CIB_file=$cib crm_attribute --type crm_config -n dc-deadtime -v 2s
  CIB_file=$cib crm_attribute --type crm_config -n stonith-enabled -v true
  # A VM under emulation always looks loaded: without this the controller throttles to one
  # action at a time ("High CPU load detected") and every transition crawls.
  CIB_file=$cib crm_attribute --type crm_config -n load-threshold -v 1000%
  chmod 644 "$cib"
}

cl_configure() { # STACK: the resources, loaded on n1 with crm
  local stack=$1 ra_drbd ra_fs ra_ip fence
  if [ "$stack" = ours ]; then
    ra_drbd=ocf:rustha:drbd ra_fs=ocf:rustha:Filesystem ra_ip=ocf:rustha:IPaddr2 fence=fence_ipmilan_rs
  else
    ra_drbd=ocf:linbit:drbd ra_fs=ocf:heartbeat:Filesystem ra_ip=ocf:heartbeat:IPaddr2 fence=fence_ipmilan
  fi
  cat >"$CL_LAB/stack.crm" <<EOT
primitive fence-n1 stonith:$fence params ip=10.252.0.201 username=admin password=secret lanplus=1 cipher=3 pcmk_host_list=n1 op monitor interval=60s
primitive fence-n2 stonith:$fence params ip=10.252.0.202 username=admin password=secret lanplus=1 cipher=3 pcmk_host_list=n2 op monitor interval=60s
location fence-n1-elsewhere fence-n1 -inf: n1
location fence-n2-elsewhere fence-n2 -inf: n2
primitive drbd_r0 $ra_drbd params drbd_resource=r0 op monitor interval=15s role=Master timeout=20s op monitor interval=30s role=Slave timeout=20s op start timeout=240s op stop timeout=100s op promote timeout=90s op demote timeout=90s op notify timeout=90s
clone ms_drbd drbd_r0 meta promotable=true promoted-max=1 promoted-node-max=1 clone-max=2 clone-node-max=1 notify=true
primitive fs $ra_fs params device=/dev/drbd0 directory=/srv/data fstype=ext4 op monitor interval=10s timeout=40s op start timeout=60s op stop timeout=60s
primitive vip $ra_ip params ip=$CL_VIP cidr_netmask=24 nic=eth0 op monitor interval=10s
group svc fs vip
colocation svc-with-drbd inf: svc ms_drbd:Master
order svc-after-drbd Mandatory: ms_drbd:promote svc:start
EOT
  cl_exec n1 "crm configure load update $CL_LAB/stack.crm" || cl_fail "crm configure load update"
}

cl_online() { cl_exec n1 'crm_mon -1' 2>/dev/null | grep -q 'Online: \[ n1 n2 \]'; }

# Ask the first VM whose cluster answers (a VM can be on without its cluster stack).
cl_ask() { # CMD
  local vm out
  for vm in n1 n2; do
    "$VMLAB" status "$CL_LAB" "$vm" >/dev/null 2>&1 || continue
    CL_EXEC_TIMEOUT=30 cl_exec "$vm" 'crm_mon -1 >/dev/null 2>&1' || continue
    out=$(CL_EXEC_TIMEOUT=30 cl_exec "$vm" "$1" 2>/dev/null) || true
    echo "$out"
    return 0
  done
}

# The node where ms_drbd is promoted, as Pacemaker says.
cl_promoted() {
  cl_ask 'crm_resource --locate -r ms_drbd 2>/dev/null' |
    sed -n 's/.*is running on: \([^ ]*\) \(Promoted\|Master\).*/\1/p' | head -1
}

cl_svc_on() { # the node running the svc group's VIP
  cl_ask 'crm_resource --locate -r vip 2>/dev/null' | sed -n 's/.*is running on: \([^ ]*\).*/\1/p' | head -1
}

cl_vip_answers() { cl_ns ping -c1 -W1 "$CL_VIP" >/dev/null 2>&1; }

cl_node_join() { # VM STACK: set up a (re)booted VM and start its cluster stack
  cl_exec "$1" "bash $CL_HERE/guest-node.sh setup $2" || cl_fail "$1: setup"
  cl_exec "$1" "bash $CL_HERE/guest-node.sh cluster-start" || cl_fail "$1: cluster-start"
}

cl_up() { # STACK: cl_up_drbd, then cl_up_cluster
  cl_up_drbd "${1:-ours}"
  cl_up_cluster "${1:-ours}"
}

cl_up_drbd() { # STACK: the VMs booted by their BMCs, DRBD's r0 initialized (down on both)
  local stack=${1:-ours}
  command -v ipmi_sim >/dev/null || cl_fail "ipmi_sim missing (apt-get install openipmi)"
  command -v socat >/dev/null || cl_fail "socat missing"
  CL_LAB=$(mktemp -d /tmp/vmlab-drbd.XXXXXX)
  rmdir "$CL_LAB"
  trap cl_down EXIT
  "$VMLAB" create "$CL_LAB" --vm n1 --vm n2 --disk b1:160M:n1 --disk b2:160M:n2 --wire-port "$CL_PORT" >/dev/null
  [ "$stack" = ours ] && cl_bin
  echo "LAB_BIN=$CL_LAB/bin" >"$CL_LAB/cluster.env"
  cl_cib_seed
  # the host on the wire
  ip netns add "$CL_NS"
  socat "UDP4-DATAGRAM:239.255.77.1:$CL_PORT,bind=0.0.0.0:$CL_PORT,reuseaddr,ip-add-membership=239.255.77.1:127.0.0.1,ip-multicast-if=127.0.0.1,ip-multicast-loop=1" \
    "TUN,tun-type=tap,tun-name=$CL_TAP,iff-no-pi,iff-up" </dev/null >"$CL_LAB/socat.log" 2>&1 3>&- &
  CL_SOCAT=$!
  cl_wait 10 "the wire tap" ip link show "$CL_TAP" || cl_fail "socat did not create $CL_TAP"
  ip link set "$CL_TAP" netns "$CL_NS"
  cl_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n "$CL_NS" link set lo up
  ip -n "$CL_NS" link set "$CL_TAP" up
  ip -n "$CL_NS" addr add 10.252.0.254/24 dev "$CL_TAP"
  ip -n "$CL_NS" addr add 10.252.0.201/24 dev "$CL_TAP"
  ip -n "$CL_NS" addr add 10.252.0.202/24 dev "$CL_TAP"
  cl_bmc 1
  cl_bmc 2
  cl_wait 15 "BMC 1" cl_ipmi 1 chassis power status || cl_fail "BMC of n1 does not answer"
  cl_wait 15 "BMC 2" cl_ipmi 2 chassis power status || cl_fail "BMC of n2 does not answer"
  cl_ipmi 1 chassis power on >/dev/null
  cl_ipmi 2 chassis power on >/dev/null
  "$VMLAB" ready "$CL_LAB" n1 || cl_fail "n1 did not boot"
  "$VMLAB" ready "$CL_LAB" n2 || cl_fail "n2 did not boot"
  cl_log "VMs up"
  cl_exec n1 "bash $CL_HERE/guest-node.sh setup $stack" || cl_fail "n1: setup"
  cl_exec n2 "bash $CL_HERE/guest-node.sh setup $stack" || cl_fail "n2: setup"
  # first boot: metadata, skip the initial sync (both sides are empty), a file system
  cl_exec n1 "bash $CL_HERE/guest-node.sh init-md" || cl_fail "n1: init-md"
  cl_exec n2 "bash $CL_HERE/guest-node.sh init-md" || cl_fail "n2: init-md"
  cl_wait 60 "DRBD connected" cl_exec n1 'grep -q "cs:Connected" /proc/drbd' || cl_fail "DRBD did not connect"
  cl_exec n1 'drbdadm -- --clear-bitmap new-current-uuid r0 && drbdadm primary r0 && mkfs.ext4 -q /dev/drbd0 && drbdadm secondary r0' ||
    cl_fail "n1: initial file system"
  cl_wait 30 "both UpToDate" cl_exec n2 'grep -q "ds:UpToDate/UpToDate" /proc/drbd' || cl_fail "not UpToDate/UpToDate"
  cl_exec n1 'drbdadm down r0'
  cl_exec n2 'drbdadm down r0'
  cl_log "DRBD initialized"
}

cl_up_cluster() { # STACK: Corosync + Pacemaker on both VMs, the stack configured and running
  local stack=${1:-ours}
  cl_exec n1 "bash $CL_HERE/guest-node.sh cluster-start" || cl_fail "n1: cluster-start"
  cl_exec n2 "bash $CL_HERE/guest-node.sh cluster-start" || cl_fail "n2: cluster-start"
  cl_wait 120 "both nodes online" cl_online || cl_fail "cluster not online"
  cl_log "cluster online"
  cl_configure "$stack"
  cl_wait 240 "the VIP to answer" cl_vip_answers || cl_fail "the stack did not start"
  cl_log "stack running on $(cl_svc_on)"
}

cl_diag() {
  [ -n "$CL_LAB" ] && [ -d "$CL_LAB" ] || return 0
  local vm
  for vm in n1 n2; do
    if ! "$VMLAB" status "$CL_LAB" "$vm" >/dev/null 2>&1; then
      # off: what its BMC and qemu said (a VM that never booted leaves nothing else)
      echo "==== $vm: off; BMC, qemu and console logs"
      tail -n 5 "$CL_LAB/bmc${vm#n}/ipmi_sim.log" "$CL_LAB/vms/$vm/qemu.log" "$CL_LAB/vms/$vm/console.log" 2>&1 || true
      continue
    fi
    echo "==== $vm: crm_mon"
    CL_EXEC_TIMEOUT=20 cl_exec "$vm" 'crm_mon -1 -r -A 2>&1 | head -40; cat /proc/drbd; grep -E "drbd|rustha|fence" /var/log/pacemaker/pacemaker.log | grep -iE "error|warn|notice.*(drbd|fence)" | tail -25' 2>&1 || true
  done
}

cl_down() {
  local rc=$? n
  [ -n "$CL_LAB" ] || return 0
  if [ "$rc" != 0 ] && [ -z "${CL_NO_DIAG:-}" ]; then cl_diag >&2 || true; fi
  local pids=() p
  [ -n "$CL_SOCAT" ] && pids+=("$CL_SOCAT")
  # the BMCs: `ip netns exec`/setsid may fork, so $! is not always ipmi_sim's pid; find them by
  # this lab's unique directory in their command line (our processes only)
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "^ipmi_sim -c $CL_LAB/bmc"; then pids+=("${p#/proc/}"); fi
  done
  # ipmi_sim ignores TERM while it powers a VM off: TERM, then KILL; only our own pids
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  "$VMLAB" destroy "$CL_LAB" 2>/dev/null || true
  sleep 1
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$CL_NS" 2>/dev/null || true
  CL_LAB=
}
