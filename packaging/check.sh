#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/check.sh: `make package-check`, as a distribution would build and an admin install:
#  1. every source file carries its SPDX line; debian/copyright and the RPM License: tag are
#     what Cargo.lock says (packaging/licenses.py check);
#  2. `make dist`; the .debs (with -dbgsym) and the .rpms are built from that tarball with the
#     network off (unshare -n), with Debian's toolchain (cargo-web/rustc-web: the
#     Build-Depends are checked, not waived) and a clean environment;
#  3. lintian reports no error; each package holds exactly the files the registry gives it
#     (packaging/files.sh); the -dbgsym packages carry DWARF; no binary names the build
#     directory (--remap-path-prefix);
#  4. the .debs install (beside resource-agents and fence-agents), `make uninstall` leaves their
#     files alone, ocf-tester passes on the installed IPaddr2, every installed OCF agent's
#     meta-data is valid, man finds every page, pcs creates an ocf:rustha:IPaddr2 resource and
#     refuses a second one with the same ip, `pcs resource describe` shows the unique group;
#     the packages purge cleanly.
# Needs root (unshare, dpkg -i) and the packages tools/install-deps.sh installs. Step 4 holds
# /tmp/rustha-root.lock (system-wide packages, a network namespace) and restores whatever was
# at the packages' paths before.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
work=${PACKAGE_CHECK_DIR:-${CARGO_TARGET_DIR:-$repo/target}/package-check}
t0=$SECONDS
step() { echo "-- package-check: $* ($((SECONDS - t0)) s)"; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (unshare -n, dpkg -i)"

offline() { unshare -n -- "$@"; }

# PACKAGE_CHECK_REUSE=1: check the packages a previous run built (steps 3 and 4 only).
reuse=${PACKAGE_CHECK_REUSE:-}
if [ -z "$reuse" ]; then
step "licenses"
tools/spdx.sh check
packaging/licenses.py check

step "make dist"
# The cargo target directory is kept from a previous run (it only saves time: cargo decides).
mkdir -p "$work" && find "$work" -mindepth 1 -maxdepth 1 ! -name target -exec rm -rf {} +
mkdir -p "$work/src" "$work/rpm"
packaging/dist.sh "$work"
tarball=$(ls "$work"/rustha-*.tar.xz)
name=$(basename "$tarball" .tar.xz)
version=${name#rustha-}

# A builder's environment: no network, no rustup, no HOME, Debian's toolchain.
# Both builds unpack at $work/src/NAME and share one cargo target directory outside it, with the
# same flags (debian/rules and the spec remap the same path): the RPM build then recompiles
# nothing the Debian build compiled, which keeps this check within make test's budget.
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent LANG=C.UTF-8 TERM=dumb
  CARGO_TARGET_DIR="$work/target")
offline true || fail "unshare -n does not work here"
[ -z "$(offline ip -o -4 route show)$(offline ip -o -6 route show)" ] || fail "unshare -n left a network route"

step "dpkg-buildpackage (offline, from $name.tar.xz)"
tar -xJf "$tarball" -C "$work/src"
if ! (cd "$work/src/$name" && offline "${clean_env[@]}" dpkg-buildpackage -us -uc) >"$work/deb-build.log" 2>&1; then
  tail -40 "$work/deb-build.log" >&2
  fail "the Debian build (log: $work/deb-build.log)"
fi
mkdir -p "$work/deb" && mv "$work"/src/rustha*_* "$work/deb/"

step "lintian"
changes=$(ls "$work"/deb/rustha_*.changes)
lintian --fail-on error "$changes" | tee "$work/deb/lintian.log" ||
  fail "lintian reports errors ($work/deb/lintian.log)"

fi
tarball=$(ls "$work"/rustha-*.tar.xz)
name=$(basename "$tarball" .tar.xz)
version=${name#rustha-}
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent LANG=C.UTF-8 TERM=dumb
  CARGO_TARGET_DIR="$work/target")

step "the .debs' contents"
build_dir=$work/src/$name
for p in $(packaging/files.sh packages); do
  deb=$(ls "$work"/deb/"${p}"_*.deb)
  want=$(packaging/files.sh "$p" list | sort)
  have=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' |
    grep -v '/$' | grep -v '^/usr/share/doc/\|^/usr/share/lintian/' | sort)
  [ "$want" = "$have" ] || fail "$deb holds $(echo $have), the registry says $(echo $want)"
  dbg=$(ls "$work"/deb/"${p}"-dbgsym_*.deb 2>/dev/null) || fail "no $p-dbgsym package"
  x=$work/deb/x-$p && rm -rf "$x" && dpkg-deb -x "$dbg" "$x" && dpkg-deb -x "$deb" "$x"
  n=0
  while IFS= read -r f; do
    readelf -S "$f" 2>/dev/null | grep -q '\.debug_info' || fail "$f in $dbg has no DWARF"
    n=$((n + 1))
  done < <(find "$x/usr/lib/debug" -name '*.debug')
  [ $n -ge 1 ] || fail "$dbg holds no debug files"
  if grep -rlaF -e "$build_dir" -e "$work/target" "$x" >/dev/null; then
    fail "$p names the build directory $build_dir: $(grep -rlaF "$build_dir" "$x" | head -3)"
  fi
  echo "$p: $(echo "$want" | wc -l) files as registered; -dbgsym: $n debug files; no build path"
done
dpkg-deb -f "$(ls "$work"/deb/rustha-resource-agents_*.deb)" Built-Using | grep -q '^glibc (= ' ||
  fail "rustha-resource-agents has no Built-Using: glibc"

step "rpmbuild -ta (offline)"
# Debian's rpm knows no installed RPMs, so BuildRequires cannot be checked here (--nodeps);
# dpkg-buildpackage checked the same toolchain above.
if ! offline "${clean_env[@]}" rpmbuild -ta "$tarball" --nodeps \
  --define "_topdir $work/rpm" --define "_builddir $work/src" \
  --define "debug_package %{nil}" >"$work/rpm/build.log" 2>&1; then
  tail -40 "$work/rpm/build.log" >&2
  fail "the RPM build (log: $work/rpm/build.log)"
fi
for p in $(packaging/files.sh packages); do
  rpmf=$(ls "$work"/rpm/RPMS/*/"$p-$version"-*.rpm)
  want=$(packaging/files.sh "$p" rpm | sed 's/^%dir //; s/\*$//' | sort)
  have=$(rpm -qlp "$rpmf" 2>/dev/null | grep -v '^/usr/share/doc/\|^/usr/share/licenses/\|^/usr/lib/.build-id' | sed 's/\.gz$//; s/\.\([1-8]\)\.[a-z0-9]*$/.\1/' | sort)
  want=$(echo "$want" | sed 's/\.gz$//' | sort)
  [ "$want" = "$have" ] || fail "$rpmf holds $(echo $have), the registry says $(echo $want)"
  listed=$(rpm -qlp "$rpmf" 2>/dev/null)
  grep -q '^/usr/share/licenses/.*/LICENSE$' <<<"$listed" || fail "$rpmf has no %license LICENSE"
  echo "$p: $(basename "$rpmf"): $(echo "$want" | wc -l) paths as registered, %license"
done

step "install the .debs and use them (holding /tmp/rustha-root.lock)"
debs=()
for p in $(packaging/files.sh packages); do debs+=("$(ls "$work"/deb/"${p}"_*.deb)"); done
exec 9>/tmp/rustha-root.lock
flock 9
export work version
bash "$repo/packaging/check-installed.sh" "${debs[@]}"
flock -u 9
step "done"
