// SPDX-License-Identifier: GPL-2.0-or-later
//! The engine: one `execute` for every front end (the argv/stdin Fence Agent API in
//! [`crate::run`], cluster-glue's plugin interface in [`crate::plugin`]). It checks the options,
//! resolves the password, budgets the time, validates, connects and runs one [`Action`],
//! returning a typed [`Outcome`]; printing is the front ends' business.

use crate::action::Action;
use crate::agent::{AgentInfo, Ctx, ExitCode, FenceAgent, FenceError, PowerState};
use crate::metadata::{manpage, metadata_xml};
use crate::options::{opt, Kind, Opt, Options};
use crate::text::{secs, shown};
use rustha_support::{Command, Deadline, Secret};
use std::time::{Duration, Instant};

/// One plug as `list` and `list-status` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plug {
    pub plug: String,
    /// Empty when the device or the configuration has none.
    pub alias: String,
    /// `list-status` only.
    pub state: Option<PowerState>,
}

/// What an action did, for the front end to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `status`: `Status: ON` (exit 0) or `Status: OFF` (exit 2).
    Status(PowerState),
    /// `on`/`off`: `Success: Powered OFF`, or `Success: Already OFF` when nothing changed.
    Switched { state: PowerState, changed: bool },
    /// `reboot`: `Success: Rebooted`.
    Rebooted,
    /// `list`, `list-status`.
    Plugs(Vec<Plug>),
    /// `list`/`list-status` of a device that cannot list: [`NO_LIST_NOTICE`] (exit 0).
    NoList,
    /// `monitor`, `validate-all`: nothing to print.
    Checked,
    /// An extra action: `Success: NAME`.
    Extra(&'static str),
    /// `metadata`, `manpage`: the text.
    Text(String),
}

impl Outcome {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Outcome::Status(PowerState::Off) => ExitCode::PowerOff,
            _ => ExitCode::Success,
        }
    }
}

/// What `list` and `list-status` print for an agent without [`crate::AgentInfo::supports_list`],
/// as fence-agents' fencing.py does (exit 0).
pub const NO_LIST_NOTICE: &str = "NOTICE: List option is not working on this device yet";

/// The longest an invocation takes with the default timing options: inside Pacemaker's default
/// fencing timeout of 60 s (`stonith-timeout`, `pcmk_reboot_timeout`, ...), which kills an agent
/// that takes longer, with a margin for Pacemaker's own work.
pub const DEFAULT_BUDGET_CAP: Duration = Duration::from_secs(55);

/// The options that make up the budget.
const TIMING: &[Opt] = &[
    opt::DELAY,
    opt::LOGIN_TIMEOUT,
    opt::SHELL_TIMEOUT,
    opt::POWER_WAIT,
    opt::POWER_TIMEOUT,
    opt::RETRY_ON,
];

/// The sum of the timeouts one invocation may legitimately use: the delay, a login, a few
/// commands, and an off and an on each confirmed within `power_timeout` (`retry_on` times).
pub fn timeout_sum(opts: &Options) -> Duration {
    let s = |n: Opt| opts.seconds(n);
    let retries = opts.integer(opt::RETRY_ON).unwrap_or(1).clamp(1, 100) as u32;
    s(opt::DELAY)
        + s(opt::LOGIN_TIMEOUT)
        + s(opt::SHELL_TIMEOUT) * 4
        + (s(opt::POWER_WAIT) + s(opt::POWER_TIMEOUT) + s(opt::SHELL_TIMEOUT)) * (1 + retries)
        + Duration::from_secs(2)
}

/// The whole budget of one invocation: [`timeout_sum`], capped to [`DEFAULT_BUDGET_CAP`] unless
/// a timing option was given above its default (then the user asked for more and gets it; the
/// reason is returned for a debug line).
pub fn budget(opts: &Options) -> (Duration, Option<String>) {
    let sum = timeout_sum(opts);
    if sum <= DEFAULT_BUDGET_CAP {
        return (sum, None);
    }
    let above: Vec<String> = TIMING
        .iter()
        .filter_map(|&n| {
            let given = opts.get(n)?;
            let default = opts.spec(n).and_then(|o| o.default).unwrap_or("0");
            let more = match opts.spec(n).map(|o| o.kind) {
                Some(Kind::Integer) => opts.integer(n) > default.trim().parse().ok(),
                _ => opts.seconds(n) > crate::options::parse_seconds(default).unwrap_or_default(),
            };
            more.then(|| format!("{n}={}", given.trim()))
        })
        .collect();
    if above.is_empty() {
        let why = format!(
            "the default timeouts add up to {}, capped to {} to finish within Pacemaker's default fencing timeout of 60s",
            secs(sum),
            secs(DEFAULT_BUDGET_CAP)
        );
        (DEFAULT_BUDGET_CAP, Some(why))
    } else {
        let why = format!(
            "above the default cap of {} because of {}: set Pacemaker's fencing timeout (pcmk_reboot_timeout, pcmk_off_timeout, stonith-timeout) above it",
            secs(DEFAULT_BUDGET_CAP),
            above.join(", ")
        );
        (sum, Some(why))
    }
}

/// [`budget`] without the reason.
pub fn overall_budget(opts: &Options) -> Duration {
    budget(opts).0
}

fn password(opts: &Options, deadline: &Deadline) -> Result<Option<Secret>, FenceError> {
    if let Some(p) = opts.secret(opt::PASSWORD) {
        return Ok(Some(p.clone()));
    }
    let Some(script) = opts
        .get(opt::PASSWORD_SCRIPT)
        .filter(|s| !s.trim().is_empty())
    else {
        return Ok(None);
    };
    let words: Vec<&str> = script.split_whitespace().collect();
    let cmd = Command::new(words[0]).args(&words[1..]);
    let limit = deadline.capped(
        opts.seconds(opt::LOGIN_TIMEOUT)
            .max(Duration::from_secs(10)),
    );
    let out = rustha_support::run(&cmd, &limit)
        .map_err(|e| FenceError::new(format!("password_script: {e}")))?;
    if !out.success() {
        // Nothing of its output: stdout is where the password would be, and a script that
        // fails may print it (or a part of it) on stderr too.
        return Err(FenceError::new(format!(
            "password_script '{}' failed with exit code {} (its output is not shown: it may hold the password)",
            shown(words[0]),
            out.code()
        )));
    }
    let first = out
        .stdout
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r');
    if first.is_empty() {
        return Err(FenceError::new(format!(
            "password_script '{}' printed no password on its first line",
            shown(words[0])
        )));
    }
    Ok(Some(Secret::new(first)))
}

/// Validate, connect, run `action`; the exit code on success of the invocation.
/// Run `action` for `opts`: check the options, resolve the password (`password`, else
/// `password_script`), budget the time, validate, connect, act, disconnect. Every front end
/// calls this.
pub fn execute<A: FenceAgent>(
    agent: &mut A,
    info: &AgentInfo<A>,
    opts: &Options,
    action: Action,
) -> Result<Outcome, FenceError> {
    match action {
        Action::Metadata => return Ok(Outcome::Text(metadata_xml(info))),
        Action::Manpage => return Ok(Outcome::Text(manpage(info))),
        _ => {}
    }
    opts.check().map_err(FenceError::new)?;
    let extra = match action {
        Action::Extra(name) => info.extra(name),
        _ => None,
    };
    let (budget, why) = budget(opts);
    match why {
        Some(why) => tracing::debug!("time budget {}: {why}", secs(budget)),
        None => tracing::debug!("time budget {}", secs(budget)),
    }
    let deadline = Deadline::after(budget);
    let pw = password(opts, &deadline)?;
    let ctx = Ctx::new(opts, deadline, pw);
    agent.validate(&ctx)?;
    if !info.supports_list && matches!(action, Action::List | Action::ListStatus) {
        // What fence-agents' fencing.py prints for a device that cannot list its plugs
        // (fence_ipmilan): exit 0, the device is not contacted.
        return Ok(Outcome::NoList);
    }

    let needs_plug = agent.has_plugs()
        && match action {
            Action::On | Action::Off | Action::Reboot | Action::Status => true,
            _ => extra.is_some_and(|e| e.needs_plug),
        };
    // As fence-agents: list, list-status and monitor ignore the plug (`port=00 action=list`
    // lists). A device without plugs gets it as given.
    let plug_ignored = action.ignores_plug() && agent.has_plugs();
    let given = opts
        .get(opt::PLUG)
        .map(str::trim)
        .filter(|p| !p.is_empty() && !plug_ignored);
    let plug = match given {
        Some(p) => Some(agent.normalize_plug(&ctx, p)?),
        None => None,
    };
    if action == Action::ValidateAll {
        return Ok(Outcome::Checked);
    }

    if action.fences() || extra.is_some() && needs_plug {
        let d = opts.seconds(opt::DELAY);
        if !d.is_zero() {
            tracing::info!("delay: waiting {} before fencing", secs(d));
            deadline.sleep(d);
        }
    }
    agent.connect(&ctx)?;
    let result = (|| {
        let plug = match (&plug, needs_plug) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(plug_from_nodename(agent, &ctx, info)?),
            (None, false) => None,
        };
        dispatch(agent, &ctx, info, action, plug.as_deref())
    })();
    agent.disconnect(&ctx);
    result
}

/// No plug given: find the alias matching `nodename` (set by Pacemaker and fenced).
fn plug_from_nodename<A: FenceAgent>(
    agent: &mut A,
    ctx: &Ctx,
    info: &AgentInfo<A>,
) -> Result<String, FenceError> {
    let missing = || {
        FenceError::new(format!(
            "no plug given: set plug (stdin) or --plug / -n (expected the {} node or outlet to act on)",
            info.name
        ))
    };
    let Some(node) = ctx.opts.get(opt::NODENAME).filter(|n| !n.is_empty()) else {
        return Err(missing());
    };
    if !info.supports_list {
        return Err(missing());
    }
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_string();
    agent
        .list(ctx)?
        .into_iter()
        .find(|(_, alias)| !alias.is_empty() && (alias == node || short(alias) == short(node)))
        .map(|(p, _)| p)
        .ok_or_else(|| {
            FenceError::new(format!(
                "no plug given and nodename '{node}' matches no alias the device lists: set plug"
            ))
        })
}

/// The outcome of confirming a power command ([`wait_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// The plug read the new state on consecutive readings up to one taken at or after the end
    /// of `power_wait` (with `power_wait` 0: on two consecutive readings).
    Confirmed,
    /// No reading showed the new state within `power_wait` + `power_timeout`.
    NotReached,
    /// The new state was read, but a later reading showed the old one again (a node that came
    /// back during `power_wait`) and it did not settle in time.
    NotHeld,
}

impl Confirmation {
    pub fn confirmed(self) -> bool {
        self == Confirmation::Confirmed
    }
}

/// Confirm a power command sent at `sent`. What is polled when:
///
/// - the status is read at once, then every `stonith_status_sleep`;
/// - once a reading shows `want`, the readings go on every `stonith_status_sleep` (the last one
///   exactly at the end of `power_wait`, counted from `sent`): success needs every reading from
///   the first that showed `want` to the one taken at or after the end of `power_wait` to show
///   `want`, and at least two such readings (with `power_wait` 0: a second, confirming reading
///   `stonith_status_sleep` after the first);
/// - a reading of the old state starts over; the whole confirmation is bounded by `power_wait` +
///   `power_timeout` from `sent` (as fence-agents: sleep `power_wait`, then `power_timeout` of
///   status polls; `power_timeout` 0: no limit of its own) and by the invocation's deadline.
///
/// The runtime calls this after every `set_power_status`; an agent calls it itself only inside
/// its own operations (e.g. `power_cycle` powering up a machine that is off).
pub fn wait_for<A: FenceAgent>(
    agent: &mut A,
    ctx: &Ctx,
    plug: &str,
    want: PowerState,
    sent: Instant,
) -> Result<Confirmation, FenceError> {
    let power_wait = ctx.opts.seconds(opt::POWER_WAIT);
    let timeout = ctx.opts.seconds(opt::POWER_TIMEOUT);
    let until = if timeout.is_zero() {
        ctx.deadline
    } else {
        ctx.deadline
            .capped((power_wait + timeout).saturating_sub(sent.elapsed()))
    };
    let settled = sent + power_wait;
    let interval = ctx
        .opts
        .seconds(opt::STONITH_STATUS_SLEEP)
        .max(Duration::from_millis(10));
    // Consecutive readings showing `want`, and whether `want` was ever read and then lost.
    let mut held = 0u32;
    let mut lost = false;
    loop {
        let s = agent.get_power_status(ctx, plug)?;
        let now = Instant::now();
        if s == want {
            held += 1;
            if held >= 2 && now >= settled {
                return Ok(Confirmation::Confirmed);
            }
        } else if held > 0 {
            tracing::warn!(
                "{plug}: read {want} {held} time(s), now {s} again: waiting for it to settle"
            );
            held = 0;
            lost = true;
        }
        if until.expired() {
            return Ok(if lost || held > 0 {
                Confirmation::NotHeld
            } else {
                Confirmation::NotReached
            });
        }
        // The reading that decides is taken at the end of power_wait, not after it.
        let mut next = interval;
        if held > 0 && now < settled {
            next = next.min(settled - now);
        }
        until.sleep(next);
    }
}

/// `power_wait` after a command that is not confirmed by polling (`reboot` with `method=cycle`,
/// which the device completes by itself): the least time between the command and success.
/// Bounded by the deadline.
pub fn settle(ctx: &Ctx, sent: Instant) {
    let rest = ctx
        .opts
        .seconds(opt::POWER_WAIT)
        .saturating_sub(sent.elapsed());
    if !rest.is_zero() {
        tracing::debug!("power_wait: {rest:.1?} more before reporting success");
        ctx.deadline.sleep(rest);
    }
}

/// The error for a power change that was not confirmed.
fn not_switched<A: FenceAgent>(
    agent: &A,
    ctx: &Ctx,
    plug: &str,
    want: PowerState,
    how: Confirmation,
    attempts: Option<u64>,
) -> FenceError {
    let old = match want {
        PowerState::On => PowerState::Off,
        PowerState::Off => PowerState::On,
    };
    let tries = attempts
        .map(|n| format!(", {n} attempt(s), retry_on"))
        .unwrap_or_default();
    let wait = ctx.opts.seconds(opt::POWER_WAIT);
    let timeout = ctx.opts.seconds(opt::POWER_TIMEOUT);
    match how {
        Confirmation::NotHeld => FenceError::new(format!(
            "Timed out waiting to power {want}: {} {want} but then {old} again within {} of the {want} command (power_wait {} + power_timeout {}{tries})",
            read(agent, plug),
            secs(wait + timeout),
            secs(wait),
            secs(timeout)
        )),
        _ => FenceError::new(format!(
            "Timed out waiting to power {want}: {} {old} {} after the {want} command (power_wait {} + power_timeout {}{tries})",
            still(agent, plug),
            secs(wait + timeout),
            secs(wait),
            secs(timeout)
        )),
    }
}

fn power_off<A: FenceAgent>(agent: &mut A, ctx: &Ctx, plug: &str) -> Result<bool, FenceError> {
    if agent.get_power_status(ctx, plug)? == PowerState::Off {
        // Off already: the agent may still have to hold it off (fence_na: NN:1).
        agent.keep_off(ctx, plug)?;
        return Ok(false);
    }
    let sent = Instant::now();
    agent.set_power_status(ctx, plug, PowerState::Off)?;
    let how = wait_for(agent, ctx, plug, PowerState::Off, sent)?;
    if !how.confirmed() {
        return Err(not_switched(agent, ctx, plug, PowerState::Off, how, None));
    }
    Ok(true)
}

/// Power on, confirmed, in up to `tries` attempts. As fence-agents' fencing.py: the `on` action
/// makes 1 + `retry_on` attempts, the on step of `reboot` `retry_on` (at least one).
fn power_on<A: FenceAgent>(
    agent: &mut A,
    ctx: &Ctx,
    plug: &str,
    tries: u64,
) -> Result<bool, FenceError> {
    if agent.get_power_status(ctx, plug)? == PowerState::On {
        return Ok(false);
    }
    let tries = tries.clamp(1, 101);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = Instant::now();
        agent.set_power_status(ctx, plug, PowerState::On)?;
        let how = wait_for(agent, ctx, plug, PowerState::On, sent)?;
        if how.confirmed() {
            return Ok(true);
        }
        if attempt >= tries || ctx.deadline.expired() {
            return Err(not_switched(
                agent,
                ctx,
                plug,
                PowerState::On,
                how,
                Some(attempt),
            ));
        }
        // Not a failure yet (the error line comes if the last attempt fails too).
        tracing::debug!("plug {plug} not ON after attempt {attempt} of {tries}: trying again");
    }
}

/// The start of a "not switched" error: the plug of a multi-plug device, or the device itself.
fn still<A: FenceAgent>(agent: &A, plug: &str) -> String {
    if agent.has_plugs() {
        format!("plug {plug} still")
    } else {
        "the device still reports power".to_string()
    }
}

/// The start of a "did not hold" error.
fn read<A: FenceAgent>(agent: &A, plug: &str) -> String {
    if agent.has_plugs() {
        format!("plug {plug} read")
    } else {
        "the device reported power".to_string()
    }
}

fn dispatch<A: FenceAgent>(
    agent: &mut A,
    ctx: &Ctx,
    info: &AgentInfo<A>,
    action: Action,
    plug: Option<&str>,
) -> Result<Outcome, FenceError> {
    let p = || plug.unwrap_or("");
    let retry_on = ctx.opts.integer(opt::RETRY_ON).unwrap_or(1).min(100);
    match action {
        Action::Status => Ok(Outcome::Status(agent.get_power_status(ctx, p())?)),
        Action::Off => Ok(Outcome::Switched {
            state: PowerState::Off,
            changed: power_off(agent, ctx, p())?,
        }),
        Action::On => Ok(Outcome::Switched {
            state: PowerState::On,
            changed: power_on(agent, ctx, p(), 1 + retry_on)?,
        }),
        Action::Reboot if ctx.opts.value(METHOD) == Some("cycle") => {
            let sent = Instant::now();
            agent.power_cycle(ctx, p())?;
            settle(ctx, sent);
            Ok(Outcome::Rebooted)
        }
        Action::Reboot => {
            // The result is that of the OFF step: the node is fenced once it is off (1.1.6 let
            // the last check decide).
            power_off(agent, ctx, p())?;
            if let Err(e) = power_on(agent, ctx, p(), retry_on) {
                tracing::warn!("reboot: the node is off, but powering it on failed: {e}");
            }
            Ok(Outcome::Rebooted)
        }
        Action::List => Ok(Outcome::Plugs(
            agent
                .list(ctx)?
                .into_iter()
                .map(|(plug, alias)| Plug {
                    plug,
                    alias,
                    state: None,
                })
                .collect(),
        )),
        Action::ListStatus => Ok(Outcome::Plugs(
            agent
                .list_status(ctx)?
                .into_iter()
                .map(|(plug, alias, s)| Plug {
                    plug,
                    alias,
                    state: Some(s),
                })
                .collect(),
        )),
        Action::Monitor => {
            if info.supports_list {
                agent.list(ctx)?;
            } else if !agent.has_plugs() {
                agent.get_power_status(ctx, p())?;
            }
            Ok(Outcome::Checked)
        }
        Action::Extra(name) => {
            let Some(e) = info.extra(name) else {
                return Err(FenceError::new(format!("action '{name}' is not supported")));
            };
            (e.run)(agent, ctx, plug)?;
            Ok(Outcome::Extra(e.name))
        }
        Action::ValidateAll => Ok(Outcome::Checked),
        Action::Metadata => Ok(Outcome::Text(metadata_xml(info))),
        Action::Manpage => Ok(Outcome::Text(manpage(info))),
    }
}

/// The option `method` (onoff|cycle) of agents that can power-cycle in one device operation
/// (fence_ipmilan's): `reboot` with `method=cycle` calls [`FenceAgent::power_cycle`].
pub const METHOD: Opt = Opt::new("method");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::AgentInfo;
    use crate::options::{common_options, parse_stdin};
    use crate::run::run;
    use std::collections::BTreeMap;
    use std::ffi::OsString;
    use std::time::Instant;

    /// A device whose plugs switch after `lag` status queries, or never when `stuck`.
    #[derive(Default)]
    struct Fake {
        state: BTreeMap<String, PowerState>,
        pending: Option<(String, PowerState, u32)>,
        lag: u32,
        stuck_on: bool,
        stuck_off: bool,
        /// Power-on attempts that are ignored before one works.
        ignore_on: u32,
        sets: Vec<(String, PowerState)>,
        seen_password: Option<String>,
        fail_status: bool,
        /// One machine, no plugs (like a BMC).
        single: bool,
        /// After a switch, the plug goes back to its old state after this many readings of the
        /// new one (a node that comes back, a machine whose power-on fails).
        revert_after: Option<u32>,
        reverting: Option<(String, PowerState, u32)>,
        /// When each status reading was taken.
        reads: Vec<Instant>,
        /// A bug in the agent: get_power_status panics.
        panics: bool,
    }

    impl FenceAgent for Fake {
        fn info(&self) -> AgentInfo<Self> {
            AgentInfo {
                name: "fence_fake",
                shortdesc: "fake",
                longdesc: "fake",
                vendor_url: "",
                version: "0",
                options: common_options(),
                extra_actions: vec![],
                plugin_config: &[],
                supports_list: true,
                examples: &[],
                see_also: &[],
            }
        }
        fn has_plugs(&self) -> bool {
            !self.single
        }
        fn power_cycle(&mut self, _: &Ctx, plug: &str) -> Result<(), FenceError> {
            self.sets.push((format!("cycle {plug}"), PowerState::On));
            Ok(())
        }
        fn connect(&mut self, ctx: &Ctx) -> Result<(), FenceError> {
            self.seen_password = ctx.password().map(|p| p.expose().to_string());
            Ok(())
        }
        fn get_power_status(&mut self, _: &Ctx, plug: &str) -> Result<PowerState, FenceError> {
            if self.fail_status {
                return Err(FenceError::new("device says no"));
            }
            self.reads.push(Instant::now());
            assert!(!self.panics, "index out of bounds");
            if let Some((p, old, n)) = self.reverting.take() {
                if n == 0 {
                    self.state.insert(p, old);
                } else {
                    self.reverting = Some((p, old, n - 1));
                }
            }
            if let Some((p, s, n)) = self.pending.take() {
                if n == 0 {
                    let old = self.state.insert(p.clone(), s);
                    if let (Some(k), Some(old)) = (self.revert_after, old) {
                        self.reverting = Some((p, old, k.saturating_sub(1)));
                    }
                } else {
                    self.pending = Some((p, s, n - 1));
                }
            }
            self.state
                .get(plug)
                .copied()
                .ok_or_else(|| FenceError::new(format!("no plug {plug}")))
        }
        fn set_power_status(
            &mut self,
            _: &Ctx,
            plug: &str,
            s: PowerState,
        ) -> Result<(), FenceError> {
            self.sets.push((plug.to_string(), s));
            let stuck = match s {
                PowerState::On if self.ignore_on > 0 => {
                    self.ignore_on -= 1;
                    true
                }
                PowerState::On => self.stuck_on,
                PowerState::Off => self.stuck_off,
            };
            if !stuck {
                self.pending = Some((plug.to_string(), s, self.lag));
            }
            Ok(())
        }
        fn list(&mut self, _: &Ctx) -> Result<Vec<(String, String)>, FenceError> {
            Ok(self
                .state
                .keys()
                .map(|k| (k.clone(), format!("node{k}")))
                .collect())
        }
    }

    fn fake(on: &[&str], off: &[&str]) -> Fake {
        let mut f = Fake::default();
        for p in on {
            f.state.insert(p.to_string(), PowerState::On);
        }
        for p in off {
            f.state.insert(p.to_string(), PowerState::Off);
        }
        f.lag = 2;
        f
    }

    /// The fake's description plus a `method` option (onoff|cycle), as fence_ipmilan_rs has.
    fn with_method(f: &Fake) -> AgentInfo<Fake> {
        let mut info = f.info();
        info.options.push(crate::options::OptSpec::new(
            METHOD,
            crate::options::Kind::Select(&["onoff", "cycle"]),
            "Method to fence",
        ));
        info
    }

    fn go(f: &mut Fake, input: &str) -> Result<i32, FenceError> {
        let info = f.info();
        let opts = parse_stdin(
            info.options.clone(),
            &format!("stonith_status_sleep=0.01\npower_timeout=0.3\n{input}"),
        );
        ex(f, &info, &opts, opts.value(opt::ACTION).unwrap_or("reboot"))
    }

    /// The engine as a front end calls it; the exit status.
    fn ex(
        f: &mut Fake,
        info: &AgentInfo<Fake>,
        opts: &Options,
        action: &str,
    ) -> Result<i32, FenceError> {
        let action = Action::parse(action, info)?;
        execute(f, info, opts, action).map(|o| o.exit_code().code())
    }

    #[test]
    fn status_exit_codes() {
        let mut f = fake(&["1"], &["2"]);
        assert_eq!(go(&mut f, "action=status\nplug=1"), Ok(0));
        assert_eq!(go(&mut f, "action=status\nplug=2"), Ok(2));
        f.fail_status = true;
        assert_eq!(
            go(&mut f, "action=status\nplug=1").unwrap_err().code,
            ExitCode::Failure
        );
    }

    #[test]
    fn off_confirms_and_is_idempotent() {
        let mut f = fake(&["1"], &[]);
        assert_eq!(go(&mut f, "action=off\nport=1"), Ok(0));
        assert_eq!(f.state["1"], PowerState::Off);
        assert_eq!(go(&mut f, "action=off\nport=1"), Ok(0));
        assert_eq!(f.sets.len(), 1, "already off: no second command");
    }

    #[test]
    fn off_that_never_happens_fails_within_power_timeout() {
        let mut f = fake(&["1"], &[]);
        f.stuck_off = true;
        let t = Instant::now();
        let e = go(&mut f, "action=off\nport=1").unwrap_err();
        assert!(e.message.contains("plug 1 still ON"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn on_retries_retry_on_times() {
        // As fence-agents: `on` makes 1 + retry_on attempts (2 by default).
        let mut f = fake(&[], &["1"]);
        f.ignore_on = 2;
        let e = go(&mut f, "action=on\nport=1").unwrap_err();
        assert!(e.message.contains(", 2 attempt(s), retry_on)"), "{e}");
        assert_eq!(f.sets.len(), 2);
        let mut f = fake(&[], &["1"]);
        f.ignore_on = 1;
        assert_eq!(go(&mut f, "action=on\nport=1"), Ok(0));
        assert_eq!(f.sets.len(), 2);
        let mut f = fake(&[], &["1"]);
        f.ignore_on = 2;
        assert_eq!(go(&mut f, "action=on\nport=1\nretry_on=2"), Ok(0));
        assert_eq!(f.sets.len(), 3);
        let mut f = fake(&[], &["1"]);
        f.ignore_on = 1;
        assert!(go(&mut f, "action=on\nport=1\nretry_on=0").is_err());
        // The on step of reboot: retry_on attempts (at least one).
        let mut f = fake(&["1"], &[]);
        f.ignore_on = 1;
        assert_eq!(
            go(&mut f, "action=reboot\nport=1"),
            Ok(0),
            "the off step decides"
        );
        assert_eq!(f.sets.len(), 2, "off, one on");
        let mut f = fake(&["1"], &[]);
        f.ignore_on = 1;
        assert_eq!(go(&mut f, "action=reboot\nport=1\nretry_on=2"), Ok(0));
        assert_eq!(f.sets.len(), 3, "off, two on");
        assert_eq!(f.state["1"], PowerState::On);
    }

    #[test]
    fn reboot_result_is_the_off_step() {
        let mut f = fake(&["1"], &[]);
        f.stuck_on = true;
        assert_eq!(
            go(&mut f, "action=reboot\nport=1"),
            Ok(0),
            "off worked, on did not"
        );
        assert_eq!(f.state["1"], PowerState::Off);
        let mut f = fake(&["1"], &[]);
        f.stuck_off = true;
        assert!(go(&mut f, "action=reboot\nport=1").is_err());
        let mut f = fake(&["1"], &[]);
        assert_eq!(go(&mut f, "port=1"), Ok(0), "reboot is the default");
        assert_eq!(
            f.sets,
            vec![("1".into(), PowerState::Off), ("1".into(), PowerState::On)]
        );
    }

    #[test]
    fn delay_applies_to_fencing_only() {
        let mut f = fake(&["1"], &[]);
        let t = Instant::now();
        go(&mut f, "action=status\nport=1\ndelay=0.3").unwrap();
        assert!(t.elapsed() < Duration::from_millis(250));
        let t = Instant::now();
        go(&mut f, "action=off\nport=1\ndelay=0.3").unwrap();
        assert!(t.elapsed() >= Duration::from_millis(300));
    }

    #[test]
    fn plug_from_nodename_alias() {
        let mut f = fake(&["1", "2"], &[]);
        assert_eq!(go(&mut f, "action=off\nnodename=node2.example.com"), Ok(0));
        assert_eq!(f.state["2"], PowerState::Off);
        let e = go(&mut f, "action=off\nnodename=node9").unwrap_err();
        assert!(
            e.message.contains("nodename 'node9' matches no alias"),
            "{e}"
        );
        let e = go(&mut f, "action=off").unwrap_err();
        assert!(e.message.starts_with("no plug given"), "{e}");
    }

    #[test]
    fn unknown_action_and_bad_values() {
        let mut f = fake(&["1"], &[]);
        let e = go(&mut f, "action=explode\nport=1").unwrap_err();
        assert!(e
            .message
            .starts_with("action 'explode' is unknown (expected one of: on, off"));
        let e = go(&mut f, "action=off\nport=1\nretry_on=many").unwrap_err();
        assert!(e
            .message
            .starts_with("retry_on 'many' is not a whole number"));
        assert!(f.sets.is_empty());
    }

    #[test]
    fn password_from_script_first_line() {
        let mut f = fake(&["1"], &[]);
        go(
            &mut f,
            "action=status\nport=1\npasswd_script=printf pw1\\nignored\\n",
        )
        .unwrap();
        assert_eq!(f.seen_password.as_deref(), Some("pw1"));
        // An explicit password wins.
        go(
            &mut f,
            "action=status\nport=1\npasswd=direct\npassword_script=echo x",
        )
        .unwrap();
        assert_eq!(f.seen_password.as_deref(), Some("direct"));
        let e = go(&mut f, "action=status\nport=1\npassword_script=true").unwrap_err();
        assert!(e.message.contains("printed no password"), "{e}");
        let e = go(
            &mut f,
            "action=status\nport=1\npassword_script=/nonexistent/pw",
        )
        .unwrap_err();
        assert!(e.message.contains("cannot run /nonexistent/pw"), "{e}");
    }

    #[test]
    fn single_machine_devices_need_no_plug() {
        let mut f = fake(&[""], &[]);
        f.single = true;
        assert_eq!(go(&mut f, "action=status"), Ok(0));
        assert_eq!(go(&mut f, "action=off"), Ok(0));
        assert_eq!(f.state[""], PowerState::Off);
        let e = go(&mut fake(&["1"], &[]), "action=status").unwrap_err();
        assert!(e.message.starts_with("no plug given"), "{e}");
    }

    #[test]
    fn reboot_by_cycle() {
        let mut f = fake(&["1"], &[]);
        // The agent defines `method`; the runtime calls power_cycle for method=cycle.
        let info = with_method(&f);
        let opts = parse_stdin(info.options.clone(), "port=1\nmethod=cycle\n");
        assert_eq!(ex(&mut f, &info, &opts, "reboot"), Ok(0));
        assert_eq!(f.sets, vec![("cycle 1".to_string(), PowerState::On)]);
        let opts = parse_stdin(info.options.clone(), "port=1\nmethod=sideways\n");
        let e = ex(&mut f, &info, &opts, "reboot").unwrap_err();
        assert_eq!(e.message, "method 'sideways' is not one of: onoff, cycle");
    }

    #[test]
    fn budget_fits_pacemakers_default_timeout_unless_asked_for_more() {
        let o = parse_stdin(common_options(), "");
        // 5 + 12 + (0 + 20 + 3) * 2 + 2 = 65 s: capped below Pacemaker's 60 s.
        assert_eq!(timeout_sum(&o), Duration::from_secs(65));
        let (b, why) = budget(&o);
        assert_eq!(b, DEFAULT_BUDGET_CAP);
        assert!(b < Duration::from_secs(60));
        assert!(why.unwrap().contains("capped to 55s"));
        // Defaults given explicitly are not asking for more.
        let o = parse_stdin(common_options(), "power_timeout=20\nlogin_timeout=5\n");
        assert_eq!(budget(&o).0, DEFAULT_BUDGET_CAP);
        // Small timeouts: their sum.
        let o = parse_stdin(common_options(), "power_timeout=5\n");
        assert_eq!(budget(&o), (Duration::from_secs(35), None));
        // A timeout above its default: the full sum, and the debug line says why.
        let o = parse_stdin(common_options(), "power_timeout=60\nshell_timeout=3\n");
        let (b, why) = budget(&o);
        assert_eq!(b, Duration::from_secs(5 + 12 + (60 + 3) * 2 + 2));
        let why = why.unwrap();
        assert!(why.contains("because of power_timeout=60"), "{why}");
        assert!(!why.contains("shell_timeout"), "{why}");
        let o = parse_stdin(common_options(), "retry_on=3\n");
        assert!(budget(&o).1.unwrap().contains("retry_on=3"));
        assert_eq!(budget(&o).0, Duration::from_secs(5 + 12 + 23 * 4 + 2));
    }

    #[test]
    fn power_wait_is_the_least_time_to_success_not_a_blind_sleep() {
        // Confirmed on the first poll after 0.3 s of power_wait: success after ~0.3 s.
        let mut f = fake(&["1"], &[]);
        f.lag = 0;
        let t = Instant::now();
        assert_eq!(go(&mut f, "action=off\nport=1\npower_wait=0.3"), Ok(0));
        let took = t.elapsed();
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(took < Duration::from_millis(600), "{took:?}");
        // Without power_wait: as soon as the device reports the new state.
        let mut f = fake(&["1"], &[]);
        let t = Instant::now();
        assert_eq!(go(&mut f, "action=off\nport=1"), Ok(0));
        assert!(t.elapsed() < Duration::from_millis(200));
        // power_wait also holds back a reboot by power cycle.
        let mut f = fake(&["1"], &[]);
        let info = with_method(&f);
        let opts = parse_stdin(
            info.options.clone(),
            "port=1\nmethod=cycle\npower_wait=0.2\n",
        );
        let t = Instant::now();
        assert_eq!(ex(&mut f, &info, &opts, "reboot"), Ok(0));
        assert!(t.elapsed() >= Duration::from_millis(200));
        // power_timeout=0: no limit of its own (as in fence-agents), the overall deadline.
        let mut f = fake(&["1"], &[]);
        f.lag = 30; // 30 polls of 10 ms
        assert_eq!(go(&mut f, "action=off\nport=1\npower_timeout=0"), Ok(0));
        // A power_timeout shorter than power_wait still confirms (power_timeout counts from
        // the command; the state is known before power_wait ends).
        let mut f = fake(&["1"], &[]);
        assert_eq!(
            go(
                &mut f,
                "action=off\nport=1\npower_wait=0.4\npower_timeout=0.1"
            ),
            Ok(0)
        );
    }

    /// Issue 9 item 2: success only on a reading at the end of power_wait, the new state held
    /// across it; with power_wait 0, confirmed by a second reading.
    #[test]
    fn success_only_when_the_state_holds_to_the_end_of_power_wait() {
        // Off for two readings, then on again (a node that came back during power_wait).
        let mut f = fake(&["1"], &[]);
        f.lag = 0;
        f.revert_after = Some(2);
        let e = go(
            &mut f,
            "action=off\nport=1\npower_wait=0.3\npower_timeout=0.2",
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("Timed out waiting to power OFF: plug 1 read OFF but then ON again"),
            "{e}"
        );
        assert_eq!(f.state["1"], PowerState::On);
        // power_wait 0: one reading of the new state is not enough.
        let mut f = fake(&["1"], &[]);
        f.lag = 0;
        f.revert_after = Some(1);
        assert!(go(&mut f, "action=off\nport=1").is_err());
        let mut f = fake(&[], &["1"]);
        f.lag = 0;
        f.revert_after = Some(1);
        let e = go(&mut f, "action=on\nport=1").unwrap_err();
        assert!(
            e.message.starts_with("Timed out waiting to power ON"),
            "{e}"
        );
        // A state that holds: success on a reading taken at the end of power_wait, after
        // readings every stonith_status_sleep all showing it.
        let mut f = fake(&["1"], &[]);
        f.lag = 0;
        let t = Instant::now();
        assert_eq!(go(&mut f, "action=off\nport=1\npower_wait=0.2"), Ok(0));
        let last = *f.reads.last().unwrap() - t;
        assert!(last >= Duration::from_millis(200), "{last:?}");
        assert!(last < Duration::from_millis(300), "{last:?}");
        assert!(f.reads.len() >= 10, "polled meanwhile: {}", f.reads.len());
        // power_wait 0: two readings, stonith_status_sleep apart.
        let mut f = fake(&["1"], &[]);
        f.lag = 0;
        assert_eq!(go(&mut f, "action=off\nport=1"), Ok(0));
        let n = f.reads.len();
        assert_eq!(
            n, 3,
            "status before, the reading that shows OFF, the confirming one"
        );
        assert!(f.reads[2] - f.reads[1] >= Duration::from_millis(10));
    }

    /// `off` of a plug that is off already sends nothing by default ("Already OFF"), and calls
    /// the agent's keep_off (fence_na holds the node off).
    #[test]
    fn off_when_off_calls_keep_off() {
        let mut f = fake(&[], &["1"]);
        assert_eq!(go(&mut f, "action=off\nport=1"), Ok(0));
        assert!(f.sets.is_empty());
    }

    /// Issue 9 item 4: a panic in an agent is a Fence API failure (1), not 101; argv that is
    /// not UTF-8 is an error that does not show the word.
    #[test]
    fn panics_and_bad_bytes_are_failures_not_crashes() {
        use std::os::unix::ffi::OsStringExt;
        let args = |a: &[&[u8]]| -> Vec<OsString> {
            a.iter().map(|w| OsString::from_vec(w.to_vec())).collect()
        };
        let mut f = fake(&["1"], &[]);
        f.panics = true;
        let code = run(f, &args(&[b"fence_fake", b"-o", b"status", b"-n", b"1"]));
        assert_eq!(code, 1);
        let f = fake(&["1"], &[]);
        let code = run(
            f,
            &args(&[b"fence_fake", b"-o", b"status", b"-p\xffpw", b"-n", b"1"]),
        );
        assert_eq!(code, 1);
        let f = fake(&["1"], &[]);
        assert_eq!(
            run(f, &args(&[b"fence_fake", b"-o", b"status", b"-n", b"1"])),
            0
        );
    }

    /// Issue 16 (a): a failing password_script's output is never in the error.
    #[test]
    fn failing_password_script_output_not_shown() {
        let mut f = fake(&["1"], &[]);
        let e = go(
            &mut f,
            "action=status\nport=1\npassword_script=ls /nonexistent-hunter2",
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("password_script 'ls' failed with exit code 2"),
            "{e}"
        );
        assert!(!e.message.contains("hunter2"), "{e}");
    }

    #[test]
    fn list_without_list_support_prints_the_fence_agents_notice() {
        let mut f = fake(&["1"], &[]);
        f.fail_status = true; // the device is not contacted
        let mut info = f.info();
        info.supports_list = false;
        for action in ["list", "list-status"] {
            let opts = parse_stdin(info.options.clone(), "");
            assert_eq!(ex(&mut f, &info, &opts, action), Ok(0));
        }
        assert!(f.sets.is_empty());
        assert_eq!(
            NO_LIST_NOTICE,
            "NOTICE: List option is not working on this device yet"
        );
    }
}
