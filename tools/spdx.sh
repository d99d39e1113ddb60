#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/spdx.sh check|add: every source file of ours carries the line
#   SPDX-License-Identifier: GPL-2.0-or-later
# in its first three lines (after a shebang). `check` lists the files without it and fails;
# `add` inserts it. Ours = tracked Rust sources, shell scripts and other executables, makefiles.
# Not ours: the vendored test oracle tools/sim/na-sim/tests/fence_na-1.1.6 (GPL-2.0, Digimer;
# debian/copyright lists it) and test data (fixtures, recorded outputs).
set -euo pipefail
cd "$(dirname "$0")/.."
id='SPDX-License-Identifier: GPL-2.0-or-later'

sources() {
  git ls-files -z | while IFS= read -r -d '' f; do
    case $f in
      tools/sim/na-sim/tests/fence_na-1.1.6/*|*/fixtures/*|*/tests/data/*) continue ;;
      *.rs|*.sh|Makefile|*/rules) printf '%s\n' "$f" ;;
      *) [ -f "$f" ] && [ -x "$f" ] && head -c2 "$f" | grep -q '^#!' && printf '%s\n' "$f" ;;
    esac
  done
}

missing() {
  sources | while IFS= read -r f; do
    head -n3 "$f" | grep -q "$id" || printf '%s\n' "$f"
  done
}

case ${1:-check} in
  check)
    m=$(missing)
    if [ -n "$m" ]; then
      echo "spdx: these files lack '$id' in their first lines (tools/spdx.sh add):" >&2
      printf '  %s\n' $m >&2
      exit 1
    fi
    echo "spdx: $(sources | wc -l) files carry the license identifier"
    ;;
  add)
    missing | while IFS= read -r f; do
      case $f in
        *.rs) sed -i "1i // $id" "$f" ;;
        *) if head -c2 "$f" | grep -q '^#!'; then sed -i "1a # $id" "$f"; else sed -i "1i # $id" "$f"; fi ;;
      esac
      echo "spdx: $f"
    done
    ;;
  *) echo "usage: tools/spdx.sh check|add" >&2; exit 2 ;;
esac
