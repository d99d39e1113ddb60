// SPDX-License-Identifier: GPL-2.0-or-later
//! rustha-unfence-peer: the same program as rustha-fence-peer; its name selects unfence (see `--help`): what DRBD's `fence-peer` and
//! `unfence-peer`/`after-resync-target` handlers run. Exit codes to DRBD: 4 peer outdated by
//! constraint, 5 peer unreachable, 7 peer fenced, 1 nothing done (or failed).

fn main() -> std::process::ExitCode {
    drbd_fence_peer::cli::main()
}
