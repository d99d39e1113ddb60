# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers for the scenarios that run our agents by default (03, 04, 05) and for bench/failover.sh.
# Source it after lib.sh. Not a scenario itself (run-scenarios runs only [0-9]*.sh).

# our_agents: make sure AGENTS_DIR (ocf:rustha agents the nodes see) and FENCE_DIR (fence agents
# and tools such as na-sim the nodes see) are set. Every binary registered in a crate's
# [package.metadata.rustha] (tools/agents.sh) is there, taken, in this order, from:
#   1. AGENTS_DIR / FENCE_DIR as given (run-scenarios --ours sets them);
#   2. RUSTHA_BIN (a cargo release dir), or else the builds `make install` ships (make build):
#      copies into a private directory (so a rebuild during the run cannot disturb it, and no
#      other file of the target dir becomes an agent);
#   3. the installed agents (`make install`): /usr/lib/ocf/resource.d/rustha, /usr/sbin, PATH.
# Fails with one line naming what is missing.
our_agents() {
    local repo stage
    if [ -n "${AGENTS_DIR:-}" ] && [ -n "${FENCE_DIR:-}" ]; then
        ours_check
        return 0
    fi
    repo=$(readlink -f "$(dirname "${BASH_SOURCE[0]}")/../../..")
    stage=$LAB_DIR-ours
    rm -rf "$stage"
    CLEANUP_HOOKS+=("rm -rf $stage")
    if [ -n "${RUSTHA_BIN:-}" ]; then
        "$repo/tools/agents.sh" stage "$RUSTHA_BIN" "$stage" || fail "RUSTHA_BIN=$RUSTHA_BIN lacks an agent (above)"
        OURS_FROM="copies of $RUSTHA_BIN"
    elif "$repo/tools/agents.sh" stage "$stage" 2>/dev/null; then
        OURS_FROM="copies of the shipped builds"
    elif [ -z "${AGENTS_DIR:-}" ] && [ -d /usr/lib/ocf/resource.d/rustha ]; then
        rm -rf "$stage"
        "$repo/tools/agents.sh" stage --installed "$stage" || fail "installed agents: one is missing (make install)"
        OURS_FROM="copies of the installed agents"
    else
        fail "our agents not found: set AGENTS_DIR and FENCE_DIR, or RUSTHA_BIN (a cargo release dir), or make build, or make install"
    fi
    AGENTS_DIR=${AGENTS_DIR:-$stage/agents}
    FENCE_DIR=${FENCE_DIR:-$stage/fence}
    ours_check
}

ours_check() {
    local repo f
    repo=$(readlink -f "$(dirname "${BASH_SOURCE[0]}")/../../..")
    for f in $("$repo/tools/agents.sh" names ocf); do
        [ -x "$AGENTS_DIR/$f" ] || fail "AGENTS_DIR=$AGENTS_DIR has no executable $f"
    done
    for f in $("$repo/tools/agents.sh" names fence tool); do
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
