// SPDX-License-Identifier: GPL-2.0-or-later
//! The `ResourceAgent` trait: what an agent implements. The OCF policy around it (probe policy,
//! stop rule, status wording, exit reasons, refused actions) lives once, in [`crate::run`].

use crate::env::Context;
use crate::model::ActionSpec;
use crate::params::ParamSet;
use crate::{Code, Error, Result};

/// What a monitor found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Cleanly stopped (7, OCF_NOT_RUNNING).
    Stopped,
    /// Running (0; for a promotable clone: running unpromoted).
    Running,
    /// Running promoted (8).
    Promoted,
    /// Promoted but failed (9).
    FailedPromoted,
    /// Running, but not at full strength (190, Pacemaker's OCF_DEGRADED).
    Degraded,
    /// Promoted, but not at full strength (191).
    DegradedPromoted,
}

impl State {
    pub fn code(self) -> Code {
        match self {
            State::Stopped => Code::NotRunning,
            State::Running => Code::Success,
            State::Promoted => Code::RunningPromoted,
            State::FailedPromoted => Code::FailedPromoted,
            State::Degraded => Code::Degraded,
            State::DegradedPromoted => Code::DegradedPromoted,
        }
    }

    /// Whether heartbeat's `status` says "running".
    pub fn is_running(self) -> bool {
        !matches!(self, State::Stopped)
    }
}

/// An agent's name, texts and actions: everything of its meta-data but the parameters, which
/// come from its [`ParamSet`].
#[derive(Debug)]
pub struct Description {
    pub name: &'static str,
    pub version: &'static str,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
    /// Exactly the actions a tool should schedule (plus meta-data and validate-all): the
    /// runtime refuses any other (`status` is accepted where `monitor` is listed: heartbeat v1).
    pub actions: &'static [ActionSpec],
    /// Man pages for SEE ALSO besides crm(8), pcs(8) and the stock agent's page.
    pub see_also: &'static [&'static str],
}

/// heartbeat v1 positional arguments mapped to `(parameter, value)` pairs.
pub type Positional = Vec<(&'static str, String)>;

/// A resource agent. `main` is `rustha_ocf::run(&Agent)`.
///
/// Every action gets the parsed parameters and the [`Context`] (action, meta attributes,
/// deadline, state directory). An action returns `Err` with the OCF code and a one-line reason
/// that names the bad value first; the runtime logs it in full and writes the exit reason.
pub trait ResourceAgent {
    type Params: ParamSet;

    fn description(&self) -> &'static Description;

    /// heartbeat v1: `AGENT ARG... ACTION` → parameters. The default: no positional form.
    fn positional(&self, args: &[String]) -> Result<Positional> {
        Err(Error::new(
            Code::ErrArgs,
            format!(
                "{} takes no positional arguments (got \"{}\"); pass parameters as OCF_RESKEY_* variables",
                self.description().name,
                rustha_support::text::shown(&args.join(" "))
            ),
        ))
    }

    fn start(&self, p: &Self::Params, ctx: &Context) -> Result<()>;

    /// Stop. `Ok` only when the resource is verifiably stopped. Side parameters that were
    /// invalid have their defaults here (see the stop rule in the runtime).
    fn stop(&self, p: &Self::Params, ctx: &Context) -> Result<()>;

    /// The resource's state. An `Err` with `ErrConfigured` is reported as not running (7): a
    /// monitor never bans a resource from every node; return it only when the parameters
    /// cannot name anything running.
    fn monitor(&self, p: &Self::Params, ctx: &Context) -> Result<State>;

    /// validate-all: everything start checks before it changes anything.
    fn validate(&self, p: &Self::Params, ctx: &Context) -> Result<()>;

    /// reload-agent (OCF 1.1): apply new values of reloadable parameters. The default checks
    /// them like validate-all; agents whose reloadable parameters are read afresh by every
    /// action need nothing more.
    fn reload_agent(&self, p: &Self::Params, ctx: &Context) -> Result<()> {
        self.validate(p, ctx)
    }

    fn promote(&self, _p: &Self::Params, ctx: &Context) -> Result<()> {
        Err(unimplemented(ctx))
    }

    fn demote(&self, _p: &Self::Params, ctx: &Context) -> Result<()> {
        Err(unimplemented(ctx))
    }

    /// notify: see [`Context::notification`].
    fn notify(&self, _p: &Self::Params, ctx: &Context) -> Result<()> {
        Err(unimplemented(ctx))
    }
}

/// `OCF_ERR_UNIMPLEMENTED` with a reason naming the action and the agent.
pub fn unimplemented(ctx: &Context) -> Error {
    Error::new(
        Code::Unimplemented,
        format!("{} is not implemented by {}", ctx.action.name(), ctx.agent),
    )
}
