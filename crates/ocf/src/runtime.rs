// SPDX-License-Identifier: GPL-2.0-or-later
//! The runtime, once for every agent: reading argv and the environment (as OS strings: no
//! byte makes an agent panic), the actions that only print (meta-data, usage, methods,
//! manpage), refusing actions the meta-data does not list, the operation's time budget, the
//! parameters (strict or lenient by action), the probe policy, the stop rule, heartbeat's
//! `status` wording, exit reasons. docs/admin-guide.md states the policy for admins.

use crate::agent::{unimplemented, ResourceAgent, State};
use crate::env::{Action, Context, Environment};
use crate::model::{Agent, OcfVersion};
use crate::params::{self, Mode, Rejected};
use crate::{Code, Error, Result};
use rustha_support::text::{escape_control, shown, truncate_bytes};
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Pacemaker keeps this many bytes of an exit reason.
pub const EXIT_REASON_MAX: usize = 128;

/// Run a [`ResourceAgent`]: the whole `main` of an agent binary.
pub fn run<A: ResourceAgent>(agent: &A) -> ExitCode {
    install_panic_guard();
    let argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let code = run_with(agent, &argv, env, &mut std::io::stdout());
    ExitCode::from(code.as_u8())
}

/// [`run`] with explicit argv (without the program name), environment and standard output:
/// for tests.
pub fn run_with<A: ResourceAgent>(
    agent: &A,
    argv: &[OsString],
    env: Vec<(OsString, OsString)>,
    out: &mut dyn Write,
) -> Code {
    let started = std::time::Instant::now();
    let meta = params::agent_of::<A::Params>(agent.description());
    let front = match Front::read(meta, argv, env, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut raw = front.env.params.clone();
    if !front.positional.is_empty() {
        match agent.positional(&front.positional) {
            Ok(pairs) => {
                for (k, v) in pairs {
                    raw.insert(k.to_string(), v.into());
                }
            }
            Err(e) => return report(e),
        }
    }
    let ctx = front.context(meta);
    let mode = match ctx.action {
        Action::Start | Action::Promote | Action::ValidateAll | Action::ReloadAgent => Mode::Strict,
        _ => Mode::Lenient,
    };
    let result = match params::parse::<A::Params>(meta.name, &raw, mode) {
        Ok((p, warnings)) => {
            for w in warnings {
                tracing::warn!("{}: {w}", ctx.action.name());
            }
            dispatch(agent, &p, &ctx)
        }
        Err(rejected) => Err(rejected_parameters(&ctx, &rejected)),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => report(probe_policy(&ctx, e)),
    };
    tracing::debug!(
        "{} exits {} ({}) after {} ms",
        ctx.action.name(),
        code.as_u8(),
        code.name(),
        started.elapsed().as_millis()
    );
    if ctx.action == Action::Status {
        // heartbeat v1 reads the state from stdout.
        let word = if matches!(
            code,
            Code::Success | Code::RunningPromoted | Code::Degraded | Code::DegradedPromoted
        ) {
            "running"
        } else {
            "stopped"
        };
        let _ = writeln!(out, "{word}");
    }
    code
}

fn dispatch<A: ResourceAgent>(agent: &A, p: &A::Params, ctx: &Context) -> Result<Code> {
    let done = |r: Result<()>| r.map(|()| Code::Success);
    tracing::debug!("{} (timeout {:?})", ctx.action.name(), ctx.meta.timeout);
    match ctx.action {
        Action::Start => done(agent.start(p, ctx)),
        Action::Stop => done(agent.stop(p, ctx)),
        Action::Monitor | Action::Status => agent.monitor(p, ctx).map(State::code),
        Action::ValidateAll => done(agent.validate(p, ctx)),
        Action::ReloadAgent => done(agent.reload_agent(p, ctx)),
        Action::Promote => done(agent.promote(p, ctx)),
        Action::Demote => done(agent.demote(p, ctx)),
        Action::Notify => done(agent.notify(p, ctx)),
        _ => Err(unimplemented(ctx)),
    }
}

/// Parameters that do not parse, by action (the stop rule and the probe policy).
fn rejected_parameters(ctx: &Context, r: &Rejected) -> Error {
    for e in r.errors.iter().skip(1) {
        tracing::error!("{e}");
    }
    let nothing_to_find = r.unidentified;
    match ctx.action {
        // Nothing this agent started can be running with parameters that name nothing: stop
        // (and demote) succeed without acting. Otherwise they cannot act safely and fail,
        // never claiming a stop that did not happen.
        Action::Stop | Action::Demote if nothing_to_find => {
            tracing::warn!(
                "{}: {r}; these parameters name nothing this agent could have started, so nothing is running",
                ctx.action.name()
            );
            Error::new(Code::Success, "")
        }
        Action::Monitor | Action::Status if nothing_to_find => Error::not_running(format!(
            "{r}; these parameters name nothing that could be running"
        )),
        _ => Error::configured(r.to_string()),
    }
}

/// What a monitor reports for a configuration error: not running (a monitor never answers
/// OCF_ERR_CONFIGURED, which would ban the resource from every node); stop keeps its error.
fn probe_policy(ctx: &Context, e: Error) -> Error {
    match ctx.action {
        Action::Monitor | Action::Status if e.code == Code::ErrConfigured => {
            Error::not_running(e.reason)
        }
        _ => e,
    }
}

/// Log the reason in full and write the (capped) exit reason; the code to exit with.
fn report(e: Error) -> Code {
    if !e.reason.is_empty() {
        if e.code.is_failure() {
            tracing::error!("{}", e.reason);
        } else {
            tracing::info!("{}", e.reason);
        }
        exit_reason(&e.reason);
    }
    e.code
}

/// Write the `ocf-exit-reason:` line Pacemaker shows in `crm_mon`: one line, control
/// characters escaped, at most [`EXIT_REASON_MAX`] bytes (the full text goes to the log).
pub fn exit_reason(reason: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "ocf-exit-reason:{}",
        capped_reason(reason)
    );
}

/// The exit reason as written: escaped and cut to [`EXIT_REASON_MAX`] bytes ("..." marks a cut).
pub fn capped_reason(reason: &str) -> String {
    let line = escape_control(reason.trim());
    if line.len() <= EXIT_REASON_MAX {
        return line;
    }
    format!("{}...", truncate_bytes(&line, EXIT_REASON_MAX - 3))
}

/// The part of an invocation every agent reads the same way.
pub(crate) struct Front {
    pub env: Environment,
    pub action: Action,
    pub positional: Vec<String>,
    pub version: OcfVersion,
}

impl Front {
    /// Read argv and the environment; answer the actions that only print. `Err(code)`: the
    /// invocation is over.
    pub fn read(
        agent: &'static Agent,
        argv: &[OsString],
        env: Vec<(OsString, OsString)>,
        out: &mut dyn Write,
    ) -> std::result::Result<Front, Code> {
        let env = Environment::read(env);
        let instance = env
            .get("OCF_RESOURCE_INSTANCE")
            .filter(|s| !s.is_empty())
            .unwrap_or(agent.name)
            .to_string();
        let words: Vec<String> = argv
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect();
        // `AGENT ACTION [ignored...]`, else heartbeat v1's `AGENT ARG... ACTION`.
        let (action, positional, ignored) = match words.first().map(|w| Action::parse(w)) {
            None => (None, Vec::new(), Vec::new()),
            Some(Action::Other(_)) if words.len() > 1 => {
                let (last, args) = words.split_last().expect("two words or more");
                (Some(Action::parse(last)), args.to_vec(), Vec::new())
            }
            Some(action) => (Some(action), Vec::new(), words[1..].to_vec()),
        };
        let mut log = rustha_support::log::LogConfig::from_env(format!(
            "{}({})",
            agent.name,
            escape_control(&instance)
        ));
        let mut notes = Vec::new();
        let trace = match &action {
            Some(a) if !a.is_informational() => trace_file(&env, agent, &instance, a, &mut notes),
            _ => Err(None),
        };
        log.trace = trace.as_ref().ok().cloned();
        rustha_support::log::init(log);
        match trace {
            Ok(path) => tracing::debug!(
                "trace of {} {} for {} (pid {}) in {}; argv {:?}",
                agent.name,
                action.as_ref().map(Action::name).unwrap_or(""),
                escape_control(&instance),
                std::process::id(),
                path.display(),
                words.iter().map(|w| shown(w)).collect::<Vec<_>>()
            ),
            Err(Some(why)) => tracing::warn!("{why}"),
            Err(None) => {}
        }
        for note in notes {
            tracing::warn!("{note}");
        }
        let Some(action) = action else {
            let _ = writeln!(out, "{}", usage(agent));
            return Err(report(Error::new(
                Code::Unimplemented,
                format!("no action given; {}", usage(agent)),
            )));
        };
        if !positional.is_empty() {
            if let Some(bad) = argv[..argv.len() - 1].iter().find(|w| w.to_str().is_none()) {
                return Err(report(Error::new(
                    Code::ErrArgs,
                    format!(
                        "positional argument \"{}\" is not valid UTF-8",
                        shown(&bad.to_string_lossy())
                    ),
                )));
            }
        }
        if !ignored.is_empty() {
            tracing::warn!(
                "ignoring the arguments after the action {}: \"{}\"",
                action.name(),
                shown(&ignored.join(" "))
            );
        }
        let version = OcfVersion::from_env_values(
            env.get("OCF_RA_VERSION_MAJOR"),
            env.get("OCF_RA_VERSION_MINOR"),
        );
        match action {
            Action::MetaData => {
                let _ = write!(out, "{}", crate::xml::render(agent, version));
                return Err(Code::Success);
            }
            Action::Usage => {
                let _ = writeln!(out, "{}", usage(agent));
                return Err(Code::Success);
            }
            Action::Methods => {
                for a in agent.actions {
                    let _ = writeln!(out, "{}", a.name);
                }
                return Err(Code::Success);
            }
            Action::Manpage => {
                let _ = write!(out, "{}", crate::man::render(agent, "rustha"));
                return Err(Code::Success);
            }
            _ => {}
        }
        let listed = agent.action(action.name()).is_some()
            || (action == Action::Status && agent.action("monitor").is_some());
        if !listed {
            let _ = writeln!(out, "{}", usage(agent));
            let what = match &action {
                Action::Other(word) => format!("unknown action \"{}\"", shown(word)),
                a => format!("{} is not supported by {}", a.name(), agent.name),
            };
            return Err(report(Error::new(
                Code::Unimplemented,
                format!("{what}; {}", usage(agent)),
            )));
        }
        Ok(Front {
            env,
            action,
            positional,
            version,
        })
    }

    pub fn context(&self, agent: &'static Agent) -> Context {
        let (timeout, warning) = self.env.timeout(agent, &self.action);
        if let Some(w) = warning {
            tracing::warn!("{w}");
        }
        self.env.context(
            agent,
            self.action.clone(),
            !self.positional.is_empty(),
            self.version,
            timeout,
        )
    }
}

/// Where `trace_ra` writes this invocation's trace, as ocf-shellfuncs chooses it: trace_file
/// if it is an absolute path, else `${trace_dir:-$HA_VARLIB/trace_ra}/TYPE/INSTANCE.ACTION.DATE`.
/// `Err(None)`: no tracing asked for; `Err(Some(why))`: asked for but impossible. Runs before
/// logging is set up: what it has to say goes to `notes`.
fn trace_file(
    env: &Environment,
    agent: &Agent,
    instance: &str,
    action: &Action,
    notes: &mut Vec<String>,
) -> std::result::Result<std::path::PathBuf, Option<String>> {
    use rustha_support::{parse_bool, Dialect};
    let param = |n: &str| {
        env.params
            .get(n)
            .and_then(|v| v.to_str())
            .filter(|v| !v.is_empty())
    };
    let on = env
        .get("OCF_TRACE_RA")
        .filter(|v| !v.is_empty())
        .or_else(|| param("trace_ra"))
        .and_then(|v| parse_bool(v, Dialect::Ocf))
        .unwrap_or(false);
    if !on {
        return Err(None);
    }
    let file = env
        .get("OCF_TRACE_FILE")
        .filter(|v| !v.is_empty())
        .or_else(|| param("trace_file"));
    let path = match file {
        Some(f) if f.starts_with('/') => std::path::PathBuf::from(f),
        other => {
            if let Some(f) = other {
                notes.push(format!(
                    "trace_file \"{}\" is not an absolute path; using the default place",
                    shown(f)
                ));
            }
            let dir = match param("trace_dir") {
                Some(d) => std::path::PathBuf::from(d),
                None => std::path::PathBuf::from(
                    env.get("HA_VARLIB")
                        .filter(|v| !v.is_empty())
                        .unwrap_or("/var/lib/heartbeat"),
                )
                .join("trace_ra"),
            };
            let kind = env
                .get("OCF_RESOURCE_TYPE")
                .filter(|t| !t.is_empty() && !t.contains('/'))
                .unwrap_or(agent.name);
            dir.join(kind).join(format!(
                "{}.{}.{}",
                instance.replace('/', "_"),
                action.name(),
                rustha_support::log::trace_file_stamp()
            ))
        }
    };
    let parent = path.parent().unwrap_or(std::path::Path::new("/"));
    std::fs::create_dir_all(parent)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map(|_| ())
        })
        .map(|()| path.clone())
        .map_err(|e| {
            Some(format!(
                "{} not writable ({e}), trace not going to happen",
                path.display()
            ))
        })
}

fn usage(agent: &Agent) -> String {
    format!(
        "usage: {} {{{}}}",
        agent.name,
        agent
            .actions
            .iter()
            .map(|a| a.name)
            .collect::<Vec<_>>()
            .join("|")
    )
}

/// A panic is a bug, but the caller still deserves a generic error and a reason, not an abort.
/// Installed before anything else runs.
pub fn install_panic_guard() {
    std::panic::set_hook(Box::new(|info| {
        let reason = format!("internal error (a bug in rustha, please report it): {info}");
        tracing::error!("{reason}");
        exit_reason(&reason);
        std::process::exit(Code::ErrGeneric.as_u8().into());
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_reasons_are_capped_and_one_line() {
        assert_eq!(capped_reason("short"), "short");
        let long = format!("invalid x \"{}\"", "v".repeat(500));
        let c = capped_reason(&long);
        assert_eq!(c.len(), EXIT_REASON_MAX);
        assert!(c.starts_with("invalid x \"vvv") && c.ends_with("..."));
        assert_eq!(capped_reason("a\nb"), "a\\nb");
        // A cut never splits a character.
        let c = capped_reason(&"é".repeat(200));
        assert!(c.len() <= EXIT_REASON_MAX);
    }
}
