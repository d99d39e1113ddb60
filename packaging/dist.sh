#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/dist.sh [OUTDIR]: `make dist`. The source tarball OUTDIR/rustha-VERSION.tar.xz
# (default OUTDIR: target/dist) that distribution builders (sbuild, pbuilder, mock, Koji)
# build from without network:
#   - the tracked files of the work tree (uncommitted changes included: check `git status`),
#   - vendor/: every crate of Cargo.lock (`cargo vendor --versioned-dirs`), and
#     .cargo/config.toml pointing cargo at it,
#   - debian/ (packaging/debian) at the top, so that `dpkg-buildpackage` in the
#     unpacked tree works as it is; `rpmbuild -ta rustha-VERSION.tar.xz` finds packaging/rpm/rustha.spec.
# Crates come from cargo's cache (tools/install-deps.sh runs `cargo fetch`); no network needed.
# The tarball is reproducible: sorted, owned by root, dated by the last commit.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"
out=${1:-${CARGO_TARGET_DIR:-$repo/target}/dist}
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || { echo "dist: no version in Cargo.toml [workspace.package]" >&2; exit 1; }
name=rustha-$version
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"

git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$stage/$name"
[ ! -e "$stage/$name/debian" ] || { echo "dist: a top-level debian/ exists in the tree; it is made from packaging/debian" >&2; exit 1; }
cp -r packaging/debian "$stage/$name/debian"

mkdir -p "$stage/$name/.cargo"
(cd "$stage/$name" &&
  cargo vendor --locked --offline --versioned-dirs vendor >.cargo/config.toml.new 2>"$stage/vendor.log") ||
  { cat "$stage/vendor.log" >&2; echo "dist: cargo vendor failed (are the crates fetched? cargo fetch --locked)" >&2; exit 1; }
{
  echo "# Made by make dist (packaging/dist.sh): build from the vendored crates, offline."
  cat "$stage/$name/.cargo/config.toml.new"
  printf '\n[net]\noffline = true\n'
} >"$stage/$name/.cargo/config.toml"
rm "$stage/$name/.cargo/config.toml.new"

mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$stage" -cf - "$name" | xz -T1 -6 >"$out/$name.tar.xz.new"
mv "$out/$name.tar.xz.new" "$out/$name.tar.xz"
echo "dist: $out/$name.tar.xz ($(du -h "$out/$name.tar.xz" | cut -f1), $(ls "$stage/$name/vendor" | wc -l) vendored crates)"
