#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Inside VM n1 of scenario 31: resource-agents' ocft drbd.linbit config, pointed at our agent.
# $1 = directory holding our `drbd`. The two-node cases run on n2 over ssh, as ocft does.
set -euo pipefail
agents=$1
export HA_RSCTMP=/run/resource-agents OCF_ROOT=/usr/lib/ocf
mkdir -p "$HA_RSCTMP"
cfgdir=$(mktemp -d /tmp/ocft-cfg.XXXXXX)
sed -e "s#^\(\s*AgentRoot\s\).*#\1$agents#" \
  -e '/InstallPackage/d' \
  -e 's#HOSTNAME1#n1#; s#IP_ADDRESS1#10.253.0.1#; s#/dev/DEVICE1#/dev/vgdata/r0#' \
  -e 's#HOSTNAME2#n2#; s#IP_ADDRESS2#10.253.0.2#; s#/dev/DEVICE2#/dev/vgdata/r0#' \
  /usr/share/resource-agents/ocft/configs/drbd.linbit >"$cfgdir/drbd-rustha"
cases=/var/lib/resource-agents/ocft/cases
mkdir -p "$cases"
ocft make -d "$cfgdir" drbd-rustha
cd /tmp && ocft test drbd-rustha
