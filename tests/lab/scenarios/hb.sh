# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers of the heartbeat v1 (haresources) scenarios 20-22. Source it instead of lib.sh, after
# setting SCENARIO. Not a scenario itself (run-scenarios runs only [0-9]*.sh).
#
# The scenarios drive tests/lab/hb-lab (two heartbeat 3.0.6 nodes, `crm off`) with our IPaddr,
# IPaddr2 and Filesystem linked into the nodes' /etc/ha.d/resource.d/, and with our fence_na as
# cluster-glue's external/fence_na against na-sim. The lab's network is 10.250.7.0/24 (HB_LAB_NET),
# apart from the Pacemaker lab's.
HB_HERE=$(readlink -f "$(dirname "${BASH_SOURCE[0]}")")
LAB=$(readlink -f "$HB_HERE/../hb-lab")
LAB_NET=${HB_LAB_NET:-10.250.7}
# shellcheck source-path=SCRIPTDIR
. "$HB_HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$HB_HERE/ours.sh"

HB_RM=/usr/share/heartbeat/ResourceManager

# hb_prepare: our agents (AGENTS_DIR with IPaddr too, FENCE_DIR), a 64 MiB ext4 loop device (LOOP)
# and the seeds' haresources with the lab's addresses (HARESOURCES; GROUP1/GROUP2 hold the
# resources of each line as heartbeat spells them).
hb_prepare() {
    [ -x /usr/libexec/heartbeat/heartbeat ] || fail "heartbeat is not installed (apt-get install heartbeat; tools/install-deps.sh does it)"
    [ ! -e "$LAB_DIR/config" ] || fail "LAB_DIR=$LAB_DIR holds another running lab; not touching it"
    our_agents
    [ -x "$AGENTS_DIR/IPaddr" ] || fail "AGENTS_DIR=$AGENTS_DIR has no IPaddr (cargo build --release -p ipaddr2)"
    IMG=$LAB_DIR.img
    truncate -s 64M "$IMG"
    mkfs.ext4 -q -F "$IMG"
    LOOP=$(losetup -f --show "$IMG")
    CLEANUP_HOOKS+=("losetup -d $LOOP; rm -f $IMG $LAB_DIR.haresources")
    VIP1=$LAB_NET.3 VIP2=$LAB_NET.4 VIP3=$LAB_NET.100
    GROUP1=("IPaddr::$VIP1/27/$LAB_NET.31" "IPaddr2::$VIP2/27/eth0")
    GROUP2=("$VIP3" "Filesystem::$LOOP::/srv/data::ext4::noatime")
    HARESOURCES=$LAB_DIR.haresources
    {
        echo "# the seeds' two resource groups, with the lab's addresses and an ext4 loop device"
        echo "node1 ${GROUP1[*]}"
        echo "node1 ${GROUP2[*]}"
    } >"$HARESOURCES"
    sed 's/^/    /' "$HARESOURCES"
}

# holds NODE: NODE has every service address and the mount; the others have none of them
holds() {
    local n=$1 addrs mnt
    addrs=$(timeout 5 "$LAB" exec "$n" ip -o -4 addr show dev eth0 2>/dev/null) || return 1
    grep -q " inet $VIP1/27 brd $LAB_NET.31 " <<<"$addrs" || return 1
    grep -q " inet $VIP2/27 " <<<"$addrs" || return 1
    grep -q " inet $VIP3/24 " <<<"$addrs" || return 1
    mnt=$(timeout 5 "$LAB" exec "$n" findmnt -n -o SOURCE,FSTYPE,OPTIONS /srv/data 2>/dev/null) || return 1
    [[ $mnt == "$LOOP ext4 "*noatime* ]]
}
holds_none() {
    local n=$1 addrs
    addrs=$(timeout 5 "$LAB" exec "$n" ip -o -4 addr show dev eth0 2>/dev/null) || return 0
    ! grep -Eq " inet ($VIP1|$VIP2|$VIP3)/" <<<"$addrs" || return 1
    ! timeout 5 "$LAB" exec "$n" findmnt -n /srv/data >/dev/null 2>&1
}
# all_answer: every service address answers from the hub (outside the cluster)
all_answer() { answers "$VIP1" && answers "$VIP2" && answers "$VIP3"; }
active_on() { holds "$1" && holds_none "$2" && all_answer; }

# check_status OWNER OTHER: heartbeat's own status check (ResourceManager status RESOURCE, the one
# it runs before acquiring and in hb_standby) says OWNER holds every resource and OTHER none, and
# each agent's `status` prints what heartbeat reads: "running" / "stopped".
check_status() {
    local owner=$1 other=$2 r rc out script arg
    for r in "${GROUP1[@]}" "${GROUP2[@]}"; do
        rc=0
        timeout 20 "$LAB" exec "$owner" "$HB_RM" status "$r" >/dev/null 2>&1 || rc=$?
        [ "$rc" = 0 ] || fail "heartbeat on $owner does not see $r as held (ResourceManager status rc $rc)"
        rc=0
        timeout 20 "$LAB" exec "$other" "$HB_RM" status "$r" >/dev/null 2>&1 || rc=$?
        [ "$rc" = 3 ] || fail "heartbeat on $other sees $r as held (ResourceManager status rc $rc, expected 3)"
        case $r in
            *::*) script=${r%%::*} arg=${r#*::} arg=${arg//::/ } ;;
            *) script=IPaddr arg=$r ;;
        esac
        # shellcheck disable=SC2086 # heartbeat splits the arguments on "::" and passes them as words
        out=$(timeout 20 "$LAB" exec "$owner" "/etc/ha.d/resource.d/$script" $arg status 2>/dev/null) || true
        [ "$out" = running ] || fail "$script $arg status on $owner printed '$out', heartbeat expects 'running'"
        # shellcheck disable=SC2086
        out=$(timeout 20 "$LAB" exec "$other" "/etc/ha.d/resource.d/$script" $arg status 2>/dev/null) || true
        [ "$out" = stopped ] || fail "$script $arg status on $other printed '$out', heartbeat expects 'stopped'"
    done
    out=$(timeout 10 "$LAB" exec "$owner" cl_status rscstatus 2>&1) || true
    echo "    status: every resource held by $owner and none by $other; cl_status rscstatus on $owner: $out"
}

# wait_active NODE OTHER SECONDS WHAT: both groups on NODE (addresses answer from outside), none on OTHER
wait_active() { wait_for "$3" "$4 (both groups on $1, none on $2, addresses answering)" active_on "$1" "$2"; }

# ha_log_time NODE ERE: the time (ns) of the last line of NODE's heartbeat log matching ERE, from
# heartbeat's syslog-style stamp ("Nov 30 00:43:19", one-second resolution), or nothing
ha_log_time() {
    local line
    line=$(grep -E "$2" "$LAB_DIR/$1/ha-log" 2>/dev/null | grep -E '^[A-Z][a-z]{2} [ 0-9][0-9] ' | tail -n 1) || return 0
    [ -n "$line" ] || return 0
    date -d "${line:0:15}" +%s%N 2>/dev/null || true
}
