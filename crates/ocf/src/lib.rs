// SPDX-License-Identifier: GPL-2.0-or-later
//! The OCF resource agent runtime: one crate for what every rustha resource agent shares.
//!
//! An agent is
//! - its parameters, declared once with [`params!`] (typed struct, meta-data, man page and
//!   validation from one declaration),
//! - a [`Description`] (name, texts, actions),
//! - an implementation of [`ResourceAgent`] (start, stop, monitor, validate, ...),
//! - and `fn main() -> ExitCode { rustha_ocf::run(&MyAgent) }`.
//!
//! The runtime ([`run`]) owns the OCF policy for all of them: argv and environment read as OS
//! strings, the panic guard, meta-data/usage/methods/manpage, refusing actions the meta-data
//! does not list, the time budget from `OCF_RESKEY_CRM_meta_timeout`, strict or lenient
//! parameters by action, the probe policy, the stop rule, heartbeat's `status` wording and
//! the capped exit reason. See docs/admin-guide.md ("Probe policy and stop rule").
//!
//! Modules: [`model`] (the description as data), [`params`] (declared parameters), [`xml`]
//! and [`man`] (what is rendered from them), [`agent`] (the trait), [`notify`] and
//! [`promotion`] (for promotable clones).

pub mod agent;
mod code;
mod env;
mod legacy;
pub mod man;
pub mod model;
pub mod notify;
pub mod params;
pub mod promotion;
mod runtime;
mod values;
pub mod xml;

pub use agent::{Description, Positional, ResourceAgent, State};
pub use code::{Code, Error, Result};
pub use env::{Action, Context, Invocation, Meta};
pub use legacy::LegacyMapper;
pub use model::{ActionSpec, Agent, Kind, OcfVersion, Parameter};
pub use notify::Notification;
pub use runtime::{
    capped_reason, exit_reason, install_panic_guard, run, run_handler, run_handler_with, run_with,
    EXIT_REASON_MAX,
};
pub use values::{parse_bool, ParamError as ValueError, Values};

/// Return early with an OCF error: `bail!(ErrConfigured, "nic {nic} does not exist")`.
#[macro_export]
macro_rules! bail {
    ($code:ident, $($fmt:tt)+) => {
        return Err($crate::Error::new($crate::Code::$code, format!($($fmt)+)))
    };
}
