#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Inside a VM of the DRBD cluster lab (tests/vmlab/drbd/cluster.sh runs it through `vmlab exec`).
#   guest-node.sh setup STACK     DRBD backing LV (LVM under DRBD, as linuxha.net), drbd.conf,
#                                 agents (STACK=ours: ocf:rustha + rustha-fence-peer;
#                                 stock: ocf:linbit/heartbeat + crm-fence-peer.9.sh)
#   guest-node.sh init-md         create DRBD metadata and bring r0 up (first boot only)
#   guest-node.sh cluster-start   corosync + pacemaker, detached
# Configuration from LAB/cluster.env (written by the host).
set -euo pipefail
. "$VMLAB_LAB/cluster.env"
N=${VMLAB_NAME#n}
cmd=${1:?usage: guest-node.sh setup STACK | init-md | cluster-start}

overlay() { # DIR: make a read-only host directory writable in this VM (tmpfs upper layer)
  local d=$1 o=/run/overlay${1//\//_}
  grep -q "^overlay $d overlay " /proc/mounts && return 0
  mkdir -p "$o/u" "$o/w"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$o/u,workdir=$o/w" "$d"
}

case $cmd in
setup)
  stack=${2:?setup STACK}
  modprobe drbd
  ip addr add "10.253.0.$N/24" dev eth0 2>/dev/null || true
  mkdir -p /etc/lvm /srv/data /var/log/pacemaker /var/log/cluster /var/log/crmsh /var/lib/pacemaker/cib
  # LVM under DRBD: LVM must not scan the DRBD device (it would see the PV twice).
  cat >/etc/lvm/lvm.conf <<'EOT'
devices { global_filter = [ "r|^/dev/drbd.*|", "a|.*|" ] }
EOT
  disk=$(readlink -f "/dev/vmlab/b$N")
  if ! vgs vgdata >/dev/null 2>&1; then
    pvcreate -q -y "$disk" >/dev/null
    vgcreate -q vgdata "$disk" >/dev/null
    lvcreate -q -y -n r0 -L 96M vgdata >/dev/null
  fi
  vgchange -q -ay vgdata >/dev/null
  if [ "$stack" = ours ]; then
    fence_peer=/usr/lib/drbd/rustha-fence-peer unfence_peer=/usr/lib/drbd/rustha-unfence-peer
  else
    fence_peer=/usr/lib/drbd/crm-fence-peer.9.sh unfence_peer=/usr/lib/drbd/crm-unfence-peer.9.sh
  fi
  cat >/etc/drbd.conf <<EOT
global { usage-count no; }
resource r0 {
  device /dev/drbd0;
  disk /dev/vgdata/r0;
  meta-disk internal;
  net { protocol C; }
  disk { fencing resource-and-stonith; c-plan-ahead 0; resync-rate 4M; }
  handlers {
    fence-peer "$fence_peer";
    after-resync-target "$unfence_peer";
  }
  on n1 { address 10.253.0.1:7789; }
  on n2 { address 10.253.0.2:7789; }
}
EOT
  if [ "$stack" = ours ]; then
    mkdir -p /usr/lib/ocf/resource.d/rustha
    for a in drbd Filesystem IPaddr2; do install -m 755 "$LAB_BIN/$a" /usr/lib/ocf/resource.d/rustha/; done
    overlay /usr/sbin
    install -m 755 "$LAB_BIN/fence_ipmilan_rs" /usr/sbin/
    overlay /usr/lib/drbd
    install -m 755 "$LAB_BIN/rustha-fence-peer" "$LAB_BIN/rustha-unfence-peer" /usr/lib/drbd/
  fi
  ;;
init-md)
  drbdadm create-md --force r0 >/dev/null 2>&1 </dev/null
  drbdadm up r0
  ;;
cluster-start)
  mkdir -p /etc/corosync
  cat >/etc/corosync/corosync.conf <<'EOT'
totem {
    version: 2
    cluster_name: drbdlab
    transport: knet
    crypto_cipher: none
    crypto_hash: none
    token: 3000
}
logging {
    to_logfile: yes
    logfile: /var/log/cluster/corosync.log
    to_syslog: no
    timestamp: on
}
quorum {
    provider: corosync_votequorum
    two_node: 1
}
nodelist {
    node {
        name: n1
        nodeid: 1
        ring0_addr: 10.252.0.1
    }
    node {
        name: n2
        nodeid: 2
        ring0_addr: 10.252.0.2
    }
}
EOT
  chown -R hacluster:haclient /var/log/pacemaker /var/lib/pacemaker
  if [ ! -e /var/lib/pacemaker/cib/cib.xml ]; then
    install -o hacluster -g haclient -m 600 "$VMLAB_LAB/cib-seed.xml" /var/lib/pacemaker/cib/cib.xml
  fi
  setsid corosync -f </dev/null >/var/log/cluster/corosync.out 2>&1 &
  for _ in $(seq 50); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.2; done
  PCMK_logfile=/var/log/pacemaker/pacemaker.log setsid pacemakerd </dev/null >/var/log/cluster/pacemakerd.out 2>&1 &
  ;;
*)
  echo "guest-node.sh: unknown command $cmd" >&2
  exit 2
  ;;
esac
