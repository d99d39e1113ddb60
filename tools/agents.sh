#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The registry of what rustha installs, read from each crate's [package.metadata.rustha] table
# (cargo metadata), so the Makefile, the packaging and the labs never keep their own lists.
#
#   tools/agents.sh table                one line per installed binary: KIND PACKAGE NAME STATIC MAN
#                                        (MAN is the man section, - for none)
#   tools/agents.sh names [KIND...]      installed names, of these kinds (ocf fence tool drbd-handler)
#   tools/agents.sh packages [static|dynamic]   the packages that install something
#   tools/agents.sh path NAME            the built binary `make install` ships (static build for static
#                                        ones); fails when it is not built
#   tools/agents.sh stage DEST           copy every registered binary, as `make install` ships it
#                                        (`path`), into DEST/agents (ocf) and DEST/fence (the
#                                        others); fails naming the first one missing
#   tools/agents.sh stage BINDIR DEST    the same from BINDIR (a cargo release dir)
#   tools/agents.sh stage --installed DEST   the same from the installed locations (make install)
#
# The table (docs/development.md, "Adding an agent"):
#   [package.metadata.rustha]
#   kind = "ocf"            # ocf -> $OCF_ROOT/resource.d/rustha, fence -> sbin, tool -> bin,
#                           # drbd-handler -> /usr/lib/drbd
#   install = ["IPaddr2"]   # [[bin]] names
#   static = true           # linked statically (resource agents)
#   man = 7                 # man section; the binary renders its own page
# A mistake in a table (unknown key or kind, a name that is no [[bin]]) is an error, not a skip.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

table() {
  cargo metadata --no-deps --format-version 1 --offline --manifest-path "$repo/Cargo.toml" |
    python3 -c '
import json, sys
KINDS = ("ocf", "fence", "tool", "drbd-handler")
KEYS = {"kind", "install", "static", "man"}
meta = json.load(sys.stdin)
rows, seen, errors = [], {}, []
for p in sorted(meta["packages"], key=lambda p: p["name"]):
    r = (p.get("metadata") or {}).get("rustha")
    if r is None:
        continue
    where = p["manifest_path"]
    bins = {t["name"] for t in p["targets"] if "bin" in t["kind"]}
    for k in sorted(set(r) - KEYS):
        errors.append(f"{where}: unknown key {k!r} in [package.metadata.rustha] (known: {sorted(KEYS)})")
    kind = r.get("kind")
    if kind not in KINDS:
        errors.append(f"{where}: kind = {kind!r}, expected one of {KINDS}")
    install = r.get("install")
    if not isinstance(install, list) or not install or not all(isinstance(n, str) for n in install):
        errors.append(f"{where}: install must be a non-empty list of [[bin]] names")
        install = []
    static = r.get("static", False)
    if not isinstance(static, bool):
        errors.append(f"{where}: static must be true or false")
    man = r.get("man")
    if man is not None and (not isinstance(man, int) or isinstance(man, bool) or not 1 <= man <= 8):
        errors.append(f"{where}: man must be a man section 1..8")
    for n in install:
        if n not in bins:
            errors.append(f"{where}: {n!r} is not a [[bin]] of {p['name']} ({sorted(bins)})")
        if n in seen:
            errors.append(f"{where}: {n!r} is also installed by {seen[n]}")
        seen[n] = p["name"]
        rows.append((kind, p["name"], n, "static" if static else "dynamic", str(man) if man else "-"))
if errors:
    sys.exit("tools/agents.sh: " + "\ntools/agents.sh: ".join(errors))
for r in rows:
    print(" ".join(r))
'
}

host() { rustc -vV | sed -n 's/^host: //p'; }

case ${1:-} in
  table) table ;;
  names)
    shift
    table | awk -v kinds=" $* " '$1 != "" && (kinds == "  " || index(kinds, " " $1 " ")) { print $3 }'
    ;;
  packages)
    table | awk -v want="${2:-}" 'want == "" || $4 == want { print $2 }' | sort -u
    ;;
  path)
    [ $# = 2 ] || { echo "usage: tools/agents.sh path NAME" >&2; exit 2; }
    row=$(table | awk -v n="$2" '$3 == n')
    [ -n "$row" ] || { echo "tools/agents.sh: $2 is not registered (no [package.metadata.rustha] installs it)" >&2; exit 1; }
    target=${CARGO_TARGET_DIR:-$repo/target}
    read -r _ pkg _ linkage _ <<<"$row"
    if [ "$linkage" = static ]; then p=$target/$(host)/release/$2; else p=$target/release/$2; fi
    [ -x "$p" ] || { echo "tools/agents.sh: $p is not built (make build, or cargo build --release -p $pkg)" >&2; exit 1; }
    echo "$p"
    ;;
  stage)
    shift
    from=built
    if [ "${1:-}" = --installed ]; then from=installed; shift; fi
    case $from/$# in
      built/1) dest=$1 ;;
      built/2) from=dir bin=$1 dest=$2 ;;
      installed/1) dest=$1 ;;
      *) echo "usage: tools/agents.sh stage [BINDIR | --installed] DEST" >&2; exit 2 ;;
    esac
    mkdir -p "$dest/agents" "$dest/fence"
    ocf_dir=${OCF_ROOT:-/usr/lib/ocf}/resource.d/rustha
    rows=$(table)
    while read -r kind _ name _ _; do
      case $from in
        built) src=$("$0" path "$name") || exit 1 ;;
        dir) src=$bin/$name ;;
        installed)
          case $kind in
            ocf) src=$ocf_dir/$name ;;
            drbd-handler) src=/usr/lib/drbd/$name ;;
            *) src=$(PATH=/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:$PATH command -v "$name" || true) ;;
          esac ;;
      esac
      if [ -z "$src" ] || [ ! -f "$src" ] || [ ! -x "$src" ]; then
        echo "tools/agents.sh: $name ($kind) is missing: ${src:-not on PATH}" >&2
        exit 1
      fi
      if [ "$kind" = ocf ]; then cp "$src" "$dest/agents/"; else cp "$src" "$dest/fence/"; fi
    done <<<"$rows"
    chmod 755 "$dest" "$dest/agents" "$dest/fence"
    ;;
  *)
    sed -n '2,/^set -euo/{/^set -euo/d;/SPDX-License-Identifier/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 2
    ;;
esac
