//! What an agent supplies: its description and option table ([`AgentInfo`]) and the device
//! operations ([`FenceAgent`]). The runtime does everything else.

use crate::options::{OptSpec, Options};
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
pub mod exit {
    /// Success; `status`: the plug is on.
    pub const OK: i32 = 0;
    /// Failure of any kind; `status`: unknown.
    pub const FAIL: i32 = 1;
    /// `status`: the plug is off.
    pub const STATUS_OFF: i32 = 2;
}

/// A failure: one line for the user, and the exit code (usually [`exit::FAIL`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceError {
    pub code: i32,
    pub message: String,
}

impl FenceError {
    pub fn new(message: impl Into<String>) -> Self {
        FenceError {
            code: exit::FAIL,
            message: message.into(),
        }
    }

    pub fn with_code(code: i32, message: impl Into<String>) -> Self {
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

/// An action beyond the standard ones (fence_na's `release`, `boot_all`, ...).
#[derive(Debug, Clone)]
pub struct ExtraAction {
    pub name: &'static str,
    pub needs_plug: bool,
    pub desc: &'static str,
}

/// The description of an agent: names, texts, its full option table.
#[derive(Debug, Clone)]
pub struct AgentInfo {
    /// `fence_na`.
    pub name: &'static str,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
    pub vendor_url: &'static str,
    pub version: &'static str,
    /// [`crate::options::common_options`] (adjusted) followed by the agent's own.
    pub options: Vec<OptSpec>,
    pub extra_actions: Vec<ExtraAction>,
    /// Parameters named by cluster-glue's `getconfignames` (besides `hostlist`).
    pub plugin_config: &'static [&'static str],
    /// Whether the device can enumerate its plugs (`list`, `list-status`).
    pub supports_list: bool,
}

impl AgentInfo {
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
        }
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
        self.deadline.capped(self.opts.seconds("login_timeout"))
    }

    /// A deadline for one command's answer: `shell_timeout` from now, within the overall budget.
    pub fn shell_deadline(&self) -> Deadline {
        self.deadline.capped(self.opts.seconds("shell_timeout"))
    }
}

/// The device side of an agent. Only `connect`, `get_power_status` and `set_power_status` are
/// required; the runtime implements on/off/reboot/status/list/list-status/monitor/validate-all
/// on top, with confirmation polling, retries and exit codes.
pub trait FenceAgent {
    fn info(&self) -> AgentInfo;

    /// Whether the device switches several plugs (outlets, nodes) and so needs `plug` for
    /// on/off/reboot/status; false for a device that is one machine (a BMC): `plug` is then
    /// optional and the device operations get it as given, or "". (Hide the option from the
    /// meta-data with `tweak(&mut opts, "plug", |o| o.hidden = true)` if wanted.)
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
    /// defines, e.g. `OptSpec::new("method", Kind::Select(&["onoff", "cycle"]), ..)`); confirming
    /// the result is up to the agent.
    fn power_cycle(&mut self, _ctx: &Ctx, _plug: &str) -> Result<(), FenceError> {
        Err(FenceError::new(
            "method 'cycle' is not supported by this device (expected method=onoff)",
        ))
    }

    /// Run one of [`AgentInfo::extra_actions`] (connected; `plug` normalized when given).
    fn extra_action(
        &mut self,
        _ctx: &Ctx,
        action: &str,
        _plug: Option<&str>,
    ) -> Result<(), FenceError> {
        Err(FenceError::new(format!(
            "action '{action}' is not supported"
        )))
    }

    /// Close the connection (errors ignored).
    fn disconnect(&mut self, _ctx: &Ctx) {}
}
