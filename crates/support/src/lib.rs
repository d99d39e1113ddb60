// SPDX-License-Identifier: GPL-2.0-or-later
//! Shared support for every rustha executable, resource agent or fence agent alike.
//!
//! - [`Deadline`]: the time budget an agent has before its caller (Pacemaker, fenced) kills it.
//! - [`command`]: run an external tool directly (never through a shell), bounded by a deadline.
//! - [`log`]: `tracing` output following the stock agents' conventions (syslog, log files, stderr).
//! - [`net::resolve`]: name lookups that cannot outlive the deadline.
//! - [`Secret`]: a string that never prints.
//! - [`text`]: XML escaping, values as messages show them (escaped, bounded), and a
//!   deterministic random source for parser robustness tests.
//! - [`boolean`]: the one boolean parser, with the OCF and fence-agents dialects.
//! - [`roff`]: the one roff escaper for man pages.
//! - [`proc`]: `/proc/PID/stat` and PID files with the process start time.
//! - [`state`]: an agent's small files between operations, replaced atomically.

pub mod boolean;
pub mod command;
pub mod deadline;
pub mod log;
pub mod net;
pub mod proc;
pub mod roff;
pub mod secret;
pub mod state;
pub mod text;

pub use boolean::{parse_bool, Dialect};
pub use command::{run, Command, CommandError, Output};
pub use deadline::Deadline;
pub use secret::Secret;
