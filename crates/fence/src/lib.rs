//! `rustha-fence`: the Fence Agent API runtime shared by rustha's fence agents.
//!
//! An agent supplies an [`AgentInfo`] (names, texts, and its option table: the
//! [`options::common_options`] every fence agent has, adjusted with [`options::tweak`], plus its
//! own [`OptSpec`]s) and implements [`FenceAgent`] (`connect`, `get_power_status`,
//! `set_power_status`, optionally `list` and extra actions). [`main`] then does the rest:
//!
//! - options from `key=value` lines on stdin when there are no arguments (`#` comments, last value
//!   wins, `-`/`_` interchangeable, unknown keys ignored with a debug message), else from a
//!   getopt-style command line (`--ip=X`, `--ip X`, `-a X`, `-aX`, bundled flags);
//! - the actions on, off, reboot, status, list, list-status, monitor, validate-all (with
//!   confirmation polling within `power_timeout`, `power_wait`, `retry_on`, `delay`,
//!   `stonith_status_sleep`) and metadata, manpage; the agent's extra actions;
//! - the exit codes of the Fence Agent API (status: 0 on, 2 off, 1 error; others 0 ok, 1 failure;
//!   reboot succeeds when its off step succeeded); failures as one error line on stderr;
//! - the password from `password` or `password_script` (run without a shell, first line of its
//!   output), held in a [`rustha_support::Secret`]: never printed, logged or put in an argv;
//! - cluster-glue `external/` plugin mode ([`plugin`]), configuration from the environment;
//! - one [`rustha_support::Deadline`] bounding the whole invocation.
//!
//! ```no_run
//! use rustha_fence::{AgentInfo, Ctx, FenceAgent, FenceError, PowerState, options};
//! struct Dummy;
//! impl FenceAgent for Dummy {
//!     fn info(&self) -> AgentInfo {
//!         let mut opts = options::common_options();
//!         options::tweak(&mut opts, "ipport", |o| o.default = Some("623"));
//!         options::tweak(&mut opts, "plug", |o| { o.required = false; o.hidden = true });
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

pub mod agent;
pub mod metadata;
pub mod options;
pub mod plugin;
pub mod run;
pub mod text;

pub use agent::{exit, AgentInfo, Ctx, ExtraAction, FenceAgent, FenceError, PowerState};
pub use options::{Kind, OptSpec, Options};
pub use run::{main, run, settle, wait_for, Confirmation};
