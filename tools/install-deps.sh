#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what building, testing and the demo need on a Debian 12 machine, as root.
# Idempotent: installs only what is missing, so a second run costs a second.
set -euo pipefail

# Debian packages: the cluster stack, the stock agents we are compared with and tested by
# (ocf-tester, ocft, fence_ipmilan), ipmi_sim as a BMC, and the tools the tests use: sshfs and
# sshd stand in for a network file system whose server dies (this kernel has no NFS client),
# FreeIPMI is an independent IPMI implementation to check ours against; heartbeat 3.0.6 runs the
# haresources (heartbeat v1) lab scenarios; Net::Telnet runs the original fence_na 1.1.6 (Perl)
# against na-sim.
packages=(
  pacemaker corosync pacemaker-cli-utils crmsh pcs resource-agents fence-agents
  ipmitool openipmi iputils-arping iproute2 psmisc procps libxml2-utils kmod
  xfsprogs e2fsprogs util-linux socat tcpdump nfs-kernel-server nfs-common
  sshfs openssh-server shellcheck freeipmi-tools heartbeat libnet-telnet-perl
  # The VM lab (tests/vmlab): qemu under emulation boots Debian's kernel, which has the
  # device-mapper, DRBD and dlm modules this host kernel lacks; busybox makes its initramfs.
  # The VMs run the host's binaries: dlm_controld and lvmlockd for LVM-activate's lvmlockd mode.
  qemu-system-x86 linux-image-amd64 busybox-static lvm2 drbd-utils dlm-controld lvm2-lockd
  # make package-check: the Debian and RPM builds from the make dist tarball, offline, with
  # Debian's own Rust toolchain (rustc-web/cargo-web: bookworm's rustc is too old for the
  # workspace's rust-version; rustup's stays first in PATH for development), and lintian.
  debhelper dpkg-dev lintian rpm cargo-web rustc-web
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Pacemaker's and pcsd's packages try to start services; there is no systemd here to care.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Rust toolchain: rustup's if present, else Debian's (which may be too old: say so).
if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "install-deps: add \$HOME/.cargo/bin to PATH" >&2
  else
    apt-get install -y -qq --no-install-recommends cargo rustc >/dev/null
  fi
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true
fi
# Crates: fetched once, then builds work offline.
cargo fetch --locked >/dev/null 2>&1 || cargo fetch >/dev/null
