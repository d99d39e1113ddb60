// SPDX-License-Identifier: GPL-2.0-or-later
//! The test kit every rustha test uses (a dev-dependency only; nothing here ships).
//!
//! - [`root`]: tests that need root are marked `#[ignore = "needs root"]` and start with
//!   [`require_root`]; `tools/test.sh` runs them as root with `--ignored`, so a root test is
//!   either run or reported as ignored, never as passed without running.
//! - [`TempDir`], [`Loop`], [`Fixture`]: temp dirs, loop devices and mounts, cleaned up on drop,
//!   also when the test fails.
//! - [`netns::Lab`]: network namespaces, removed on drop.
//! - [`Agent`] / [`Outcome`]: run an agent as Pacemaker does, with a deadline; the exit code,
//!   stdout, stderr and `ocf-exit-reason`.
//! - [`metadata`]: an agent's meta-data, validated with xmllint against the DTD (and RNG).
//! - [`XorShift`]: the deterministic RNG of the fuzz-style tests.

pub mod metadata;
pub mod mounts;
pub mod netns;
pub mod process;
mod rng;
pub mod root;
mod run;

pub use mounts::{is_mounted, mount_options, mounts_under, Fixture, Loop, TempDir};
pub use process::{alive, free_tcp_port, free_udp_port, kill, sh};
pub use rng::XorShift;
pub use root::{is_root, require_root};
pub use run::{Agent, Outcome};
