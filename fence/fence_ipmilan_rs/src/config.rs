//! fence_ipmilan's option table and the translation of options into an IPMI session
//! configuration. Pure functions, unit-tested.

use ipmi_lan::{AuthType, Config, Interface, Privilege};
use rustha_fence::options::{common_options, tweak};
use rustha_fence::{Kind, OptSpec, Options};
use rustha_support::Secret;
use std::time::Duration;

/// How the agent was called: fence-agents installs fence_ipmilan under several names whose
/// defaults differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Personality {
    pub name: &'static str,
    pub lanplus: bool,
    pub power_wait: &'static str,
}

/// The personality for the program name `argv0` (a path; a `_rs` suffix is ignored).
pub fn personality(argv0: &str) -> Personality {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    let stem = base.strip_suffix("_rs").unwrap_or(base);
    let (name, lanplus, power_wait) = match stem {
        "fence_ilo3" => ("fence_ilo3", true, "4"),
        "fence_ilo4" => ("fence_ilo4", true, "2"),
        "fence_ilo5" => ("fence_ilo5", true, "2"),
        "fence_ipmilanplus" => ("fence_ipmilanplus", true, "2"),
        "fence_idrac" => ("fence_idrac", true, "2"),
        "fence_imm" => ("fence_imm", true, "2"),
        _ => ("fence_ipmilan_rs", false, "2"),
    };
    Personality {
        name,
        lanplus,
        power_wait,
    }
}

/// Where the runtime's `power_wait` is kept: the agent confirms every power change by polling,
/// so the runtime's sleep is turned off and the value only reported.
pub const REQUESTED_POWER_WAIT: &str = "rustha_requested_power_wait";

/// fence_ipmilan's options (fence-agents 4.12): the common ones plus its own.
pub fn options(p: Personality) -> Vec<OptSpec> {
    use Kind::*;
    let mut t = common_options();
    tweak(&mut t, "ip", |o| {
        o.required = false;
        o.desc = "IP address or hostname of fencing device";
    });
    tweak(&mut t, "ipport", |o| {
        o.default = Some("623");
        o.desc = "TCP/UDP port to use for connection with device";
    });
    tweak(&mut t, "plug", |o| {
        o.required = false;
        o.arg = "ip";
        o.desc = "IP address or hostname of fencing device (together with --port-as-ip)";
    });
    tweak(&mut t, "power_wait", |o| {
        o.default = Some(p.power_wait);
        o.desc = "Wait X seconds after issuing ON/OFF (accepted; this agent confirms the new state by polling the BMC instead)";
    });
    let sel = |name, short, arg, words: &'static [&'static str], desc| {
        OptSpec::new(name, Select(words), desc)
            .short(short)
            .arg(arg)
    };
    t.extend([
        OptSpec::new(
            "lanplus",
            Flag,
            "Use Lanplus (IPMI 2.0 RMCP+) to improve security of connection",
        )
        .short('P')
        .default(if p.lanplus { "1" } else { "0" }),
        sel(
            "auth",
            'A',
            "auth",
            &["md5", "password", "none"],
            "IPMI Lan Auth type.",
        ),
        OptSpec::new(
            "cipher",
            String,
            "Ciphersuite to use (same as ipmitool -C parameter); default: the strongest the BMC offers",
        )
        .short('C')
        .arg("cipher"),
        sel(
            "privlvl",
            'L',
            "level",
            &["callback", "user", "operator", "administrator"],
            "Privilege level on IPMI device",
        )
        .default("administrator"),
        sel(
            "method",
            'm',
            "method",
            &["onoff", "cycle"],
            "Method to fence",
        )
        .default("onoff"),
        OptSpec::new(
            "target",
            String,
            "Bridge IPMI requests to the remote target address",
        )
        .arg("targetaddress"),
        OptSpec::new(
            "hexadecimal_kg",
            String,
            "Hexadecimal-encoded Kg key for IPMIv2 authentication",
        )
        .arg("key")
        .secret(),
        OptSpec::new(
            "ipmitool_path",
            String,
            "Path to ipmitool binary (accepted and ignored: this agent speaks IPMI itself)",
        )
        .arg("path")
        .default("/usr/bin/ipmitool"),
        OptSpec::new(
            "ipmitool_timeout",
            String,
            "Timeout (sec) for IPMI operation: the longest interval between retransmissions",
        )
        .arg("timeout")
        .default("2"),
        OptSpec::new(
            "use_sudo",
            Flag,
            "Use sudo (without password) when calling 3rd party software (accepted and ignored)",
        )
        .deprecated(&["sudo"]),
        OptSpec::new(
            "sudo_path",
            String,
            "Path to sudo binary (accepted and ignored)",
        )
        .arg("path")
        .default("/usr/bin/sudo"),
        OptSpec::new(
            "port_as_ip",
            Flag,
            "Make \"port/plug\" to be an alias to IP address",
        ),
        OptSpec::new(
            "plug_separator",
            String,
            "Separator for plug parameter when specifying more than 1 plug",
        )
        .arg("char")
        .default(","),
        OptSpec::new(
            "verbose_level",
            Integer,
            "Level of debugging detail in output",
        )
        .arg("level"),
        OptSpec::new(
            "disable_timeout",
            String,
            "Disable timeout (true/false) (accepted and ignored)",
        )
        .arg("true/false"),
        OptSpec::new(REQUESTED_POWER_WAIT, String, "internal").hidden(),
    ]);
    t
}

/// Rewrite options right after reading them: `port_as_ip`, a plug for the runtime (an IPMI BMC
/// powers exactly one machine, so the plug is the BMC itself), and `power_wait` (see
/// [`REQUESTED_POWER_WAIT`]).
pub fn adjust(opts: &mut Options) {
    let plug = opts.get("plug").map(str::trim).unwrap_or("").to_string();
    if opts.flag("port_as_ip") && !plug.is_empty() && opts.get("ip").is_none_or(str::is_empty) {
        opts.set("ip", &plug);
    }
    if plug.is_empty() {
        let ip = opts.get("ip").unwrap_or("").trim().to_string();
        opts.set("plug", if ip.is_empty() { "bmc" } else { &ip });
    }
    let pw = opts.value("power_wait").unwrap_or("0").to_string();
    opts.set(REQUESTED_POWER_WAIT, &pw);
    opts.set("power_wait", "0");
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
pub fn agent_config(
    opts: &Options,
    p: Personality,
    password: Option<&Secret>,
) -> Result<AgentConfig, String> {
    let host = opts.get("ip").map(str::trim).unwrap_or("");
    if host.is_empty() {
        return Err(
            "no BMC address: set ip (stdin) or --ip/-a (expected the IP address or host name of the BMC)"
                .into(),
        );
    }
    let port = match opts
        .value("ipport")
        .map(str::trim)
        .unwrap_or("623")
        .parse::<u16>()
    {
        Ok(p) if p > 0 => p,
        _ => {
            return Err(format!(
                "ipport '{}' is not a UDP port (expected 1-65535, usually 623)",
                opts.value("ipport").unwrap_or("")
            ))
        }
    };
    let lanplus = match opts.get("lanplus") {
        Some(_) => true,
        None => p.lanplus,
    };
    let interface = if lanplus {
        let cipher = match opts.get("cipher").map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => {
                let id = c
                    .parse::<u8>()
                    .ok()
                    .filter(|&id| ipmi_lan::CipherSuite::from_id(id).is_some());
                Some(id.ok_or_else(|| {
                    format!(
                        "cipher '{c}' is not a supported cipher suite (expected one of 0, 1, 2, 3, 6, 7, 8, 15, 16, 17)"
                    )
                })?)
            }
        };
        Interface::LanPlus { cipher }
    } else {
        let auth = match opts.get("auth").map(str::trim) {
            None | Some("") => None,
            Some("md5") => Some(AuthType::Md5),
            Some("password") => Some(AuthType::Password),
            Some("none") => Some(AuthType::None),
            Some(other) => {
                return Err(format!("auth '{other}' is not one of: md5, password, none"))
            }
        };
        Interface::Lan { auth }
    };
    let privilege = {
        let v = opts.value("privlvl").unwrap_or("administrator").trim();
        Privilege::from_name(v).ok_or_else(|| {
            format!("privlvl '{v}' is not one of: callback, user, operator, administrator")
        })?
    };
    let target =
        match opts.get("target").map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(parse_target(t).ok_or_else(|| {
                format!("target '{t}' is not an IPMB address (expected e.g. 0x82)")
            })?),
        };
    let kg = match opts.secret("hexadecimal_kg").filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(parse_kg(k.expose()).ok_or_else(|| {
            "hexadecimal_kg is not an even number of hexadecimal digits, at most 40 (value not shown)"
                .to_string()
        })?),
    };
    let max_interval = {
        let v = opts.value("ipmitool_timeout").unwrap_or("2").trim();
        rustha_fence::options::parse_seconds(v)
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!("ipmitool_timeout '{v}' is not a number of seconds (expected e.g. 2)")
            })?
    };
    let mut c = Config::new(host, interface);
    c.port = port;
    c.username = opts.get("username").unwrap_or("").to_string();
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
        assert!(personality("/x/fence_idrac_rs").lanplus);
        assert!(personality("fence_imm").lanplus);
        assert!(personality("fence_ipmilanplus").lanplus);
        assert_eq!(personality("fence_ilo3").power_wait, "4");
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
        let c = agent_config(&o, std(), o.secret("password")).unwrap();
        assert_eq!(c.ipmi.host, "10.0.0.1");
        assert_eq!(c.ipmi.port, 6230);
        assert_eq!(c.ipmi.username, "admin");
        assert_eq!(c.ipmi.password.expose(), "pw");
        assert_eq!(c.ipmi.interface, Interface::LanPlus { cipher: Some(3) });
        assert_eq!(c.ipmi.privilege, Privilege::Operator);
        assert_eq!(c.ipmi.kg, Some(vec![0x0a, 0x0b]));
        assert_eq!(c.ipmi.target, Some(0x82));
        assert_eq!(o.value("method"), Some("cycle"));
    }

    #[test]
    fn stdin_keys_like_fence_ipmilan() {
        let mut o = parse_stdin(
            options(std()),
            "ipaddr=bmc1\nlogin=root\npasswd=x\nauth=md5\nprivlvl=user\npower_wait=4\naction=off\n",
        );
        adjust(&mut o);
        let c = agent_config(&o, std(), o.secret("password")).unwrap();
        assert_eq!(c.ipmi.host, "bmc1");
        assert_eq!(c.ipmi.port, 623);
        assert_eq!(
            c.ipmi.interface,
            Interface::Lan {
                auth: Some(AuthType::Md5)
            }
        );
        assert_eq!(c.ipmi.privilege, Privilege::User);
        // power_wait is kept aside and the runtime's sleep turned off.
        assert_eq!(o.get(REQUESTED_POWER_WAIT), Some("4"));
        assert_eq!(o.get("power_wait"), Some("0"));
        assert_eq!(o.get("plug"), Some("bmc1"));
    }

    #[test]
    fn personality_defaults_to_lanplus_without_cipher() {
        let p = personality("fence_ilo4");
        let o = parse_args(options(p), &["-a", "h"]).unwrap();
        let c = agent_config(&o, p, None).unwrap();
        assert_eq!(c.ipmi.interface, Interface::LanPlus { cipher: None });
        assert!(c.ipmi.password.is_empty());
    }

    #[test]
    fn port_as_ip() {
        let mut o = parse_args(options(std()), &["--port-as-ip", "-n", "10.1.1.1"]).unwrap();
        adjust(&mut o);
        assert_eq!(o.get("ip"), Some("10.1.1.1"));
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
            let e = agent_config(&o, std(), None).unwrap_err();
            assert!(e.contains(want), "{args:?}: {e}");
        }
        let o = parse_args(options(std()), &["-a", "h", "--hexadecimal-kg=zz99"]).unwrap();
        let e = agent_config(&o, std(), None).unwrap_err();
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
