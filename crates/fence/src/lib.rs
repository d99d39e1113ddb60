// SPDX-License-Identifier: GPL-2.0-or-later
//! `rustha-fence`: the Fence Agent API runtime shared by rustha's fence agents.
//!
//! An agent supplies an [`AgentInfo`] (names, texts, its option table: the
//! [`options::common_options`] every fence agent has, adjusted with [`options::tweak`], plus its
//! own [`OptSpec`]s, each named by an [`Opt`] constant declared once; its [`ExtraAction`]s, each
//! with its handler) and implements [`FenceAgent`] (`connect`, `get_power_status`,
//! `set_power_status`, optionally `list`). The rest is here, in layers:
//!
//! - [`engine::execute`]: one engine for every front end. It checks the options, resolves the
//!   password (`password`, else the first line of `password_script`, run without a shell; held
//!   in a [`rustha_support::Secret`]), budgets the time (one [`rustha_support::Deadline`]),
//!   validates, connects and runs one typed [`Action`]: on, off, reboot, status, list,
//!   list-status, monitor, validate-all, metadata, manpage or an extra action, with confirmation
//!   polling ([`engine::wait_for`]: success only on a reading at the end of `power_wait`, the
//!   state held across it), `retry_on`, `delay`. It returns an [`Outcome`] or a [`FenceError`]
//!   carrying its [`ExitCode`].
//! - Front ends: [`run`] (the Fence Agent API: options as `key=value` lines on stdin when there
//!   are no arguments, else a getopt-style command line; prints the outcome) and [`plugin`]
//!   (cluster-glue's `external/` plugin interface, configuration from the environment).
//! - [`logging`]: set up once for both front ends; a failure is one escaped, bounded line on
//!   stderr, in the HA logs and (as fence-agents) in syslog as user.err.
//! - [`run::main`] installs a panic hook first: a bug is exit 1 with one line, never 101.
//!
//! ```no_run
//! use rustha_fence::{opt, options, AgentInfo, Ctx, FenceAgent, FenceError, PowerState};
//! struct Dummy;
//! impl FenceAgent for Dummy {
//!     fn info(&self) -> AgentInfo<Self> {
//!         let mut opts = options::common_options();
//!         options::tweak(&mut opts, opt::IPPORT, |o| o.default = Some("623"));
//!         options::tweak(&mut opts, opt::PLUG, |o| { o.required = false; o.hidden = true });
//!         AgentInfo { version: "0.1", ..AgentInfo::new("fence_dummy", "Dummy", "A dummy.", opts) }
//!     }
//!     fn has_plugs(&self) -> bool { false } // one machine: no plug needed
//!     fn connect(&mut self, _: &Ctx) -> Result<(), FenceError> { Ok(()) }
//!     fn get_power_status(&mut self, _: &Ctx, _: &str) -> Result<PowerState, FenceError> {
//!         Ok(PowerState::On)
//!     }
//!     fn set_power_status(&mut self, _: &Ctx, _: &str, _: PowerState) -> Result<(), FenceError> {
//!         Ok(())
//!     }
//! }
//! rustha_fence::main(Dummy);
//! ```

/// `println!` that ignores a closed stdout (`fence_na -o list | head -1`) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `print!` that ignores a closed stdout.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        let _ = write!(o, $($t)*);
        let _ = o.flush();
    }};
}

pub mod action;
pub mod agent;
pub mod engine;
pub mod logging;
pub mod metadata;
pub mod options;
pub mod plugin;
pub mod run;
pub mod text;

pub use action::Action;
pub use agent::{AgentInfo, Ctx, ExitCode, ExtraAction, FenceAgent, FenceError, PowerState};
pub use engine::{execute, settle, wait_for, Confirmation, Outcome, METHOD};
pub use options::{opt, Kind, Opt, OptSpec, Options};
pub use run::{main, run};
