// SPDX-License-Identifier: GPL-2.0-or-later
//! The Fence Agent API front end: options from the command line or from stdin, the action run
//! by the [`crate::engine`], its outcome printed, the exit code returned. A first argument that
//! is a cluster-glue plugin command goes to the other front end, [`crate::plugin`].

use crate::action::Action;
use crate::agent::{ExitCode, FenceAgent};
use crate::engine::{execute, Outcome, NO_LIST_NOTICE};
use crate::logging;
use crate::metadata::usage;
use crate::options::{opt, parse_args, parse_stdin_bytes};
use crate::plugin;
use std::ffi::OsString;
use std::io::Read;
use std::time::Duration;

/// How long to wait for fenced or Pacemaker to close our stdin.
const STDIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The most stdin we read.
const STDIN_LIMIT: u64 = 1 << 20;

/// Run `agent` with the process's arguments and stdin, and exit with the Fence Agent API code.
pub fn main<A: FenceAgent>(agent: A) -> ! {
    install_panic_hook();
    let args: Vec<OsString> = std::env::args_os().collect();
    std::process::exit(run(agent, &args))
}

/// A panic (a bug) prints one error line instead of Rust's report; [`run`] then exits with
/// the Fence API's failure code, never 101.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write as _;
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let name = std::env::args_os()
            .next()
            .map(|a| {
                let a = a.to_string_lossy().into_owned();
                a.rsplit('/').next().unwrap_or("fence agent").to_string()
            })
            .unwrap_or_else(|| "fence agent".to_string());
        let line = crate::text::one_line(&format!(
            "ERROR: internal error (a bug: please report it): {what}{at}"
        ));
        let _ = writeln!(std::io::stderr(), "{}: {line}", crate::text::shown(&name));
    }));
}

/// Run `agent` for `args` (`args[0]` is the program name). Returns the exit code; a panic
/// inside is a failure ([`ExitCode::Failure`]).
pub fn run<A: FenceAgent>(agent: A, args: &[OsString]) -> i32 {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || run_inner(agent, args)))
        .unwrap_or(ExitCode::Failure.code())
}

fn run_inner<A: FenceAgent>(mut agent: A, args: &[OsString]) -> i32 {
    let info = agent.info();
    let mut words = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        match a.to_str() {
            Some(w) => words.push(w.to_string()),
            // Not shown: it may be a password.
            None => {
                return logging::fail_early(
                    info.name,
                    &format!("argument {i} is not valid UTF-8 (expected text; not shown)"),
                )
            }
        }
    }
    let args = words;
    if plugin::is_plugin_call(&args) {
        return plugin::run(&mut agent, &info, &args);
    }
    let mut opts = if args.is_empty() {
        match read_stdin() {
            Ok(bytes) => parse_stdin_bytes(info.options.clone(), &bytes),
            Err(e) => return logging::fail_early(info.name, &e),
        }
    } else {
        match parse_args(info.options.clone(), &args) {
            Ok(o) => o,
            Err(e) => return logging::fail_early(info.name, &e.0),
        }
    };
    agent.adjust_options(&mut opts);
    logging::init(info.name, &opts);
    if opts.flag(opt::HELP) {
        out!("{}", usage(&info));
        return ExitCode::Success.code();
    }
    if opts.flag(opt::VERSION) {
        outln!("{} {} (rustha)", info.name, info.version);
        return ExitCode::Success.code();
    }
    let outcome = Action::parse(opts.value(opt::ACTION).unwrap_or("reboot"), &info)
        .and_then(|action| execute(&mut agent, &info, &opts, action));
    match outcome {
        Ok(o) => {
            print(&o, opts.flag(opt::QUIET));
            o.exit_code().code()
        }
        Err(e) => logging::report_error(&e),
    }
}

/// The Fence Agent API's output: data always, `Success:` lines unless `quiet`.
fn print(o: &Outcome, quiet: bool) {
    let success = |s: &str| {
        if !quiet {
            outln!("Success: {s}");
        }
    };
    match o {
        Outcome::Status(s) => outln!("Status: {s}"),
        Outcome::Switched { state, changed } => {
            success(&format!(
                "{} {state}",
                if *changed { "Powered" } else { "Already" }
            ));
        }
        Outcome::Rebooted => success("Rebooted"),
        Outcome::Plugs(plugs) => {
            for p in plugs {
                match p.state {
                    Some(s) => outln!("{},{},{s}", p.plug, p.alias),
                    None => outln!("{},{}", p.plug, p.alias),
                }
            }
        }
        Outcome::NoList => outln!("{NO_LIST_NOTICE}"),
        Outcome::Checked => {}
        Outcome::Extra(name) => success(name),
        Outcome::Text(t) => out!("{t}"),
    }
}

/// Read all of stdin, bounded in size and time.
fn read_stdin() -> Result<Vec<u8>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let r = std::io::stdin()
            .lock()
            .take(STDIN_LIMIT)
            .read_to_end(&mut buf);
        let _ = tx.send(r.map(|_| buf));
    });
    match rx.recv_timeout(STDIN_TIMEOUT) {
        Ok(Ok(buf)) => Ok(buf),
        Ok(Err(e)) => Err(format!("cannot read options from stdin: {e}")),
        Err(_) => Err(format!(
            "no end of input on stdin within {}s: give options as key=value lines and close stdin, or on the command line (see --help)",
            STDIN_TIMEOUT.as_secs()
        )),
    }
}
