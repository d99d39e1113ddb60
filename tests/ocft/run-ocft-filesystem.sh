#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run tests/ocft/Filesystem.cfg under ocft against ocf:rustha:Filesystem (root; loop devices).
#
#   tests/ocft/run-ocft-filesystem.sh [AGENT_BINARY]
#
# Without an argument, the build `make install` ships. ocft needs the agent in a
# directory of its own (AgentRoot): a temp directory is made, the config copied with AgentRoot
# pointing there, `ocft make` and `ocft test` run, and the run fails if any case FAILED or an
# ocft step reported an error. Everything temporary is removed on exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: ocft needs root (loop devices and mounts)"
	exit 0
fi
# Run in a private mount namespace: a mount made here cannot be copied into a mount namespace
# that someone else creates meanwhile (a Pacemaker-in-namespaces lab, for one), where the copy
# would keep the loop device busy after our unmount and break the "remove device" case.
if [ -z "${RUSTHA_OCFT_PRIVATE_NS:-}" ]; then
	export RUSTHA_OCFT_PRIVATE_NS=1
	exec unshare -m --propagation private "$0" "$@"
fi

for tool in ocft losetup mke2fs; do
	command -v $tool >/dev/null || { echo "ERROR: $tool not found (install resource-agents, util-linux, e2fsprogs)"; exit 1; }
done

agent=${1:-}
if [ -z "$agent" ]; then
	agent=$("$repo/tools/agent-path.sh" Filesystem) || exit 1
fi
[ -x "$agent" ] || { echo "ERROR: agent binary $agent not found"; exit 1; }

tmp=$(mktemp -d /tmp/rustha-ocft-fs.XXXXXX)
loop=
cleanup() {
	# ocft's own CLEANUP-AGENT unmounts; this is the safety net.
	if [ -n "$loop" ]; then
		grep " $loop " /proc/self/mounts | cut -d' ' -f2 | while read -r m; do umount -l "$m"; done
		losetup -d "$loop" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/agents" "$tmp/configs"
# The file system image on a loop device numbered 200 or above (see Filesystem.cfg for why).
image="$tmp/fs.img"
truncate -s 16M "$image"
for n in $(seq 200 299); do
	if [ ! -e "/sys/block/loop$n/loop/backing_file" ] && losetup "/dev/loop$n" "$image" 2>/dev/null; then
		loop=/dev/loop$n
		break
	fi
done
[ -n "$loop" ] || { echo "ERROR: no free loop device in /dev/loop200..299"; exit 1; }
export RUSTHA_OCFT_LOOP=$loop RUSTHA_OCFT_IMAGE=$image
cp "$agent" "$tmp/agents/Filesystem"
sed "s#^\(\s*AgentRoot\s\).*#\1$tmp/agents#" "$here/Filesystem.cfg" > "$tmp/configs/Filesystem"

export OCF_ROOT=${OCF_ROOT:-/usr/lib/ocf}
export HA_RSCTMP=${HA_RSCTMP:-/run/resource-agents}
mkdir -p "$HA_RSCTMP"

ocft make -d "$tmp/configs" Filesystem || { echo "ERROR: ocft make failed"; exit 1; }
log="$tmp/ocft.log"
ocft test ${OCFT_VERBOSE:+-v} Filesystem 2>&1 | tee "$log"
failed=$(grep -c 'FAILED\|ERROR' "$log" || true)
ocft clean Filesystem >/dev/null 2>&1 || true
echo "ocft Filesystem: $(grep -c '^Filesystem: ' "$log" || true) cases, $(grep -c 'OK' "$log" || true) OK lines, $failed failure lines"
[ "$failed" = 0 ]
