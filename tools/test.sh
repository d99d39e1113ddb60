#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, fast checks first, failing fast. `make test` runs this after installing
# what it needs. Each stage prints its own output; the last line counts the stages.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$HOME/.cargo/bin:$PATH"

passed=0 failed=0
stage() {
  local name=$1; shift
  local t0=$SECONDS
  echo "==== stage: $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "==== stage $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    echo "==== stage $name: FAILED ($((SECONDS - t0)) s)"
    echo "stages: $passed passed, $failed failed"
    exit 1
  fi
}

# Every tracked shell script (git ls-files: *.sh, and files whose #! names sh, bash or dash), so a
# new script is checked without being listed here.
shell_files() {
  local f
  { git ls-files 2>/dev/null || find . -path ./target -prune -o -path ./vendor -prune -o -type f -print | sed 's|^\./||'; } |
    while IFS= read -r f; do
      [ -f "$f" ] || continue
      case $f in
        *.sh | *.bash) echo "$f" ;;
        *) head -n1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$f" ;;
      esac
    done
}
mapfile -t shell_scripts < <(shell_files)
stage format cargo fmt --all -- --check
echo "shellcheck: ${#shell_scripts[@]} tracked shell scripts"
stage shellcheck shellcheck -x -S warning "${shell_scripts[@]}"
stage clippy cargo clippy --workspace --all-targets --release -- -D warnings
stage build make -s build
# Unit and integration tests; those that need root are #[ignore = "needs root"] here (reported
# as ignored, never as passed) and run in the next stage, as root, under the root lock.
stage cargo-test cargo test --workspace --release -- --test-threads=2
stage root-tests tools/root-tests.sh
stage ocft tests/ocft/run --all
# make dist, the .deb and .rpm built from it offline, lintian, installed and used (packaging/README.md).
stage package-check packaging/check.sh
if [ -x tests/lab/run-scenarios ]; then
  stage lab tests/lab/run-scenarios
fi
# Scenarios in VMs (device-mapper, LVM, DRBD): each prints its time; the stage prints the total.
stage vm tests/vmlab/run-scenarios
echo "stages: $passed passed, $failed failed"
