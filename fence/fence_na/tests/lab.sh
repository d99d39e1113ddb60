#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Single-node Pacemaker with fence_na and na-sim, run by tests/pacemaker.rs as
#   ip netns exec NS unshare --kill-child=SIGKILL --mount --uts --ipc --pid --fork --mount-proc \
#       --propagation private lab.sh DIR AGENT SIM
# Everything it starts lives in those namespaces and dies with them; fence_na reaches Pacemaker's
# /usr/sbin through an overlay visible only here.
set -u
D=$1; AGENT=$2; SIM=$3
step() { echo "== $1"; }
hostname node1
mkdir -p $D/etc-corosync $D/var-lib-corosync $D/log $D/var-lib-pacemaker/{cib,pengine,blackbox,cores} $D/sbin-extra
cp "$AGENT" $D/sbin-extra/fence_na
cat > $D/etc-corosync/corosync.conf <<EOT
totem {
    version: 2
    cluster_name: fna
    transport: knet
    crypto_cipher: none
    crypto_hash: none
    token: 1000
}
logging {
    to_stderr: no
    to_logfile: yes
    logfile: /var/log/pacemaker/corosync.log
    to_syslog: no
}
quorum {
    provider: corosync_votequorum
}
nodelist {
    node {
        name: node1
        nodeid: 1
        ring0_addr: 10.251.9.1
    }
}
EOT
cibadmin --empty > $D/var-lib-pacemaker/cib/cib.xml
export CIB_file=$D/var-lib-pacemaker/cib/cib.xml
crm_attribute --type crm_config -n dc-deadtime -v 2s
crm_attribute --type crm_config -n stonith-enabled -v true
# node2 and node3 by pcmk_host_map, checked against the device's dynamic list (its first field,
# two digits); the device has 4 nodes.
cibadmin --create -o resources --xml-text '<primitive id="na" class="stonith" type="fence_na"><instance_attributes id="na-ia"><nvpair id="na-ip" name="ip" value="127.0.0.1"/><nvpair id="na-port" name="ipport" value="2380"/><nvpair id="na-map" name="pcmk_host_map" value="node2:02;node3:03"/><nvpair id="na-chk" name="pcmk_host_check" value="dynamic-list"/><nvpair id="na-sss" name="stonith_status_sleep" value="0.2"/></instance_attributes></primitive>'
unset CIB_file
chown -R hacluster:haclient $D/var-lib-pacemaker $D/log
chmod 750 $D/var-lib-pacemaker/*; chmod 600 $D/var-lib-pacemaker/cib/cib.xml
mount --bind $D/etc-corosync /etc/corosync
mount --bind $D/var-lib-corosync /var/lib/corosync
mount --bind $D/var-lib-pacemaker /var/lib/pacemaker
mount --bind $D/log /var/log/pacemaker
mount -t overlay overlay -o lowerdir=$D/sbin-extra:/usr/sbin /usr/sbin || { echo "overlay mount failed"; exit 90; }
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/crm /run/resource-agents /run/lock; chown hacluster:haclient /run/crm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ip link set lo up
ip link add fa type veth peer name fb; ip link set fa up; ip link set fb up
ip addr add 10.251.9.1/24 dev fa
"$SIM" --listen 127.0.0.1:2380 --nodes 4 --off-ms 200 --boot-ms 300 --press-ms 50 \
    --off-cmd "touch $D/off-{node}" --on-cmd "touch $D/on-{node}" > $D/log/na-sim.log 2>&1 &
corosync -f > $D/log/corosync.stdout 2>&1 &
for _ in $(seq 1 40); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.25; done
PCMK_logfile=/var/log/pacemaker/pacemaker.log pacemakerd > $D/log/pacemakerd.stdout 2>&1 &
for _ in $(seq 1 120); do stonith_admin --list-registered 2>/dev/null | grep -qx ' *na' && break; sleep 0.5; done
step registered; stonith_admin --list-registered
step metadata; stonith_admin --metadata -a fence_na; echo "metadata rc=$?"
step describe; pcs stonith describe fence_na; echo "describe rc=$?"
step list; stonith_admin --list node2; echo "list rc=$?"
step targets; stonith_admin --list-targets na; echo "targets rc=$?"
step reboot; stonith_admin --reboot node2 --timeout 60; echo "reboot rc=$?"
step fence; stonith_admin --fence node3 --timeout 60; echo "fence rc=$?"
step unknown; stonith_admin --fence node9 --timeout 10 >/dev/null 2>&1; echo "unknown rc=$?"
# An address on our own veth that nobody answers: the connection times out at login_timeout.
step unreachable; S=$(date +%s%N); fence_na -a 10.251.9.77 -n 1 -o status --login-timeout 1 2>&1; echo "unreachable rc=$? ms=$(( ($(date +%s%N) - S) / 1000000 ))"
step files; find "$D" -maxdepth 1 \( -name "on-*" -o -name "off-*" \) -printf "%f\n" | sort
step end
