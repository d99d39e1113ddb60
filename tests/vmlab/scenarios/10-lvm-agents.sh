#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf:rustha:LVM-activate and LVM in one VM: ocf-tester, ocft, error cases, monitor detection
# (tests/vmlab/lvm/agents.sh does the work inside the VM). ocft's cases are made here, on the
# host (ocft make is slow under emulation), into target/vmlab-ocft, which the VM sees.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
host=$(rustc -vV | sed -n 's/^host: //p')
bin=$repo/target/$host/release
[ -x "$bin/LVM-activate" ] || bin=$repo/target/release
out=$repo/target/vmlab-ocft
rm -rf "$out"
mkdir -p "$out/cases" "$out/configs" "$out/agents"
cp "$bin/LVM-activate" "$bin/LVM" "$out/agents/"
for cfg in "$repo/tests/ocft/LVM-activate.cfg" /usr/share/resource-agents/ocft/configs/LVM; do
  name=rustha-$(basename "$cfg" .cfg)
  sed "s#^\(\s*AgentRoot\s\).*#\1$out/agents#" "$cfg" >"$out/configs/$name"
  unshare --mount --propagation private bash -c '
    mkdir -p /var/lib/resource-agents/ocft/cases &&
    mount --bind "$1/cases" /var/lib/resource-agents/ocft/cases &&
    ocft make -d "$1/configs" "$2" >/dev/null' make "$out" "$name"
done
exec "$here/vmlab" run --title lvm-agents --vm lvm1 --disk d0:128M --disk d1:64M --timeout 900 \
  "$here/lvm/agents.sh"
