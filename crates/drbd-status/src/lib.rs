// SPDX-License-Identifier: GPL-2.0-or-later
//! DRBD state without I/O.
//!
//! Everything here takes the text a DRBD tool or the kernel printed and returns typed values; the
//! agents run the tools (with a deadline) and hand the text over. Nothing panics, whatever the
//! bytes: unknown words become [`DiskState::Other`] or are skipped, malformed numbers are errors.
//!
//! - [`sh_status::parse`]: DRBD 8.4 `drbdsetup sh-status RES` (what drbd.ocf evals).
//! - [`events2::parse`]: `drbdsetup events2 --now [--statistics] RES`, DRBD 9 and 8.4 (drbdsetup-84
//!   answers it too), also a replayed stream of `create`/`change`/`destroy` lines.
//! - [`proc_drbd::parse`]: `/proc/drbd` (module version; on 8.4 per-minor state and resync progress
//!   with the kernel's own ETA).
//! - [`score`]: the monitor code and drbd.ocf's promotion-score table.
//! - [`fence`]: the crm-fence-peer constraint (ids, XML, reading it back from the CIB) and the
//!   handler's decision table.

pub mod events2;
pub mod fence;
pub mod proc_drbd;
pub mod score;
pub mod sh_status;
mod state;

pub use state::{DiskState, Peer, PeerVolume, Resource, Role, SyncProgress, Volume};

/// Output that cannot be understood. The message names the offending line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// At most `max` characters of `s`, for messages that quote tool output.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}
