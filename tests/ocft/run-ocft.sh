#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run ocft configs for ocf:rustha:IPaddr2 inside a network namespace this script creates.
#
#   tests/ocft/run-ocft.sh [CFG...]        (default: tests/ocft/IPaddr2v4.cfg tests/ocft/IPaddr2v6.cfg)
#
# AGENT=/path/to/IPaddr2 selects the binary; otherwise the build `make install` ships. The
# namespace holds a veth pair named eth0/eth1 (the interfaces the configs use); each config is
# copied with AgentRoot pointing at a temp directory holding the agent, then `ocft make` and
# `ocft test` run inside the namespace, in a private mount namespace whose tmpfs holds ocft's
# generated cases. Exits non-zero if a case failed. The namespace and the temp directory are
# removed on exit, also on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: ocft needs root (network namespaces)"
	exit 0
fi
command -v ocft >/dev/null || { echo "ERROR: ocft not found (install resource-agents)"; exit 1; }

cfgs=("$@")
[ ${#cfgs[@]} -gt 0 ] || cfgs=("$here/IPaddr2v4.cfg" "$here/IPaddr2v6.cfg")

agent=${AGENT:-}
if [ -z "$agent" ]; then
	agent=$("$repo/tools/agent-path.sh" IPaddr2) || exit 1
fi
[ -x "$agent" ] || { echo "ERROR: agent binary $agent not found"; exit 1; }

ns=rustha-ocft-$$
tmp=$(mktemp -d /tmp/rustha-ocft-ip.XXXXXX)
cleanup() {
	ip netns pids "$ns" 2>/dev/null | while read -r pid; do kill "$pid" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns" || exit 1
ip link add eth0 netns "$ns" type veth peer name eth1 netns "$ns" || exit 1
for l in lo eth0 eth1; do ip -n "$ns" link set "$l" up || exit 1; done

mkdir -p "$tmp/agents" "$tmp/configs" "$tmp/run" "$tmp/rsctmp"
cp "$agent" "$tmp/agents/IPaddr2"
cp "$agent" "$tmp/agents/IPaddr" 2>/dev/null

export OCF_ROOT=${OCF_ROOT:-/usr/lib/ocf}
export HA_RSCTMP="$tmp/rsctmp"

# ocft keeps its generated cases, and runs them, in one fixed directory; a private mount
# namespace with a tmpfs there keeps concurrent ocft runs (other agents' tests) from colliding.
cases=/var/lib/resource-agents/ocft/cases
mkdir -p "$cases"
rc=0
for cfg in "${cfgs[@]}"; do
	name=rustha-$(basename "$cfg" .cfg)
	sed "s#^\(\s*AgentRoot\s\).*#\1$tmp/agents#" "$cfg" > "$tmp/configs/$name"
	log="$tmp/$name.log"
	unshare --mount --propagation private bash -c '
		mount -t tmpfs rustha-ocft "$1" || exit 1
		ocft make -d "$2" "$3" || { echo "ERROR: ocft make $3 failed"; exit 1; }
		cd "$4" && ip netns exec "$5" ocft test "$3"
	' run-ocft "$cases" "$tmp/configs" "$name" "$tmp/run" "$ns" 2>&1 | tee "$log"
	failed=$(grep -c 'FAILED\|ERROR:\|WARNING:' "$log" || true)
	passed=$(grep -c "^$name: .* - .*OK" "$log" || true)
	echo "ocft $name: $passed cases passed, $failed failure lines"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ] || rc=1
done
exit $rc
