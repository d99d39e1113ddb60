// SPDX-License-Identifier: GPL-2.0-or-later
//! fence_ipmilan's option table and the translation of options into an IPMI session
//! configuration. Pure functions, unit-tested.

use ipmi_lan::{AuthType, Config, Interface, Privilege};
use rustha_fence::options::{common_options, tweak};
use rustha_fence::text::shown;
use rustha_fence::{opt, Kind, Opt, OptSpec, Options, METHOD};

/// fence_ipmilan's own options (besides rustha_fence's common ones), declared once.
pub const LANPLUS: Opt = Opt::new("lanplus");
pub const AUTH: Opt = Opt::new("auth");
pub const CIPHER: Opt = Opt::new("cipher");
pub const PRIVLVL: Opt = Opt::new("privlvl");
pub const TARGET: Opt = Opt::new("target");
pub const HEXADECIMAL_KG: Opt = Opt::new("hexadecimal_kg");
pub const IPMITOOL_PATH: Opt = Opt::new("ipmitool_path");
pub const IPMITOOL_TIMEOUT: Opt = Opt::new("ipmitool_timeout");
pub const USE_SUDO: Opt = Opt::new("use_sudo");
pub const SUDO_PATH: Opt = Opt::new("sudo_path");
pub const PORT_AS_IP: Opt = Opt::new("port_as_ip");
pub const PLUG_SEPARATOR: Opt = Opt::new("plug_separator");
pub const VERBOSE_LEVEL: Opt = Opt::new("verbose_level");
pub const DISABLE_TIMEOUT: Opt = Opt::new("disable_timeout");

use rustha_support::Secret;
use std::time::Duration;

/// How the agent was called: fence-agents installs fence_ipmilan under several names whose
/// defaults differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Personality {
    pub name: &'static str,
    /// The default of `lanplus`.
    pub lanplus: bool,
    /// fence_ipmilan's default `power_wait` under this name (ours is 0: see [`options`]).
    pub stock_power_wait: &'static str,
}

/// The personality for the program name `argv0` (a path; a `_rs` suffix is ignored). As in
/// fence-agents 4.12: lanplus by default for fence_ilo3/4/5 and fence_ipmilanplus, not for
/// fence_idrac and fence_imm (which are plain aliases of fence_ipmilan there).
pub fn personality(argv0: &str) -> Personality {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    let stem = base.strip_suffix("_rs").unwrap_or(base);
    let (name, lanplus, stock_power_wait) = match stem {
        "fence_ilo3" => ("fence_ilo3", true, "4"),
        "fence_ilo4" => ("fence_ilo4", true, "2"),
        "fence_ilo5" => ("fence_ilo5", true, "2"),
        "fence_ipmilanplus" => ("fence_ipmilanplus", true, "2"),
        "fence_idrac" => ("fence_idrac", false, "2"),
        "fence_imm" => ("fence_imm", false, "2"),
        _ => ("fence_ipmilan_rs", false, "2"),
    };
    Personality {
        name,
        lanplus,
        stock_power_wait,
    }
}

/// The interval of the Get Chassis Status polls that confirm a power change (the default of
/// `stonith_status_sleep`; fence_ipmilan's is 1 s).
pub const STATUS_POLL: &str = "0.05";

/// fence_ipmilan's options (fence-agents 4.12): the common ones plus its own.
pub fn options(p: Personality) -> Vec<OptSpec> {
    use Kind::*;
    let mut t = common_options();
    tweak(&mut t, opt::IP, |o| {
        o.required = false;
        o.desc = "IP address or hostname of fencing device";
    });
    tweak(&mut t, opt::IPPORT, |o| {
        o.default = Some("623");
        o.desc = "TCP/UDP port to use for connection with device";
    });
    tweak(&mut t, opt::PLUG, |o| {
        o.required = false;
        o.arg = "ip";
        o.desc = "IP address or hostname of fencing device (together with --port-as-ip)";
    });
    // fence_ipmilan sleeps power_wait (2 s, 4 s as fence_ilo3) after each power command before
    // it looks at the status. This agent polls the status from the start and succeeds once the
    // BMC reports the new state; a power_wait given holds success back until that much time has
    // passed since the command (rustha_fence::settle). Default 0: no blind wait.
    tweak(&mut t, opt::POWER_WAIT, |o| {
        o.default = Some("0");
        o.desc = if p.stock_power_wait == "4" {
            "Wait X seconds after issuing ON/OFF: the least time between the command and success, the BMC polled meanwhile (fence_ilo3 defaults to 4)"
        } else {
            "Wait X seconds after issuing ON/OFF: the least time between the command and success, the BMC polled meanwhile (fence_ipmilan defaults to 2)"
        };
    });
    tweak(&mut t, opt::STONITH_STATUS_SLEEP, |o| {
        o.default = Some(STATUS_POLL);
    });
    let sel = |name, short, arg, words: &'static [&'static str], desc| {
        OptSpec::new(name, Select(words), desc)
            .short(short)
            .arg(arg)
    };
    t.extend([
        OptSpec::new(LANPLUS,
            Flag,
            "Use Lanplus (IPMI 2.0 RMCP+) to improve security of connection",
        )
        .short('P')
        .default(if p.lanplus { "1" } else { "0" }),
        sel(AUTH,
            'A',
            "auth",
            &["md5", "password", "none"],
            "IPMI Lan Auth type.",
        ),
        OptSpec::new(CIPHER,
            String,
            "Ciphersuite to use (same as ipmitool -C parameter); default: the strongest the BMC offers",
        )
        .short('C')
        .arg("cipher"),
        sel(PRIVLVL,
            'L',
            "level",
            &["callback", "user", "operator", "administrator"],
            "Privilege level on IPMI device",
        )
        .default("administrator"),
        sel(METHOD,
            'm',
            "method",
            &["onoff", "cycle"],
            "Method to fence",
        )
        .default("onoff"),
        OptSpec::new(TARGET,
            String,
            "Bridge IPMI requests to the remote target address",
        )
        .arg("targetaddress"),
        OptSpec::new(HEXADECIMAL_KG,
            String,
            "Hexadecimal-encoded Kg key for IPMIv2 authentication",
        )
        .arg("key")
        .secret(),
        OptSpec::new(IPMITOOL_PATH,
            String,
            "Path to ipmitool binary (accepted and ignored: this agent speaks IPMI itself)",
        )
        .arg("path")
        .default("/usr/bin/ipmitool"),
        OptSpec::new(IPMITOOL_TIMEOUT,
            String,
            "Timeout (sec) for IPMI operation: the longest interval between retransmissions",
        )
        .arg("timeout")
        .default("2"),
        OptSpec::new(USE_SUDO,
            Flag,
            "Use sudo (without password) when calling 3rd party software (accepted and ignored)",
        )
        .deprecated(&["sudo"]),
        OptSpec::new(SUDO_PATH,
            String,
            "Path to sudo binary (accepted and ignored)",
        )
        .arg("path")
        .default("/usr/bin/sudo"),
        OptSpec::new(PORT_AS_IP,
            Flag,
            "Make \"port/plug\" to be an alias to IP address",
        ),
        OptSpec::new(PLUG_SEPARATOR,
            String,
            "Separator for plug parameter when specifying more than 1 plug",
        )
        .arg("char")
        .default(","),
        OptSpec::new(VERBOSE_LEVEL,
            Integer,
            "Level of debugging detail in output",
        )
        .arg("level"),
        OptSpec::new(DISABLE_TIMEOUT,
            String,
            "Disable timeout (true/false) (accepted and ignored)",
        )
        .arg("true/false"),
    ]);
    t
}

/// Rewrite options right after reading them: `port_as_ip`, and a plug for the runtime (an IPMI
/// BMC powers exactly one machine, so the plug is the BMC itself).
pub fn adjust(opts: &mut Options) {
    let plug = opts.get(opt::PLUG).map(str::trim).unwrap_or("").to_string();
    if opts.flag(PORT_AS_IP) && !plug.is_empty() && opts.get(opt::IP).is_none_or(str::is_empty) {
        opts.set(opt::IP, &plug);
    }
    if plug.is_empty() {
        let ip = opts.get(opt::IP).unwrap_or("").trim().to_string();
        opts.set(opt::PLUG, if ip.is_empty() { "bmc" } else { &ip });
    }
}

/// How the agent uses the BMC, from the options.
#[derive(Debug)]
pub struct AgentConfig {
    pub ipmi: Config,
}

fn parse_target(s: &str) -> Option<u8> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u8::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

/// Decode `hexadecimal_kg`: an even number of hex digits, at most 40.
pub fn parse_kg(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if s.is_empty() || s.len() & 1 != 0 || s.len() > 40 || !s.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Build the session configuration; the error is one line naming the bad option.
pub fn agent_config(opts: &Options, password: Option<&Secret>) -> Result<AgentConfig, String> {
    let host = opts.get(opt::IP).map(str::trim).unwrap_or("");
    if host.is_empty() {
        return Err(
            "no BMC address: set ip (stdin) or --ip/-a (expected the IP address or host name of the BMC)"
                .into(),
        );
    }
    let port = match opts
        .value(opt::IPPORT)
        .map(str::trim)
        .unwrap_or("623")
        .parse::<u16>()
    {
        Ok(p) if p > 0 => p,
        _ => {
            return Err(format!(
                "ipport '{}' is not a UDP port (expected 1-65535, usually 623)",
                shown(opts.value(opt::IPPORT).unwrap_or(""))
            ))
        }
    };
    // Tri-state: not given is the personality's default (the table's), `lanplus=0` is lan.
    let interface = if opts.flag(LANPLUS) {
        let cipher = match opts.get(CIPHER).map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => {
                let id = c
                    .parse::<u8>()
                    .ok()
                    .filter(|&id| ipmi_lan::CipherSuite::from_id(id).is_some());
                Some(id.ok_or_else(|| {
                    format!(
                        "cipher '{}' is not a supported cipher suite (expected one of 0, 1, 2, 3, 6, 7, 8, 15, 16, 17)",
                        shown(c)
                    )
                })?)
            }
        };
        Interface::LanPlus { cipher }
    } else {
        let auth = match opts.get(AUTH).map(str::trim) {
            None | Some("") => None,
            Some("md5") => Some(AuthType::Md5),
            Some("password") => Some(AuthType::Password),
            Some("none") => Some(AuthType::None),
            Some(other) => {
                return Err(format!(
                    "auth '{}' is not one of: md5, password, none",
                    shown(other)
                ))
            }
        };
        Interface::Lan { auth }
    };
    let privilege = {
        let v = opts.value(PRIVLVL).unwrap_or("administrator").trim();
        Privilege::from_name(v).ok_or_else(|| {
            format!(
                "privlvl '{}' is not one of: callback, user, operator, administrator",
                shown(v)
            )
        })?
    };
    let target = match opts.get(TARGET).map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(parse_target(t).ok_or_else(|| {
            format!(
                "target '{}' is not an IPMB address (expected e.g. 0x82)",
                shown(t)
            )
        })?),
    };
    let kg = match opts.secret(HEXADECIMAL_KG).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(parse_kg(k.expose()).ok_or_else(|| {
            "hexadecimal_kg is not an even number of hexadecimal digits, at most 40 (value not shown)"
                .to_string()
        })?),
    };
    let max_interval = {
        let v = opts.value(IPMITOOL_TIMEOUT).unwrap_or("2").trim();
        rustha_fence::options::parse_seconds(v)
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!(
                    "ipmitool_timeout '{}' is not a number of seconds (expected e.g. 2)",
                    shown(v)
                )
            })?
    };
    let mut c = Config::new(host, interface);
    c.port = port;
    c.username = opts.get(opt::USERNAME).unwrap_or("").to_string();
    c.password = password.cloned().unwrap_or_default();
    c.kg = kg;
    c.privilege = privilege;
    c.target = target;
    c.retry_interval = Duration::from_millis(300).min(max_interval);
    c.max_interval = max_interval;
    c.max_retries = 4;
    Ok(AgentConfig { ipmi: c })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustha_fence::options::{parse_args, parse_stdin};

    fn std() -> Personality {
        personality("/usr/sbin/fence_ipmilan_rs")
    }

    #[test]
    fn personalities() {
        assert!(!std().lanplus);
        assert!(personality("fence_ilo4").lanplus);
        assert!(personality("/x/fence_ilo5_rs").lanplus);
        assert!(personality("fence_ilo3").lanplus);
        assert!(personality("fence_ipmilanplus").lanplus);
        assert_eq!(personality("fence_ilo3").stock_power_wait, "4");
        // As fence-agents 4.12: fence_idrac and fence_imm default to lan.
        assert!(!personality("fence_idrac").lanplus);
        assert!(!personality("/usr/sbin/fence_imm_rs").lanplus);
        assert!(!personality("fence_ipmilan").lanplus);
    }

    #[test]
    fn command_line_like_fence_ipmilan() {
        let o = parse_args(
            options(std()),
            &[
                "-a",
                "10.0.0.1",
                "-l",
                "admin",
                "-p",
                "pw",
                "-P",
                "-C",
                "3",
                "-L",
                "operator",
                "-m",
                "cycle",
                "-o",
                "status",
                "--ipport=6230",
                "--hexadecimal-kg=0a0B",
                "--target=0x82",
            ],
        )
        .unwrap();
        let c = agent_config(&o, o.secret(opt::PASSWORD)).unwrap();
        assert_eq!(c.ipmi.host, "10.0.0.1");
        assert_eq!(c.ipmi.port, 6230);
        assert_eq!(c.ipmi.username, "admin");
        assert_eq!(c.ipmi.password.expose(), "pw");
        assert_eq!(c.ipmi.interface, Interface::LanPlus { cipher: Some(3) });
        assert_eq!(c.ipmi.privilege, Privilege::Operator);
        assert_eq!(c.ipmi.kg, Some(vec![0x0a, 0x0b]));
        assert_eq!(c.ipmi.target, Some(0x82));
        assert_eq!(o.value(METHOD), Some("cycle"));
    }

    #[test]
    fn stdin_keys_like_fence_ipmilan() {
        let mut o = parse_stdin(
            options(std()),
            "ipaddr=bmc1\nlogin=root\npasswd=x\nauth=md5\nprivlvl=user\npower_wait=4\naction=off\n",
        );
        adjust(&mut o);
        let c = agent_config(&o, o.secret(opt::PASSWORD)).unwrap();
        assert_eq!(c.ipmi.host, "bmc1");
        assert_eq!(c.ipmi.port, 623);
        assert_eq!(
            c.ipmi.interface,
            Interface::Lan {
                auth: Some(AuthType::Md5)
            }
        );
        assert_eq!(c.ipmi.privilege, Privilege::User);
        // power_wait is the user's (the runtime's least time to success), default 0.
        assert_eq!(o.seconds(opt::POWER_WAIT), Duration::from_secs(4));
        assert_eq!(
            parse_stdin(options(std()), "").seconds(opt::POWER_WAIT),
            Duration::ZERO
        );
        assert_eq!(o.get(opt::PLUG), Some("bmc1"));
    }

    #[test]
    fn personality_defaults_to_lanplus_without_cipher() {
        let p = personality("fence_ilo4");
        let o = parse_args(options(p), &["-a", "h"]).unwrap();
        let c = agent_config(&o, None).unwrap();
        assert_eq!(c.ipmi.interface, Interface::LanPlus { cipher: None });
        assert!(c.ipmi.password.is_empty());
    }

    /// lanplus is a flag with a default: `lanplus=0` on stdin and `--lanplus=0` on the command
    /// line switch off the default of the lanplus personalities; `-P` / `lanplus=1` switch it on
    /// for the others.
    #[test]
    fn lanplus_off_switches_off_a_lanplus_default() {
        let iface = |o: &Options| agent_config(o, None).unwrap().ipmi.interface;
        let lan = Interface::Lan { auth: None };
        let plus = Interface::LanPlus { cipher: None };
        for name in [
            "fence_ilo3",
            "fence_ilo4",
            "fence_ilo5",
            "fence_ipmilanplus",
        ] {
            let p = personality(name);
            let stdin = |s: &str| parse_stdin(options(p), &format!("ip=h\n{s}"));
            assert_eq!(iface(&stdin("")), plus, "{name}");
            for off in ["lanplus=0", "lanplus=false", "lanplus=no", "lanplus=off"] {
                assert_eq!(iface(&stdin(off)), lan, "{name} {off}");
            }
            assert_eq!(iface(&stdin("lanplus=1")), plus, "{name}");
            let args = |a: &[&str]| parse_args(options(p), a).unwrap();
            assert_eq!(iface(&args(&["-a", "h"])), plus, "{name}");
            assert_eq!(iface(&args(&["-a", "h", "--lanplus=0"])), lan, "{name}");
            assert_eq!(iface(&args(&["-a", "h", "-P"])), plus, "{name}");
        }
        for name in ["fence_ipmilan_rs", "fence_idrac", "fence_imm"] {
            let p = personality(name);
            let stdin = |s: &str| parse_stdin(options(p), &format!("ip=h\n{s}"));
            assert_eq!(iface(&stdin("")), lan, "{name}");
            assert_eq!(iface(&stdin("lanplus=1")), plus, "{name}");
            assert_eq!(iface(&stdin("lanplus=true")), plus, "{name}");
            assert_eq!(iface(&stdin("lanplus=0")), lan, "{name}");
            let args = |a: &[&str]| parse_args(options(p), a).unwrap();
            assert_eq!(iface(&args(&["-a", "h", "-P"])), plus, "{name}");
            assert_eq!(iface(&args(&["-a", "h", "--lanplus"])), plus, "{name}");
        }
        // Not a boolean: named, not silently the default.
        let o = parse_stdin(options(std()), "ip=h\nlanplus=maybe\n");
        assert!(o
            .check()
            .unwrap_err()
            .starts_with("lanplus 'maybe' is not a boolean"));
    }

    /// With the default options of every personality the whole invocation fits inside
    /// Pacemaker's default fencing timeout of 60 s.
    #[test]
    fn default_budget_fits_pacemakers_60s() {
        for name in [
            "fence_ipmilan_rs",
            "fence_ilo3",
            "fence_ilo4",
            "fence_ilo5",
            "fence_ipmilanplus",
            "fence_idrac",
            "fence_imm",
        ] {
            let mut o = parse_stdin(options(personality(name)), "ip=h\naction=reboot\n");
            adjust(&mut o);
            let b = rustha_fence::engine::overall_budget(&o);
            assert!(b <= Duration::from_secs(55), "{name}: {b:?}");
        }
    }

    #[test]
    fn port_as_ip() {
        let mut o = parse_args(options(std()), &["--port-as-ip", "-n", "10.1.1.1"]).unwrap();
        adjust(&mut o);
        assert_eq!(o.get(opt::IP), Some("10.1.1.1"));
    }

    #[test]
    fn bad_values_are_named() {
        let cases: &[(&[&str], &str)] = &[
            (&["-o", "status"], "no BMC address"),
            (&["-a", "h", "-P", "-C", "5"], "cipher '5'"),
            (&["-a", "h", "-P", "-C", "x"], "cipher 'x'"),
            (&["-a", "h", "-u", "70000"], "ipport '70000'"),
            (&["-a", "h", "--target=zz"], "target 'zz'"),
            (&["-a", "h", "--hexadecimal-kg=abc"], "hexadecimal_kg"),
            (&["-a", "h", "--ipmitool-timeout=x"], "ipmitool_timeout 'x'"),
        ];
        for (args, want) in cases {
            let o = parse_args(options(std()), args).unwrap();
            let e = agent_config(&o, None).unwrap_err();
            assert!(e.contains(want), "{args:?}: {e}");
        }
        let o = parse_args(options(std()), &["-a", "h", "--hexadecimal-kg=zz99"]).unwrap();
        let e = agent_config(&o, None).unwrap_err();
        assert!(!e.contains("zz99"), "the key must not be shown: {e}");
    }

    #[test]
    fn kg_parsing() {
        assert_eq!(parse_kg("0x0102"), Some(vec![1, 2]));
        assert_eq!(parse_kg(&"ab".repeat(20)).map(|v| v.len()), Some(20));
        assert_eq!(parse_kg(&"ab".repeat(21)), None);
        assert_eq!(parse_kg("0g"), None);
        assert_eq!(parse_kg(""), None);
    }
}
