// SPDX-License-Identifier: GPL-2.0-or-later
//! What an agent supplies: its description and option table ([`AgentInfo`]) and the device
//! operations ([`FenceAgent`]). The runtime does everything else.

use crate::options::{opt, Opt, OptSpec, Options};
use rustha_support::{Deadline, Secret};
use std::fmt;

/// Power state of a plug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerState {
    On,
    Off,
}

impl fmt::Display for PowerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PowerState::On => "ON",
            PowerState::Off => "OFF",
        })
    }
}

/// Exit codes of the Fence Agent API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: success; `status`: the plug is on.
    Success,
    /// 1: failure of any kind; `status`: unknown.
    Failure,
    /// 2: `status`: the plug is off.
    PowerOff,
    /// 8: the local login check failed (fence_na 1.1.6: its config file's system::username and
    /// system::password did not match).
    LoginMismatch,
}

impl ExitCode {
    /// The process exit status.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::PowerOff => 2,
            ExitCode::LoginMismatch => 8,
        }
    }
}

/// A failure: one line for the user, and the exit code (usually [`ExitCode::Failure`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceError {
    pub code: ExitCode,
    pub message: String,
}

impl FenceError {
    pub fn new(message: impl Into<String>) -> Self {
        FenceError {
            code: ExitCode::Failure,
            message: message.into(),
        }
    }

    pub fn with_code(code: ExitCode, message: impl Into<String>) -> Self {
        FenceError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for FenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FenceError {}

/// What an extra action does: called connected, with the plug normalized when one was given.
pub type Handler<A> = fn(&mut A, &Ctx, Option<&str>) -> Result<(), FenceError>;

/// An action beyond the standard ones (fence_na's `release`, fence_ipmilan's `diag`), declared
/// once: its name, whether it acts on one plug, its description and its handler.
pub struct ExtraAction<A> {
    pub name: &'static str,
    pub needs_plug: bool,
    pub desc: &'static str,
    /// Listed in the meta-data's `<actions>` (as stock lists `diag`): only what a tool such as
    /// pcs may schedule; admin-only actions stay in the man page.
    pub in_metadata: bool,
    pub run: Handler<A>,
}

impl<A> ExtraAction<A> {
    pub fn new(name: &'static str, needs_plug: bool, desc: &'static str, run: Handler<A>) -> Self {
        ExtraAction {
            name,
            needs_plug,
            desc,
            in_metadata: false,
            run,
        }
    }

    /// List it in the meta-data.
    pub fn listed(mut self) -> Self {
        self.in_metadata = true;
        self
    }
}

impl<A> Clone for ExtraAction<A> {
    fn clone(&self) -> Self {
        ExtraAction { ..*self }
    }
}

impl<A> fmt::Debug for ExtraAction<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtraAction")
            .field("name", &self.name)
            .field("needs_plug", &self.needs_plug)
            .finish()
    }
}

/// The description of an agent: names, texts, its full option table, its extra actions.
pub struct AgentInfo<A> {
    /// `fence_na`.
    pub name: &'static str,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
    pub vendor_url: &'static str,
    pub version: &'static str,
    /// [`crate::options::common_options`] (adjusted) followed by the agent's own.
    pub options: Vec<OptSpec>,
    pub extra_actions: Vec<ExtraAction<A>>,
    /// Parameters named by cluster-glue's `getconfignames` (besides `hostlist`).
    pub plugin_config: &'static [Opt],
    /// Whether the device can enumerate its plugs (`list`, `list-status`).
    pub supports_list: bool,
    /// Command lines for the man page's EXAMPLE section (pcs, crm, the agent by hand).
    pub examples: &'static [&'static str],
    /// Pages for SEE ALSO besides Pacemaker's (`fence_ipmilan(8)`).
    pub see_also: &'static [&'static str],
}

impl<A> AgentInfo<A> {
    /// An agent with `options` (start from [`crate::options::common_options`]), no extra actions,
    /// no `list`; set the other fields as needed (`..AgentInfo::new(..)`).
    pub fn new(
        name: &'static str,
        shortdesc: &'static str,
        longdesc: &'static str,
        options: Vec<OptSpec>,
    ) -> Self {
        AgentInfo {
            name,
            shortdesc,
            longdesc,
            vendor_url: "",
            version: "",
            options,
            extra_actions: Vec::new(),
            plugin_config: &[],
            supports_list: false,
            examples: &[],
            see_also: &[],
        }
    }

    /// The extra action named `name`.
    pub fn extra(&self, name: &str) -> Option<&ExtraAction<A>> {
        self.extra_actions.iter().find(|a| a.name == name)
    }
}

/// What every device operation gets: the options, the time budget, the password.
pub struct Ctx<'a> {
    pub opts: &'a Options,
    /// The end of this invocation's budget: every wait is bounded by it.
    pub deadline: Deadline,
    pub(crate) password: Option<Secret>,
}

impl<'a> Ctx<'a> {
    pub fn new(opts: &'a Options, deadline: Deadline, password: Option<Secret>) -> Self {
        Ctx {
            opts,
            deadline,
            password,
        }
    }

    /// The password, from `password` or `password_script`.
    pub fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// A deadline for logging in: `login_timeout` from now, within the overall budget.
    pub fn login_deadline(&self) -> Deadline {
        self.deadline.capped(self.opts.seconds(opt::LOGIN_TIMEOUT))
    }

    /// A deadline for one command's answer: `shell_timeout` from now, within the overall budget.
    pub fn shell_deadline(&self) -> Deadline {
        self.deadline.capped(self.opts.seconds(opt::SHELL_TIMEOUT))
    }
}

/// The device side of an agent. Only `connect`, `get_power_status` and `set_power_status` are
/// required; the runtime implements on/off/reboot/status/list/list-status/monitor/validate-all
/// on top, with confirmation polling, retries and exit codes.
pub trait FenceAgent: Sized {
    fn info(&self) -> AgentInfo<Self>;

    /// Whether the device switches several plugs (outlets, nodes) and so needs `plug` for
    /// on/off/reboot/status; false for a device that is one machine (a BMC): `plug` is then
    /// optional and the device operations get it as given, or "". (Hide the option from the
    /// meta-data with `tweak(&mut opts, opt::PLUG, |o| o.hidden = true)` if wanted.)
    fn has_plugs(&self) -> bool {
        true
    }

    /// Rewrite options right after they were read (stdin, command line or environment), before
    /// any check: e.g. map an agent's deprecated key to a current one.
    fn adjust_options(&self, _opts: &mut Options) {}

    /// Agent-specific checks of the options (after the runtime checked types). Runs before
    /// every device action and for `validate-all`; may load configuration files.
    fn validate(&mut self, _ctx: &Ctx) -> Result<(), FenceError> {
        Ok(())
    }

    /// Turn a plug as given (`2`, `02`, an alias) into the device's form, or explain why not.
    fn normalize_plug(&mut self, _ctx: &Ctx, plug: &str) -> Result<String, FenceError> {
        Ok(plug.to_string())
    }

    /// Open the connection and log in, within `ctx.login_deadline()`.
    fn connect(&mut self, ctx: &Ctx) -> Result<(), FenceError>;

    fn get_power_status(&mut self, ctx: &Ctx, plug: &str) -> Result<PowerState, FenceError>;

    /// Ask the device to switch; the runtime confirms the change by polling
    /// [`FenceAgent::get_power_status`].
    fn set_power_status(
        &mut self,
        ctx: &Ctx,
        plug: &str,
        state: PowerState,
    ) -> Result<(), FenceError>;

    /// `off` found the plug off already: make sure it stays off. By default nothing is sent (as
    /// fence-agents: "Already OFF"); a device that holds a node off (fence_na: `NN:1`, the power
    /// switch held and the panel locked) sends that command here, so that `off` always ends
    /// with the node held off, whatever the state before.
    fn keep_off(&mut self, _ctx: &Ctx, _plug: &str) -> Result<(), FenceError> {
        Ok(())
    }

    /// `(plug, alias)` of every plug; alias may be empty.
    fn list(&mut self, _ctx: &Ctx) -> Result<Vec<(String, String)>, FenceError> {
        Err(FenceError::new("this device cannot list its plugs"))
    }

    /// `(plug, alias, state)` of every plug; by default `list` then one status query per plug.
    fn list_status(&mut self, ctx: &Ctx) -> Result<Vec<(String, String, PowerState)>, FenceError> {
        let plugs = self.list(ctx)?;
        let mut out = Vec::with_capacity(plugs.len());
        for (p, a) in plugs {
            let s = self.get_power_status(ctx, &p)?;
            out.push((p, a, s));
        }
        Ok(out)
    }

    /// Power-cycle in one device operation, for `reboot` with `method=cycle` (an option the agent
    /// defines, e.g. `OptSpec::new(METHOD, Kind::Select(&["onoff", "cycle"]), ..)`); confirming
    /// the result is up to the agent.
    fn power_cycle(&mut self, _ctx: &Ctx, _plug: &str) -> Result<(), FenceError> {
        Err(FenceError::new(
            "method 'cycle' is not supported by this device (expected method=onoff)",
        ))
    }

    /// Close the connection (errors ignored).
    fn disconnect(&mut self, _ctx: &Ctx) {}
}
