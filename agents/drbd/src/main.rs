// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:drbd`: a DRBD resource as a promotable clone (see `man ocf_rustha_drbd`).
//!
//! start: bring the resource up (`drbdadm adjust`) as Secondary and wait for the peer for
//! wfc_timeout seconds. promote: `drbdadm primary`, never `--force`, refused with a reason when
//! this node has no UpToDate data and no peer confirms it. demote: `drbdadm secondary`.
//! stop: `drbdadm down`, checked. monitor: one `drbdsetup` call; 7 down, 0 Secondary,
//! 8 Primary, 9 Primary on a failed disk; the promotion score (drbd.ocf's table) set only when
//! it changes; resync progress and ETA as node attributes. notify: reconnect on start,
//! rescore after stop/promote/demote.

fn main() -> std::process::ExitCode {
    rustha_ocf::run(&drbd::Drbd)
}
