// SPDX-License-Identifier: GPL-2.0-or-later
//! Logging, set up in one place for every front end, and the one way a failure is reported.
//!
//! As resource-agents' `ha_log` (rustha_support::log: `HA_LOGFACILITY`, `HA_LOGFILE`,
//! `HA_DEBUGLOG`, `HA_debug`), plus `verbose` and `debug_file`. As fence-agents, the error line
//! of a failure also goes to syslog (facility user, priority err) when `HA_LOGFACILITY` does not
//! say otherwise: stderr alone is lost when the agent is run by hand or by cluster-glue.

use crate::agent::FenceError;
use crate::options::{opt, Options};
use crate::text::one_line;
use rustha_support::log;

/// The syslog ident: the agent's name, set by [`init`].
static IDENT: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();

/// Set up logging for one invocation of agent `name`.
pub fn init(name: &str, opts: &Options) {
    let _ = IDENT.set(std::ffi::CString::new(name.replace('\0', "")).unwrap_or_default());
    let mut cfg = log::LogConfig::from_env(name);
    if opts.flag(opt::VERBOSE) {
        cfg.debug = true;
    }
    if let Some(f) = opts.get(opt::DEBUG_FILE).filter(|f| !f.is_empty()) {
        cfg.debug = true;
        cfg.debuglog = Some(f.to_string());
        cfg.logfile = Some(f.to_string());
    }
    log::init(cfg);
    for k in &opts.unknown {
        tracing::debug!("ignoring unknown parameter '{k}'");
    }
}

/// Report a failure: one line (control characters escaped, bounded; the full text at debug
/// level when it had to be cut) on stderr and in the logs, and by default in syslog as
/// user.err. Returns the exit status.
pub fn report_error(e: &FenceError) -> i32 {
    let line = one_line(&e.message);
    if line.len() < e.message.len() {
        tracing::debug!("full error: {:?}", e.message);
    }
    tracing::error!("{line}");
    if default_syslog(std::env::var_os("HA_LOGFACILITY").is_some()) {
        syslog_error(&line);
    }
    e.code.code()
}

/// A failure before logging is set up (the command line or stdin could not be read).
pub fn fail_early(name: &str, msg: &str) -> i32 {
    use std::io::Write as _;
    let line = one_line(msg);
    let _ = writeln!(std::io::stderr(), "{name}: {line}");
    if default_syslog(std::env::var_os("HA_LOGFACILITY").is_some()) {
        let _ = IDENT.set(std::ffi::CString::new(name.replace('\0', "")).unwrap_or_default());
        syslog_error(&line);
    }
    crate::agent::ExitCode::Failure.code()
}

/// Whether the error line goes to syslog (user.err) by ourselves: unless `HA_LOGFACILITY` is
/// set (then rustha_support::log sends it to that facility, or nowhere for `none`). Tested by
/// fence_na's `errors_go_to_syslog_as_user_err_by_default`.
fn default_syslog(ha_logfacility_set: bool) -> bool {
    !ha_logfacility_set
}

fn syslog_error(line: &str) {
    let ident = IDENT.get_or_init(|| {
        let prog = std::env::args_os()
            .next()
            .map(|a| {
                let a = a.to_string_lossy().into_owned();
                a.rsplit('/').next().unwrap_or("").to_string()
            })
            .unwrap_or_default();
        std::ffi::CString::new(prog.replace('\0', "")).unwrap_or_default()
    });
    if let Ok(text) = std::ffi::CString::new(format!("ERROR: {line}").replace('\0', " ")) {
        // SAFETY: ident lives in a static for the rest of the process (openlog keeps the
        // pointer); "%s" with a valid C string.
        unsafe {
            libc::openlog(ident.as_ptr(), libc::LOG_PID, libc::LOG_USER);
            libc::syslog(
                libc::LOG_USER | libc::LOG_ERR,
                c"%s".as_ptr(),
                text.as_ptr(),
            );
        }
    }
}
