# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers shared by the lab scenarios. Source it after setting SCENARIO (a short name).
# Every wait is bounded; every failure prints one FAIL line, cluster state and log excerpts, and
# the EXIT trap always tears the lab down.

LAB=${LAB:-$(readlink -f "$(dirname "${BASH_SOURCE[0]}")/../lab")}
export LAB_DIR=${LAB_DIR:-/tmp/rustha-lab-$SCENARIO}
LAB_NET=${LAB_NET:-10.250.3}
export LAB_NET
T0=$(date +%s%N)
T_LAST=$T0
CLEANUP_HOOKS=()

# seconds since the scenario started, with centiseconds
elapsed() { local now; now=$(date +%s%N); printf '%d.%02d' $(((now - T0) / 1000000000)) $(((now - T0) / 10000000 % 100)); }
# seconds since the previous step() or mark()
since_last() { local now; now=$(date +%s%N); printf '%d.%02d' $(((now - T_LAST) / 1000000000)) $(((now - T_LAST) / 10000000 % 100)); }
mark() { T_LAST=$(date +%s%N); }
step() { printf '[%7ss] %s\n' "$(elapsed)" "$*"; mark; }
# timed STEP-TEXT: print how long it took since the last mark
timed() { printf '[%7ss] %s (+%ss)\n' "$(elapsed)" "$*" "$(since_last)"; mark; }

FAILED=0
fail() {
    echo "FAIL: $*"
    FAILED=1
    exit 1
}

on_exit() {
    local rc=$? hook
    if [ "$LAB_OWNED" = 1 ] && { [ "$rc" != 0 ] || [ "$FAILED" = 1 ]; }; then
        echo "--- cluster state at failure"
        timeout 10 "$LAB" status 2>&1 | sed 's/^/    /' || true
        echo "--- last pacemaker errors"
        grep -hE 'error|crit|warning: .*(fail|timed out)' "$LAB_DIR"/node*/log/pacemaker.log 2>/dev/null |
            tail -n 15 | sed 's/^/    /' || true
    fi
    if [ "$LAB_OWNED" = 1 ]; then
        "$LAB" down >/dev/null 2>&1 || "$LAB" down || echo "WARNING: lab down failed; run LAB_DIR=$LAB_DIR $LAB down"
    fi
    for hook in "${CLEANUP_HOOKS[@]}"; do eval "$hook" || true; done
    if [ "$rc" = 0 ]; then echo "PASS: $SCENARIO ($(elapsed)s)"; else echo "FAIL: $SCENARIO ($(elapsed)s)"; fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: $SCENARIO needs root (network and mount namespaces)"
        trap - EXIT
        exit 77
    fi
}

# wait_for SECONDS WHAT CMD...: poll CMD (output discarded) every 0.1 s until it succeeds
wait_for() {
    local secs=$1 what=$2 end
    shift 2
    end=$(($(date +%s%N) + secs * 1000000000))
    until "$@" >/dev/null 2>&1; do
        (($(date +%s%N) < end)) || fail "timed out after ${secs}s waiting for $what"
        sleep 0.1
    done
}

# `lab up` marks the lab as this scenario's, so that the EXIT trap tears it down; a LAB_DIR that
# holds another running lab (another scenario, a user) is refused and left alone.
LAB_OWNED=0
lab() {
    if [ "${1:-}" = up ]; then
        [ ! -e "$LAB_DIR/config" ] || fail "LAB_DIR=$LAB_DIR holds another running lab; not touching it"
        LAB_OWNED=1
    fi
    "$LAB" "$@"
}
# out_has ERE CMD...: CMD succeeds and its output matches ERE. (Never `CMD | grep -q` under pipefail:
# grep exits at the first match, CMD may die of SIGPIPE, and the pipeline fails although it matched.)
out_has() {
    local re=$1 out
    shift
    out=$("$@" 2>/dev/null) || return 1
    grep -Eq -- "$re" <<<"$out"
}
# crm/crm_resource/... on any live node, bounded
on_any() { timeout 20 "$LAB" exec any "$@"; }

# where RSC runs, as Pacemaker says: prints nodeN, or nothing
locate() {
    local out
    out=$(timeout 10 "$LAB" exec any crm_resource --locate -r "$1" 2>/dev/null) || return 0
    sed -n 's/^resource .* is running on: \(node[0-9]*\).*/\1/p' <<<"$out" | head -n 1
}
is_running() { [ -n "$(locate "$1")" ]; }
running_on() { [ "$(locate "$1")" = "$2" ]; }
# the address answers an ICMP echo from the hub (outside the cluster)
answers() { timeout 5 "$LAB" hub ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
silent() { ! answers "$1"; }
# NODE has address IP on one of its interfaces
has_addr() { out_has " inet $2/" timeout 5 "$LAB" exec "$1" ip -o addr show; }
# some fence device of type AGENT is started
fence_started() { out_has "\\(stonith:$1\\):.*Started" timeout 10 "$LAB" exec any crm_mon -1; }
node_online() { out_has "<node name=\"$1\" id=\"[0-9]*\" online=\"true\"" timeout 10 "$LAB" exec any crm_mon -1 --output-as=xml; }
node_offline() { out_has "<node name=\"$1\" id=\"[0-9]*\" online=\"false\"" timeout 10 "$LAB" exec any crm_mon -1 --output-as=xml; }

# first_log_after NS ERE FILE...: the time (ns since the epoch) of the first Pacemaker log line at or
# after NS that matches ERE, or nothing. Pacemaker's log lines start with "Mon DD HH:MM:SS.mmm".
first_log_after() {
    local after=$1 re=$2 line t
    shift 2
    while IFS= read -r line; do
        t=$(date -d "${line:0:19}" +%s%N 2>/dev/null) || continue
        if ((t >= after)); then
            echo "$t"
            return 0
        fi
    done < <(cat "$@" 2>/dev/null | grep -E "$re" | sort -s -k1,3)
}

# boot_event_after NODE EVENT NS: the time (ns) of NODE's first "power off"/"power on" (EVENT) at or
# after NS, from the lab's boot.log, or nothing
boot_event_after() {
    local line t
    while IFS= read -r line; do
        t=$(date -d "${line%% power *}" +%s%N 2>/dev/null) || continue
        if ((t >= $3)); then
            echo "$t"
            return 0
        fi
    done < <(grep " $2" "$LAB_DIR/$1/boot.log" 2>/dev/null)
}
# rel_s NS [BASE]: NS - BASE (default T0) in seconds with centiseconds
rel_s() { local d=$(($1 - ${2:-$T0})); printf '%d.%02d' $((d / 1000000000)) $((d / 10000000 % 100)); }

# shared_disk: the cluster's shared disk, a 64 MiB ext4 loop device on the host that every node sees
# (mounts are per node). Sets IMG, MNT and LOOP; removed by the EXIT trap. Call it after `lab up`
# succeeded: $LAB_DIR.* belong to the lab this scenario brought up.
shared_disk() {
    IMG=$LAB_DIR.img
    MNT=$LAB_DIR.mnt
    mkdir -p "$MNT"
    truncate -s 64M "$IMG"
    mkfs.ext4 -q -F "$IMG"
    LOOP=$(losetup -f --show "$IMG")
    CLEANUP_HOOKS+=("losetup -d $LOOP; rm -f $IMG; rmdir $MNT")
}

# resource agent spec "ocf:provider:type" -> "ocf:provider:type", checked
check_ra() {
    [[ $1 =~ ^ocf:[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$ ]] || fail "bad resource agent '$1': expected ocf:PROVIDER:TYPE"
}

# --agents-dir/--fence-dir options for `lab up` from AGENTS_DIR / FENCE_DIR
lab_up_opts() {
    LAB_UP_OPTS=()
    if [ -n "${AGENTS_DIR:-}" ]; then LAB_UP_OPTS+=(--agents-dir "$AGENTS_DIR"); fi
    if [ -n "${FENCE_DIR:-}" ]; then LAB_UP_OPTS+=(--fence-dir "$FENCE_DIR"); fi
    if [[ ${RA:-} == ocf:rustha:* || ${FS_RA:-} == ocf:rustha:* ]] && [ -z "${AGENTS_DIR:-}" ]; then
        fail "RA/FS_RA use ocf:rustha but AGENTS_DIR (the directory with our agents) is not set"
    fi
}
