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
pub mod man;
pub mod model;
pub mod notify;
pub mod params;
pub mod promotion;
mod runtime;
pub mod xml;

pub use agent::{Description, Positional, ResourceAgent, State};
pub use code::{Code, Error, Result};
pub use env::{Action, Context, Meta};
pub use model::{ActionSpec, Agent, Kind, OcfVersion, Parameter};
pub use notify::Notification;
pub use runtime::{
    capped_reason, exit_reason, install_panic_guard, run, run_with, EXIT_REASON_MAX,
};

/// A boolean as `ocf_is_true` reads it ([`rustha_support::Dialect::Ocf`]): yes, true, 1, on, y,
/// ja (and their negations; "" is false).
pub fn parse_bool(v: &str) -> Option<bool> {
    rustha_support::parse_bool(v, rustha_support::Dialect::Ocf)
}

/// Return early with an OCF error: `bail!(ErrConfigured, "nic {nic} does not exist")`.
#[macro_export]
macro_rules! bail {
    ($code:ident, $($fmt:tt)+) => {
        return Err($crate::Error::new($crate::Code::$code, format!($($fmt)+)))
    };
}
