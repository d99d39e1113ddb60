//! The OCF resource agent runtime.
//!
//! An agent's `main` is one call to [`run`] with its description and a handler:
//!
//! ```no_run
//! use rustha_ocf::{Action, Code, Invocation};
//! # const AGENT: ocf_metadata::Agent = ocf_metadata::Agent { name: "X", version: "1", shortdesc: "", longdesc: "", parameters: &[], actions: &[] };
//! fn main() -> std::process::ExitCode {
//!     rustha_ocf::run(&AGENT, None, |inv: &Invocation| match inv.action {
//!         Action::Start => Ok(Code::Success),
//!         _ => Ok(Code::Unimplemented),
//!     })
//! }
//! ```
//!
//! The runtime reads the action and the OCF environment, answers `meta-data`, `usage` and
//! `methods` itself, validates parameters against the description, installs logging and a panic
//! guard, computes the [`Deadline`](rustha_support::Deadline) from the operation timeout, and turns
//! the handler's result into an exit code and an `ocf-exit-reason:` line.

mod code;
mod env;
mod legacy;
pub mod testing;

pub use code::{Code, Error, Result};
pub use env::{Action, Invocation, Meta};
pub use legacy::LegacyMapper;

use ocf_metadata::{Agent, OcfVersion};
use std::process::ExitCode;

/// Return early with an OCF error: `bail!(Configured, "nic {nic} does not exist")`.
#[macro_export]
macro_rules! bail {
    ($code:ident, $($fmt:tt)+) => {
        return Err($crate::Error::new($crate::Code::$code, format!($($fmt)+)))
    };
}

/// Run the agent: parse argv and environment, dispatch to `handler`, exit with its code.
///
/// `legacy` maps heartbeat v1 positional arguments (`IPaddr2 10.0.0.5/24/eth0 start`) to
/// parameters; `None` for agents without a legacy form.
pub fn run(
    agent: &'static Agent,
    legacy: Option<LegacyMapper>,
    handler: impl FnOnce(&Invocation) -> Result<Code>,
) -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let code = run_with(agent, legacy, &argv, &env, handler, &mut std::io::stdout());
    ExitCode::from(code.as_u8())
}

/// [`run`] with explicit argv (without the program name), environment and output: for tests.
pub fn run_with(
    agent: &'static Agent,
    legacy: Option<LegacyMapper>,
    argv: &[String],
    env: &[(String, String)],
    handler: impl FnOnce(&Invocation) -> Result<Code>,
    out: &mut dyn std::io::Write,
) -> Code {
    let lookup = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let instance = lookup("OCF_RESOURCE_INSTANCE")
        .unwrap_or(agent.name)
        .to_string();
    rustha_support::log::init(rustha_support::log::LogConfig::from_env(format!(
        "{}({instance})",
        agent.name
    )));
    install_panic_guard();

    let (action_word, positional) = match legacy::split_argv(argv) {
        Some(split) => split,
        None => {
            let _ = writeln!(out, "{}", usage(agent));
            return Code::ErrArgs;
        }
    };
    let action = Action::parse(action_word);
    let version = OcfVersion::from_env_values(
        lookup("OCF_RA_VERSION_MAJOR"),
        lookup("OCF_RA_VERSION_MINOR"),
    );
    match action {
        Action::MetaData => {
            let _ = write!(out, "{}", ocf_metadata::xml::render(agent, version));
            return Code::Success;
        }
        Action::Usage => {
            let _ = writeln!(out, "{}", usage(agent));
            return Code::Success;
        }
        Action::Methods => {
            for a in agent.actions {
                let _ = writeln!(out, "{}", a.name);
            }
            return Code::Success;
        }
        Action::Other(ref word) => {
            let reason = format!(
                "unknown action {word:?}; expected one of: {}",
                agent
                    .actions
                    .iter()
                    .map(|a| a.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            exit_reason(&reason);
            let _ = writeln!(out, "{}", usage(agent));
            return Code::Unimplemented;
        }
        _ => {}
    }

    let inv = match Invocation::from_env(agent, action.clone(), env, positional, legacy, version) {
        Ok(inv) => inv,
        Err(e) => return report(&action, e),
    };
    tracing::debug!(
        "{} {:?} (timeout {:?})",
        agent.name,
        inv.action,
        inv.meta.timeout
    );
    match handler(&inv) {
        Ok(code) => code,
        Err(e) => report(&inv.action, e),
    }
}

fn report(action: &Action, e: Error) -> Code {
    // Stop must not fail for a configuration that could never have started anything: a failed
    // stop gets the node fenced, while a bad parameter set is the admin's to fix.
    if *action == Action::Stop && e.code == Code::ErrConfigured && e.stop_ok_when_unconfigured {
        tracing::warn!(
            "stop: {}; nothing can be running with this configuration",
            e.reason
        );
        return Code::Success;
    }
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

/// Write the `ocf-exit-reason:` line Pacemaker shows in `crm_mon` (one line, last one wins).
pub fn exit_reason(reason: &str) {
    use std::io::Write;
    let one_line = reason.replace(['\n', '\r'], " ");
    let _ = writeln!(std::io::stderr(), "ocf-exit-reason:{one_line}");
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
fn install_panic_guard() {
    std::panic::set_hook(Box::new(|info| {
        let reason = format!("internal error (a bug in rustha, please report it): {info}");
        tracing::error!("{reason}");
        exit_reason(&reason);
        std::process::exit(Code::ErrGeneric.as_u8().into());
    }));
}
