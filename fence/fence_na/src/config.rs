// SPDX-License-Identifier: GPL-2.0-or-later
//! `/etc/na/fence_na.conf`, the 1.1.6 agent's configuration file: `key = value` lines with `::`
//! nesting, `#` comments.
//!
//! ```text
//! system::username = motoko
//! system::password = secret
//! na::1::ipaddr    = 192.168.1.66
//! na::1::tcp_port  = 238
//! na::1::max_nodes = 4
//! na::1::alias::1  = an-node01.alteeve.com
//! ```

use rustha_support::Secret;
use std::collections::BTreeMap;

pub const DEFAULT_PATH: &str = "/etc/na/fence_na.conf";

/// One `na::N::` device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Device {
    pub ipaddr: Option<String>,
    pub tcp_port: Option<u16>,
    pub max_nodes: Option<u8>,
    /// Node number → alias.
    pub aliases: BTreeMap<u8, String>,
    /// Nodes whose alias is the placeholder `unused`.
    pub unused: std::collections::BTreeSet<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct NaConfig {
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub devices: BTreeMap<u32, Device>,
}

impl NaConfig {
    /// The device for address `ip`, or without one, the first device that has an address.
    pub fn device(&self, ip: Option<&str>) -> Option<&Device> {
        match ip {
            Some(ip) => self.devices.values().find(|d| {
                d.ipaddr
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(ip))
            }),
            None => self.devices.values().find(|d| d.ipaddr.is_some()),
        }
    }
}

/// Parse the file's text; `origin` names it in errors (`/etc/na/fence_na.conf line 3: ...`).
pub fn parse(text: &str, origin: &str) -> Result<NaConfig, String> {
    let mut c = NaConfig::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{origin} line {}", i + 1);
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("{}: '{}' is not 'key = value'", at(), clip(line)));
        };
        let key = k.trim();
        let mut value = v.trim();
        if value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')))
        {
            value = &value[1..value.len() - 1];
        }
        let parts: Vec<&str> = key.split("::").map(str::trim).collect();
        match parts.as_slice() {
            ["system", "username"] => c.username = Some(value.to_string()),
            ["system", "password"] => c.password = Some(Secret::new(value)),
            ["na", n, rest @ ..] => {
                let n: u32 = n.parse().map_err(|_| {
                    format!(
                        "{}: '{key}': expected na::NUMBER::..., e.g. na::1::ipaddr",
                        at()
                    )
                })?;
                let d = c.devices.entry(n).or_default();
                match rest {
                    ["ipaddr"] => d.ipaddr = Some(value.to_string()),
                    ["tcp_port"] => {
                        d.tcp_port =
                            Some(value.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
                                format!(
                                    "{}: {key} '{}' is not a TCP port (expected 1..65535)",
                                    at(),
                                    clip(value)
                                )
                            })?)
                    }
                    ["max_nodes"] => {
                        d.max_nodes = Some(
                            value
                                .parse()
                                .ok()
                                .filter(|m| (1..=tnap::MAX_NODE).contains(m))
                                .ok_or_else(|| {
                                    format!(
                                        "{}: {key} '{}' is not a node count (expected 1..99)",
                                        at(),
                                        clip(value)
                                    )
                                })?,
                        )
                    }
                    ["alias", m] => {
                        let m: u8 = m
                            .parse()
                            .ok()
                            .filter(|m| (1..=tnap::MAX_NODE).contains(m))
                            .ok_or_else(|| {
                                format!(
                                    "{}: '{key}': expected na::N::alias::NODE with NODE 1..99",
                                    at()
                                )
                            })?;
                        // The 1.1.6 sample configuration names nodes not in use `unused`:
                        // not a host name; such nodes are left out of list and gethosts.
                        if value.eq_ignore_ascii_case("unused") {
                            d.unused.insert(m);
                        } else {
                            d.aliases.insert(m, value.to_string());
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(c)
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_1_1_6_format() {
        let c = parse(
            "# Node Assassin\nsystem::username = motoko\nsystem::password = \"sec ret\"\n\nna::1::ipaddr = 192.168.1.66\nna::1::tcp_port=2380\nna::1::max_nodes = 4\nna::1::alias::1 = an-node01.alteeve.com\nna::1::alias::2 = an-node02.alteeve.com\nna::2::ipaddr = 10.0.0.2\nunknown::thing = x\n",
            "t.conf",
        )
        .unwrap();
        assert_eq!(c.username.as_deref(), Some("motoko"));
        assert_eq!(c.password.as_ref().unwrap().expose(), "sec ret");
        let d = c.device(None).unwrap();
        assert_eq!(d.tcp_port, Some(2380));
        assert_eq!(d.max_nodes, Some(4));
        assert_eq!(
            d.aliases.get(&2).map(String::as_str),
            Some("an-node02.alteeve.com")
        );
        assert!(c.device(Some("10.0.0.2")).unwrap().aliases.is_empty());
        assert!(c.device(Some("10.9.9.9")).is_none());
    }

    #[test]
    fn errors_name_line_and_value() {
        assert_eq!(
            parse("\nna::1::tcp_port = abc\n", "f").unwrap_err(),
            "f line 2: na::1::tcp_port 'abc' is not a TCP port (expected 1..65535)"
        );
        assert!(parse("na::1::max_nodes = 100", "f")
            .unwrap_err()
            .contains("'100' is not a node count"));
        assert!(parse("na::x::ipaddr = a", "f")
            .unwrap_err()
            .contains("expected na::NUMBER"));
        assert!(parse("justtext", "f")
            .unwrap_err()
            .contains("is not 'key = value'"));
        assert!(parse("na::1::alias::0 = a", "f").is_err());
    }

    #[test]
    fn password_never_in_errors() {
        let c = parse("system::password = hunter2\n", "f").unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    /// Deterministic pseudo-random config text: the parser never panics.
    #[test]
    fn never_panics() {
        let mut rng = rustha_testkit::XorShift::new(0xdead_beef_cafe_f00d);
        let mut next = || rng.next_u64();
        let pieces = [
            "na",
            "::",
            "1",
            "99",
            "300",
            "alias",
            "ipaddr",
            "tcp_port",
            "max_nodes",
            "system",
            "username",
            "password",
            "=",
            " ",
            "\n",
            "#",
            "\"",
            "'",
            "x",
            "\u{e9}",
            "-1",
        ];
        for _ in 0..20_000 {
            let n = next() % 24;
            let text: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            if let Ok(c) = parse(&text, "f") {
                let _ = c.device(None);
                let _ = c.device(Some("x"));
            }
        }
    }
}
