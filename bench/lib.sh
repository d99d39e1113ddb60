# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The shell half of the bench harness, sourced by every bench/*.sh (bench/run runs them all):
#   bench_root WHAT           fail unless root (WHAT: what needs it)
#   bench_need CMD... -- HINT fail naming the package when a command is missing
#   bench_agent NAME          our binary NAME as `make install` ships it (AGENT=path overrides):
#                             built first (unless BENCH_BUILT=1), path from the registry
#                             (tools/agents.sh path)
#   PYTHONPATH                includes bench/, so the python3 parts `from benchlib import ...`
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_REPO=$(cd "$BENCH_DIR/.." && pwd)
BENCH_NAME=$(basename "$0" .sh)
export PYTHONPATH="$BENCH_DIR${PYTHONPATH:+:$PYTHONPATH}"

bench_die() { echo "bench/$BENCH_NAME: $*" >&2; exit 1; }

bench_root() { [ "$(id -u)" = 0 ] || bench_die "needs root ($1)"; }

bench_need() {
	local missing=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		command -v "$1" >/dev/null || missing+=("$1")
		shift
	done
	shift
	[ ${#missing[@]} = 0 ] || bench_die "${missing[*]} not found ($*)"
}

bench_agent() {
	local name=$1 pkg linkage
	if [ -n "${AGENT:-}" ]; then
		[ -x "$AGENT" ] || bench_die "AGENT=$AGENT is not executable"
		echo "$AGENT"
		return
	fi
	read -r _ pkg _ linkage _ < <("$BENCH_REPO/tools/agents.sh" table | awk -v n="$name" '$3 == n')
	[ -n "${pkg:-}" ] || bench_die "$name is not registered (tools/agents.sh table)"
	# bench/run builds before it takes the root lock (BENCH_BUILT=1); run alone, a benchmark
	# builds what it measures first.
	if [ -z "${BENCH_BUILT:-}" ]; then
		if [ "$linkage" = static ]; then
			make -s -C "$BENCH_REPO" static >&2 || bench_die "make static failed"
		else
			(cd "$BENCH_REPO" && cargo build -q --release -p "$pkg") || bench_die "cargo build -p $pkg failed"
		fi
	fi
	"$BENCH_REPO/tools/agents.sh" path "$name"
}
