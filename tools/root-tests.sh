#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The root-only tests: those marked #[ignore = "needs root"] (namespaces, loop devices, mounts,
# ipmi_sim, Pacemaker). Builds the test binaries once, then runs each one's ignored tests as
# root, holding /tmp/rustha-root.lock per binary (fixed-name resources: never two at once).
# Prints how many tests ran as root; fails if any failed or none ran.
#   tools/root-tests.sh                  # the whole workspace
#   tools/root-tests.sh -p filesystem    # cargo test selection arguments
# Set RUSTHA_ROOT_LOCK_HELD=1 when the caller already holds the lock.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$HOME/.cargo/bin:$PATH"

if [ "$(id -u)" != 0 ]; then
  echo "root-tests: must run as root (the tests marked 'needs root' are not run otherwise)" >&2
  exit 1
fi
selection=("$@")
[ ${#selection[@]} -gt 0 ] || selection=(--workspace)

# "manifest dir<TAB>test binary" for every test target of the selection.
list=$(cargo test --release --no-run --message-format=json "${selection[@]}" |
  python3 -c '
import json, os, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(os.path.dirname(m["manifest_path"]) + "\t" + m["executable"])
') || { echo "root-tests: building the tests failed" >&2; exit 1; }

ran=0 failed=0 binaries=0
lock=/tmp/rustha-root.lock
while IFS=$'\t' read -r dir exe; do
  [ -n "$exe" ] || continue
  # Only binaries that have root tests (listing needs no root and no lock).
  n=$("$exe" --list --ignored 2>/dev/null | grep -c ': test$')
  [ "$n" -gt 0 ] || continue
  binaries=$((binaries + 1))
  echo "---- $(basename "$exe") ($n root tests)"
  log=$(mktemp)
  if [ -n "${RUSTHA_ROOT_LOCK_HELD:-}" ]; then
    (cd "$dir" && CARGO_MANIFEST_DIR=$dir "$exe" --ignored --test-threads=2) 2>&1 | tee "$log"
  else
    (cd "$dir" && CARGO_MANIFEST_DIR=$dir flock -o "$lock" "$exe" --ignored --test-threads=2) 2>&1 | tee "$log"
  fi
  rc=${PIPESTATUS[0]}
  passed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed;.*/\1/p' "$log" | head -n1)
  ran=$((ran + ${passed:-0}))
  [ "$rc" = 0 ] || failed=$((failed + 1))
  rm -f "$log"
done <<<"$list"

echo "tests run as root: $ran passed in $binaries test binaries ($failed binaries failed)"
[ "$failed" = 0 ] && [ "$ran" -gt 0 ]
