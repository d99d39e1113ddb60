// SPDX-License-Identifier: GPL-2.0-or-later
//! The program: argv[0] picks fence or unfence, options, environment, lock, then [`run`].

use crate::options::{self, Config, Mode};
use crate::{run, system, DrbdEnv};
use std::process::ExitCode;
use std::time::Duration;
use tracing::{error, warn};

pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("rustha-fence-peer: internal error: {info}");
        std::process::exit(1);
    }));
    let mut args = std::env::args_os();
    let argv0 = args
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mode = Mode::from_argv0(&argv0);
    let args: Vec<_> = args.collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", options::help(mode));
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--man") {
        print!("{}", options::man(mode));
        return ExitCode::SUCCESS;
    }
    let env = DrbdEnv::from_vars(
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    );
    // The drbd agent passes unfence options through the environment, as stock.
    let mut all = Vec::new();
    if mode == Mode::Unfence {
        if let Some(extra) = &env.unfence_extra_args {
            all.extend(extra.split_whitespace().map(std::ffi::OsString::from));
        }
    }
    all.extend(args);
    let cfg = match options::parse(&all, Config::default()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rustha-fence-peer: {e}");
            return ExitCode::from(1);
        }
    };
    let resource = cfg
        .resource
        .clone()
        .or_else(|| env.resource.clone())
        .unwrap_or_default();
    let mut log = rustha_support::log::LogConfig::from_env(format!(
        "{}({resource})",
        if mode == Mode::Fence {
            "rustha-fence-peer"
        } else {
            "rustha-unfence-peer"
        }
    ));
    if log.syslog_facility.is_none() {
        log.syslog_facility = rustha_support::log::facility(&cfg.logfacility);
    }
    rustha_support::log::init(log);
    let lock_path = cfg
        .lock_file
        .clone()
        .unwrap_or_else(|| format!("{}/fence.{resource}", cfg.lock_dir));
    let _lock = match system::lock(
        &lock_path,
        Duration::from_secs(cfg.flock_timeout.min(cfg.timeout)),
    ) {
        Ok(l) => l,
        Err(e) if cfg.flock_required => {
            error!("{e}; --flock-required: giving up");
            return ExitCode::from(1);
        }
        Err(e) => {
            warn!("{e}; continuing without the lock");
            None
        }
    };
    ExitCode::from(run(mode, &cfg, &env, &mut system::Real::default()))
}
