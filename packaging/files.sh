#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/files.sh PACKAGE deb|rpm: the files binary package PACKAGE ships, derived from the
# registry (tools/agents.sh table, i.e. every crate's [package.metadata.rustha]), so no file
# list is written by hand: a new agent lands in its package by declaring its table.
#   kind ocf, drbd-handler -> rustha-resource-agents (the resource agents, DRBD's handlers)
#   kind fence             -> rustha-fence-agents
#   kind tool              -> rustha-tools (na-sim, the Node Assassin simulator; rustha-migrate)
# Paths are where `make install PREFIX=/usr` puts them (tools/install.sh).
#   deb: paths relative to debian/tmp, one per line (debian/PACKAGE.install)
#   rpm: %files lines, with the directories the package owns (%dir)
#   list: absolute paths, files only (what the built package must hold, checked by
#         packaging/check.sh)
# `packaging/files.sh packages` prints the binary package names.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
packages=(rustha-resource-agents rustha-fence-agents rustha-tools)
if [ "${1:-}" = packages ]; then printf '%s\n' "${packages[@]}"; exit 0; fi
[ $# = 2 ] || { echo "usage: packaging/files.sh PACKAGE deb|rpm|list | packaging/files.sh packages" >&2; exit 2; }
want=$1 format=$2
case " ${packages[*]} " in *" $want "*) ;; *) echo "files.sh: no package $want (${packages[*]})" >&2; exit 2 ;; esac

package_of() {
  case $1 in
    ocf | drbd-handler) echo rustha-resource-agents ;;
    fence) echo rustha-fence-agents ;;
    tool) echo rustha-tools ;;
    *) echo "files.sh: kind $1 belongs to no package (add it to packaging/files.sh)" >&2; return 1 ;;
  esac
}

rows=$("$repo/tools/agents.sh" table)
[ -n "$rows" ] || { echo "files.sh: the registry is empty" >&2; exit 1; }
files=() dirs=()
while read -r kind _ name _ man; do
  [ "$(package_of "$kind")" = "$want" ] || continue
  case $kind in
    ocf) files+=("/usr/lib/ocf/resource.d/rustha/$name")
      dirs+=(/usr/lib/ocf /usr/lib/ocf/resource.d /usr/lib/ocf/resource.d/rustha) ;;
    drbd-handler) files+=("/usr/lib/drbd/$name"); dirs+=(/usr/lib/drbd) ;;
    fence) files+=("/usr/sbin/$name") ;;
    tool) files+=("/usr/bin/$name") ;;
  esac
  if [ "$man" != - ]; then
    if [ "$kind" = ocf ]; then page="ocf_rustha_$name.$man"; else page="$name.$man"; fi
    files+=("/usr/share/man/man$man/$page.gz")
  fi
done <<<"$rows"
[ ${#files[@]} -gt 0 ] || { echo "files.sh: nothing is registered for $want" >&2; exit 1; }

case $format in
  deb) printf '%s\n' "${files[@]#/}" ;;
  list) printf '%s\n' "${files[@]}" ;;
  rpm)
    # The OCF directories are owned (shared with resource-agents, as RPM allows) so that
    # removing every package leaves none behind and installing ours needs no resource-agents.
    if [ ${#dirs[@]} -gt 0 ]; then printf '%%dir %s\n' "${dirs[@]}" | sort -u; fi
    for f in "${files[@]}"; do
      # rpm may recompress man pages (brp-compress): match the page whatever its suffix.
      case $f in /usr/share/man/*) echo "${f%.gz}*" ;; *) echo "$f" ;; esac
    done ;;
  *) echo "files.sh: format $format: deb, rpm or list" >&2; exit 2 ;;
esac
