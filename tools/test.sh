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

run_all() { # run each executable script matching the glob; fail if any fails
  local rc=0 f
  for f in "$@"; do
    [ -e "$f" ] || continue
    echo "---- $f"
    bash "$f" || rc=1
  done
  return $rc
}

# The scripts that drive tests, the lab, benchmarks and the demo.
shell_scripts=(tools/*.sh .ci/run tests/lab/lab tests/lab/run-scenarios tests/lab/scenarios/*.sh
  tests/ocft/*.sh bench/*.sh tests/vmlab/vmlab tests/vmlab/init tests/vmlab/guest-init
  tests/vmlab/guest-lib.sh tests/vmlab/run-scenarios tests/vmlab/scenarios/*.sh tests/vmlab/lvm/*.sh)
stage format cargo fmt --all -- --check
stage shellcheck shellcheck -x -S warning "${shell_scripts[@]}"
stage clippy cargo clippy --workspace --all-targets --release -- -D warnings
stage build make -s build
# Unit and integration tests; those that need root are #[ignore = "needs root"] here (reported
# as ignored, never as passed) and run in the next stage, as root, under the root lock.
stage cargo-test cargo test --workspace --release -- --test-threads=2
stage root-tests tools/root-tests.sh
stage ocft run_all tests/ocft/run-*.sh
if [ -x tests/lab/run-scenarios ]; then
  stage lab tests/lab/run-scenarios
fi
# Scenarios in VMs (device-mapper, LVM, DRBD): each prints its time; the stage prints the total.
stage vm tests/vmlab/run-scenarios
echo "stages: $passed passed, $failed failed"
