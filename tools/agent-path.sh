#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/agent-path.sh NAME: build the resource agents as `make install` ships them (statically
# linked) and print the path of agent NAME. The ocft runners and the benchmarks use it, so that
# they test and measure what users run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$repo" static >&2
host=$(rustc -vV | sed -n 's/^host: //p')
echo "${CARGO_TARGET_DIR:-$repo/target}/$host/release/$1"
