#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/check-installed.sh DEB...: step 4 of packaging/check.sh (which holds
# /tmp/rustha-root.lock): install the .debs system-wide, check them as an admin would use them,
# purge them, and put back whatever was at their paths before (a developer's `make install`).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${work:?}
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
mapfile -t pkgs < <(cd "$repo" && packaging/files.sh packages)
ns=rustha-pkgck
saved=$work/saved
rm -rf "$saved" && mkdir -p "$saved"

# Files at the packages' paths that no package owns (left by `make install`): set aside.
all_files=()
for p in "${pkgs[@]}"; do mapfile -t -O ${#all_files[@]} all_files < <(packaging/files.sh "$p" list); done
for f in "${all_files[@]}"; do
  if [ -e "$f" ]; then
    dpkg-query -S "$f" >/dev/null 2>&1 && fail "$f already belongs to $(dpkg-query -S "$f" | cut -d: -f1)"
    mkdir -p "$saved$(dirname "$f")" && mv "$f" "$saved$f"
  fi
done

cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  for p in "${pkgs[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then dpkg -P "$p" >/dev/null || true; fi
  done
  if [ -d "$saved/usr" ]; then (cd "$saved" && find . -type f -print0 | while IFS= read -r -d '' f; do
    mkdir -p "/$(dirname "${f#./}")" && mv "$f" "/${f#./}"; done); fi
}
trap cleanup EXIT

dpkg -i "$@" >"$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log" >&2; fail "dpkg -i"; }
for f in "${all_files[@]}"; do [ -f "$f" ] || fail "$f is not installed"; done
echo "installed: ${pkgs[*]} (beside $(dpkg-query -W -f='${Package} ${Version}, ' resource-agents fence-agents 2>/dev/null))"

# make uninstall on a system where the packages own the files: nothing of theirs goes.
(cd "$repo" && make -s uninstall) >"$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log" >&2; fail "make uninstall"; }
for f in "${all_files[@]}"; do [ -f "$f" ] || fail "make uninstall deleted $f, which a package owns"; done
grep -q 'belongs to package' "$work/uninstall.log" || fail "make uninstall did not say it left package files"
echo "make uninstall: left every packaged file in place"

# Every installed resource agent: valid OCF meta-data; every man page found by man.
for a in /usr/lib/ocf/resource.d/rustha/*; do
  # Beside the DTD it names (SYSTEM "ra-api-1.dtd"), as resource-agents' own check does.
  cp /usr/share/resource-agents/ra-api-1.dtd "$work/"
  OCF_ROOT=/usr/lib/ocf "$a" meta-data >"$work/meta-data.xml"
  xmllint --noout --dtdvalid "$work/ra-api-1.dtd" "$work/meta-data.xml" ||
    fail "$a meta-data is not valid OCF"
done
for f in "${all_files[@]}"; do
  case $f in
    /usr/share/man/*)
      page=$(basename "$f" .gz)
      man -w "${page##*.}" "${page%.*}" >/dev/null || fail "man does not find $page" ;;
  esac
done
echo "meta-data valid (ra-api-1.dtd), man finds every page"

# ocf-tester on the installed IPaddr2, in a network namespace of our own.
ip netns del "$ns" 2>/dev/null || true
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add pk0 type veth peer name pk1
ip -n "$ns" link set pk0 up
ip -n "$ns" link set pk1 up
ip netns exec "$ns" ocf-tester -n pkgck -o ip=192.0.2.77 -o cidr_netmask=24 -o nic=pk0 \
  /usr/lib/ocf/resource.d/rustha/IPaddr2 >"$work/ocf-tester.log" 2>&1 ||
  { cat "$work/ocf-tester.log" >&2; fail "ocf-tester on the installed IPaddr2"; }
tail -1 "$work/ocf-tester.log"
ip netns del "$ns"

# pcs reads the installed agents as it does the stock ones.
cib=$work/cib.xml
cibadmin --empty >"$cib"
pcs -f "$cib" resource create vip1 ocf:rustha:IPaddr2 ip=192.0.2.10 cidr_netmask=24 >"$work/pcs.log" 2>&1 ||
  { cat "$work/pcs.log" >&2; fail "pcs resource create ocf:rustha:IPaddr2"; }
if pcs -f "$cib" resource create vip2 ocf:rustha:IPaddr2 ip=192.0.2.10 cidr_netmask=24 >"$work/pcs2.log" 2>&1; then
  fail "pcs accepted a second ocf:rustha:IPaddr2 with the same ip"
fi
grep -qi 'unique\|already' "$work/pcs2.log" || { cat "$work/pcs2.log" >&2; fail "pcs refused the second resource for another reason"; }
pcs resource describe ocf:rustha:IPaddr2 >"$work/describe.log" 2>&1 || fail "pcs resource describe ocf:rustha:IPaddr2"
grep -q 'ip (required) (unique' "$work/describe.log" || { head -20 "$work/describe.log" >&2; fail "pcs resource describe does not show ip as unique"; }
pcs stonith describe fence_ipmilan_rs >/dev/null 2>&1 || fail "pcs stonith describe fence_ipmilan_rs"
echo "pcs: create ok, a second IPaddr2 with the same ip refused: $(head -1 "$work/pcs2.log")"

for p in "${pkgs[@]}"; do dpkg -P "$p" >/dev/null; done
for f in "${all_files[@]}"; do [ ! -e "$f" ] || fail "$f is left after purging the packages"; done
[ ! -e /usr/lib/ocf/resource.d/rustha ] || fail "/usr/lib/ocf/resource.d/rustha is left after the purge"
echo "purged: no file left"
