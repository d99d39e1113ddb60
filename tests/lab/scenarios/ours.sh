# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers for the scenarios that run our agents by default (03, 04, 05) and for bench/failover.sh.
# Source it after lib.sh. Not a scenario itself (run-scenarios runs only [0-9]*.sh).

# our_agents: make sure AGENTS_DIR (ocf:rustha agents the nodes see) and FENCE_DIR (fence_na,
# fence_ipmilan_rs and na-sim the nodes see) are set. Taken, in this order, from:
#   1. AGENTS_DIR / FENCE_DIR as given (run-scenarios --ours sets them);
#   2. RUSTHA_BIN, or else the cargo target dir ${CARGO_TARGET_DIR:-<repo>/target}/release: copies of
#      the binaries into a private directory (so a rebuild during the run cannot disturb it, and no
#      other file of the target dir becomes an agent);
#   3. the installed agents (`make install`): /usr/lib/ocf/resource.d/rustha, /usr/sbin/fence_*.
# Fails with one line naming what is missing.
our_agents() {
    local repo bin f stage
    if [ -n "${AGENTS_DIR:-}" ] && [ -n "${FENCE_DIR:-}" ]; then
        ours_check
        return 0
    fi
    repo=$(readlink -f "$(dirname "${BASH_SOURCE[0]}")/../../..")
    bin=${RUSTHA_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release}
    if [ -x "$bin/IPaddr2" ] && [ -x "$bin/Filesystem" ] && [ -x "$bin/fence_na" ] &&
        [ -x "$bin/na-sim" ] && [ -x "$bin/fence_ipmilan_rs" ]; then
        stage=$LAB_DIR-ours
        rm -rf "$stage"
        mkdir -p "$stage/agents" "$stage/fence"
        CLEANUP_HOOKS+=("rm -rf $stage")
        for f in IPaddr2 IPaddr Filesystem; do
            if [ -x "$bin/$f" ]; then cp "$bin/$f" "$stage/agents/"; fi
        done
        cp "$bin/fence_na" "$bin/fence_ipmilan_rs" "$bin/na-sim" "$stage/fence/"
        chmod 755 "$stage" "$stage"/*
        AGENTS_DIR=${AGENTS_DIR:-$stage/agents}
        FENCE_DIR=${FENCE_DIR:-$stage/fence}
        OURS_FROM="copies of $bin"
    elif [ -z "${AGENTS_DIR:-}" ] && [ -x /usr/lib/ocf/resource.d/rustha/IPaddr2 ]; then
        AGENTS_DIR=/usr/lib/ocf/resource.d/rustha
        stage=$LAB_DIR-ours
        rm -rf "$stage"
        mkdir -p "$stage"
        CLEANUP_HOOKS+=("rm -rf $stage")
        for f in /usr/sbin/fence_na /usr/sbin/fence_ipmilan_rs "$(command -v na-sim || echo na-sim)"; do
            [ -x "$f" ] || fail "installed agents: $f is missing or not executable (make install)"
            cp "$f" "$stage/"
        done
        chmod 755 "$stage" "$stage"/*
        FENCE_DIR=${FENCE_DIR:-$stage}
        OURS_FROM="the installed agents"
    else
        fail "our agents not found: set AGENTS_DIR and FENCE_DIR, or RUSTHA_BIN (a cargo release dir), or build ($bin has no IPaddr2/Filesystem/fence_na/na-sim/fence_ipmilan_rs), or make install"
    fi
    ours_check
}

ours_check() {
    local f
    for f in IPaddr2 Filesystem; do
        [ -x "$AGENTS_DIR/$f" ] || fail "AGENTS_DIR=$AGENTS_DIR has no executable $f"
    done
    for f in fence_na fence_ipmilan_rs na-sim; do
        [ -x "$FENCE_DIR/$f" ] || fail "FENCE_DIR=$FENCE_DIR has no executable $f"
    done
    export AGENTS_DIR FENCE_DIR
    echo "our agents: AGENTS_DIR=$AGENTS_DIR FENCE_DIR=$FENCE_DIR${OURS_FROM:+ ($OURS_FROM)}"
}

# squeeze: whitespace runs (newlines too) to one space, for comparing text that tools re-wrap
squeeze() { tr -s ' \t\n' '   '; }

# contains HAYSTACK NEEDLE WHAT: fail unless NEEDLE is a substring of HAYSTACK (both squeezed)
contains() {
    local hay needle
    hay=$(printf '%s' "$1" | squeeze)
    needle=$(printf '%s' "$2" | squeeze)
    [[ $hay == *"$needle"* ]] || fail "$3: expected to find \"$needle\""
}
