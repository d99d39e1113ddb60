#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/install.sh install|uninstall: what `make install` / `make uninstall` do, for every binary
# registered in a [package.metadata.rustha] table (tools/agents.sh). The Makefile passes the
# directories: DESTDIR OCF_ROOT FENCEDIR BINDIR DRBDDIR MANDIR, and TARGET_DIR (cargo's).
#
# install: every registered binary must be built (a missing one is an error, nothing is skipped);
# each installs with its man page, rendered by the binary itself and gzip-compressed as
# distributions install them. A page that fails to render fails the install.
# uninstall: removes exactly what install installs, except files a package (dpkg, rpm) owns:
# those are left and named (remove the package instead).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:?usage: tools/install.sh install|uninstall}
: "${DESTDIR:=}" "${OCF_ROOT:=/usr/lib/ocf}" "${FENCEDIR:=/usr/sbin}" "${BINDIR:=/usr/bin}"
: "${DRBDDIR:=/usr/lib/drbd}" "${MANDIR:=/usr/share/man}" "${TARGET_DIR:=$repo/target}"
release=$TARGET_DIR/release
static=$TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release

die() { echo "install: $*" >&2; exit 1; }

# dest KIND NAME: where the binary goes
dest() {
  case $1 in
    ocf) echo "$OCF_ROOT/resource.d/rustha/$2" ;;
    fence) echo "$FENCEDIR/$2" ;;
    tool) echo "$BINDIR/$2" ;;
    drbd-handler) echo "$DRBDDIR/$2" ;;
    *) die "unknown kind $1 for $2" ;;
  esac
}

# man_page KIND NAME SECTION: the man page's installed path
man_page() {
  if [ "$1" = ocf ]; then echo "$MANDIR/man$3/ocf_rustha_$2.$3.gz"; else echo "$MANDIR/man$3/$2.$3.gz"; fi
}

# render KIND BIN: the man page on stdout. Every binary renders its own page: resource agents
# `BIN manpage` (from the same declaration as their meta-data), fence agents `-o manpage` (an
# action of the Fence API front end), tools and DRBD handlers `--man`.
render() {
  case $1 in
    ocf) "$2" manpage ;;
    fence) "$2" -o manpage ;;
    *) "$2" --man ;;
  esac
}

rows=$("$repo/tools/agents.sh" table) || die "the registry (tools/agents.sh table) failed"
[ -n "$rows" ] || die "no crate registers anything to install ([package.metadata.rustha])"

case $mode in
  install)
    while read -r kind _ name linkage man; do
      if [ "$linkage" = static ]; then bin=$static/$name; else bin=$release/$name; fi
      [ -x "$bin" ] || die "$name is registered ($kind) but $bin is not built: make build"
      to=$DESTDIR$(dest "$kind" "$name")
      install -D -m 0755 "$bin" "$to"
      echo "install: $to"
      if [ "$man" != - ]; then
        page=$DESTDIR$(man_page "$kind" "$name" "$man")
        mkdir -p "$(dirname "$page")"
        text=$(render "$kind" "$bin") || die "$name: rendering its man page failed"
        [ -n "$text" ] || die "$name: its man page is empty"
        printf '%s\n' "$text" | gzip -9n >"$page"
        chmod 0644 "$page"
        echo "install: $page"
      fi
    done <<<"$rows"
    ;;
  uninstall)
    owner() { # the package owning $1, if any
      if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -S "$1" >/dev/null 2>&1; then
        dpkg-query -S "$1" 2>/dev/null | head -n1 | cut -d: -f1
      elif command -v rpm >/dev/null 2>&1 && rpm -qf "$1" >/dev/null 2>&1; then
        rpm -qf "$1" | head -n1
      fi
    }
    remove() {
      local f=$1 p
      [ -e "$f" ] || [ -L "$f" ] || return 0
      # Only files on the live system can belong to a package.
      if [ -z "$DESTDIR" ] && p=$(owner "$f") && [ -n "$p" ]; then
        echo "uninstall: $f belongs to package $p: left in place (remove the package instead)" >&2
        return 0
      fi
      rm -f "$f"
      echo "uninstall: removed $f"
    }
    while read -r kind _ name _ man; do
      remove "$DESTDIR$(dest "$kind" "$name")"
      if [ "$man" != - ]; then
        page=$DESTDIR$(man_page "$kind" "$name" "$man")
        remove "$page"
        remove "${page%.gz}" # left by an older make install (uncompressed)
      fi
    done <<<"$rows"
    rmdir "$DESTDIR$OCF_ROOT/resource.d/rustha" 2>/dev/null || true
    ;;
  *) die "usage: tools/install.sh install|uninstall" ;;
esac
