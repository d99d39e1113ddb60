// SPDX-License-Identifier: GPL-2.0-or-later
//! cluster-glue `external/` STONITH plugin mode: the same binary, called by cluster-glue's
//! `external` plugin as `AGENT gethosts|on HOST|off HOST|reset HOST|status|getconfignames|getinfo-*`
//! with its configuration in environment variables named as the parameters.

use crate::action::Action;
use crate::agent::{AgentInfo, FenceAgent, FenceError};
use crate::engine::{execute, Outcome};
use crate::logging;
use crate::metadata::plugin_xml;
use crate::options::{opt, Kind, Options};

/// The commands of the external plugin interface.
pub const COMMANDS: &[&str] = &[
    "gethosts",
    "on",
    "off",
    "reset",
    "status",
    "getconfignames",
    "getinfo-devid",
    "getinfo-devname",
    "getinfo-devdescr",
    "getinfo-devurl",
    "getinfo-xml",
];

/// Whether `args` (without the program name) is a plugin call: a first argument that is a
/// plugin command and at most one more argument, none of them an option.
pub fn is_plugin_call(args: &[String]) -> bool {
    match args.first() {
        Some(c) => {
            COMMANDS.contains(&c.as_str())
                && args.len() <= 2
                && !args.iter().any(|a| a.starts_with('-'))
        }
        None => false,
    }
}

/// Options from the environment: every stdin name of every option, as an environment variable.
pub fn options_from_env<A>(info: &AgentInfo<A>, env: impl Fn(&str) -> Option<String>) -> Options {
    let mut opts = Options::new(info.options.clone());
    for o in &info.options {
        let names = o
            .aliases
            .iter()
            .rev()
            .chain(o.deprecated.iter().rev())
            .chain(std::iter::once(&o.name));
        // Canonical names are read last so they win over deprecated ones.
        for n in names {
            if let Some(v) = env(n) {
                // Flags are tri-state as on stdin: `lanplus=0` switches off a default of 1; a
                // value that is not a boolean is kept for `check` to name.
                match (o.kind, crate::options::parse_bool(&v)) {
                    (Kind::Flag, Some(b)) => opts.set(o.opt(), if b { "1" } else { "0" }),
                    _ => opts.set(o.opt(), &v),
                }
            }
        }
    }
    opts
}

/// `hostlist`: `host1 host2` or `host1:plug1,host2:plug2`. Hosts without a plug are their own plug.
pub fn parse_hostlist(s: &str) -> Vec<(String, String)> {
    s.split([' ', ',', ';', '\t', '\n'])
        .filter(|w| !w.is_empty())
        .map(|w| match w.split_once(':') {
            Some((h, p)) if !p.is_empty() => (h.to_string(), p.to_string()),
            Some((h, _)) => (h.to_string(), h.to_string()),
            None => (w.to_string(), w.to_string()),
        })
        .collect()
}

/// Run plugin command `args[0]`; the exit code cluster-glue expects (0 success). The device
/// commands go through the same [`execute`] as the Fence Agent API (password resolution
/// included).
pub fn run<A: FenceAgent>(agent: &mut A, info: &AgentInfo<A>, args: &[String]) -> i32 {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut opts = options_from_env(info, env);
    // A variable of ours that is not valid UTF-8 is a configuration error (named by check).
    for o in &info.options {
        let names = o.aliases.iter().chain(o.deprecated.iter()).chain([&o.name]);
        for n in names {
            if std::env::var_os(n).is_some_and(|v| v.to_str().is_none()) {
                opts.set_invalid(o.opt());
            }
        }
    }
    agent.adjust_options(&mut opts);
    logging::init(info.name, &opts);
    let cmd = args[0].as_str();
    let host = args.get(1).map(String::as_str);
    let hostlist = env("hostlist").map(|h| parse_hostlist(&h));
    match cmd {
        "getconfignames" => {
            outln!("hostlist");
            for n in info.plugin_config {
                outln!("{n}");
            }
            0
        }
        "getinfo-devid" => {
            outln!("{}", info.name);
            0
        }
        "getinfo-devname" => {
            outln!("{}", info.shortdesc);
            0
        }
        "getinfo-devdescr" => {
            outln!("{}", info.longdesc);
            0
        }
        "getinfo-devurl" => {
            outln!("{}", info.vendor_url);
            0
        }
        "getinfo-xml" => {
            out!("{}", plugin_xml(info));
            0
        }
        "gethosts" => {
            if let Some(h) = hostlist {
                for (host, _) in h {
                    outln!("{host}");
                }
                return 0;
            }
            match execute(agent, info, &opts, Action::List) {
                Ok(Outcome::Plugs(plugs)) => {
                    for p in plugs {
                        outln!(
                            "{}",
                            if p.alias.is_empty() {
                                &p.plug
                            } else {
                                &p.alias
                            }
                        );
                    }
                    0
                }
                Ok(_) => logging::report_error(&FenceError::new(
                    "gethosts: set hostlist: this device cannot list its plugs",
                )),
                Err(e) => {
                    logging::report_error(&FenceError::with_code(e.code, format!("gethosts: {e}")))
                }
            }
        }
        "status" => report(execute(agent, info, &opts, Action::Monitor)),
        "on" | "off" | "reset" => {
            let Some(host) = host.filter(|h| !h.is_empty()) else {
                return logging::report_error(&FenceError::new(format!(
                    "{cmd}: no host given (expected: {} {cmd} HOST)",
                    info.name
                )));
            };
            let plug = hostlist
                .as_ref()
                .and_then(|h| h.iter().find(|(n, _)| n.eq_ignore_ascii_case(host)))
                .map(|(_, p)| p.clone());
            match plug {
                Some(p) => opts.set(opt::PLUG, &p),
                None => {
                    // Let the engine map the host through the device's aliases, else use it
                    // as the plug itself.
                    opts.set(opt::NODENAME, host);
                    if !info.supports_list {
                        opts.set(opt::PLUG, host);
                    }
                }
            }
            let action = match cmd {
                "on" => Action::On,
                "off" => Action::Off,
                _ => Action::Reboot,
            };
            let r = execute(agent, info, &opts, action);
            if r.is_err() && !opts.is_set(opt::PLUG) {
                // No alias matched: try the host name as the plug.
                opts.set(opt::PLUG, host);
                return report(execute(agent, info, &opts, action));
            }
            report(r)
        }
        _ => 1,
    }
}

fn report(r: Result<Outcome, FenceError>) -> i32 {
    match r {
        Ok(o) => o.exit_code().code(),
        Err(e) => logging::report_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::common_options;

    #[test]
    fn detects_plugin_calls_only() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_plugin_call(&v(&["gethosts"])));
        assert!(is_plugin_call(&v(&["reset", "node1"])));
        assert!(!is_plugin_call(&v(&["reset", "node1", "x"])));
        assert!(!is_plugin_call(&v(&["-o", "off"])));
        assert!(!is_plugin_call(&v(&["off", "--plug=1"])));
        assert!(!is_plugin_call(&v(&["metadata"])));
        assert!(!is_plugin_call(&[]));
    }

    #[test]
    fn hostlists() {
        assert_eq!(
            parse_hostlist("a:01, b:02 c"),
            vec![
                ("a".into(), "01".into()),
                ("b".into(), "02".into()),
                ("c".into(), "c".into())
            ]
        );
    }

    #[test]
    fn env_options_canonical_wins() {
        let info: AgentInfo<()> = AgentInfo::new("fence_t", "", "", common_options());
        let o = options_from_env(&info, |k| match k {
            "ipaddr" => Some("old".into()),
            "ip" => Some("new".into()),
            "passwd" => Some("pw".into()),
            "quiet" => Some("true".into()),
            _ => None,
        });
        assert_eq!(o.get(opt::IP), Some("new"));
        assert_eq!(o.secret(opt::PASSWORD).unwrap().expose(), "pw");
        assert!(o.flag(opt::QUIET));
        // Flags are tri-state: false switches off a default of true.
        let mut info = info;
        const LANPLUS: crate::options::Opt = crate::options::Opt::new("lanplus");
        info.options
            .push(crate::options::OptSpec::new(LANPLUS, Kind::Flag, "").default("1"));
        let o = options_from_env(&info, |k| (k == "lanplus").then(|| "0".into()));
        assert!(!o.flag(LANPLUS));
        assert!(options_from_env(&info, |_| None).flag(LANPLUS));
    }
}
