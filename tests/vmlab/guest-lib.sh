# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers for scripts that run inside vmlab VMs: `. tests/vmlab/guest-lib.sh`.
# VMLAB_LAB (the lab directory, shared read-write with the host and the other VMs), VMLAB_NAME
# (this VM) and VMLAB_IP come from guest-init.

# Seconds since boot, for progress lines.
vm_uptime() { cut -d' ' -f1 /proc/uptime; }
vm_log() { echo "[$(vm_uptime)s $VMLAB_NAME] $*"; }

# Flags: files in LAB/flags, seen by every VM and the host.
vm_flag() { mkdir -p "$VMLAB_LAB/flags" && : >"$VMLAB_LAB/flags/$1"; }
vm_wait_flag() { # NAME [TIMEOUT_S=300]
  local end=$((SECONDS + ${2:-300}))
  while [ ! -e "$VMLAB_LAB/flags/$1" ]; do
    ((SECONDS < end)) || { vm_log "timeout waiting for flag $1"; return 1; }
    sleep 0.2
  done
}

# Wait until HOST answers on the wire.
vm_wait_ping() { # HOST [TIMEOUT_S=120]
  local end=$((SECONDS + ${2:-120}))
  until ping -c1 -W1 "$1" >/dev/null 2>&1; do
    ((SECONDS < end)) || { vm_log "timeout waiting for $1 on the wire"; return 1; }
  done
}

# The device node of a lab disk (vmlab --disk NAME:...).
vm_disk() { readlink -f "/dev/vmlab/$1"; }
