// SPDX-License-Identifier: GPL-2.0-or-later
//! The Pacemaker configuration both translators build and every renderer prints: resources,
//! constraints, properties, plus what could not be translated (never dropped silently).

use std::collections::BTreeSet;

/// A resource agent as Pacemaker names it: `ocf:rustha:IPaddr2`, `lsb:httpd`, `systemd:httpd`,
/// `stonith:fence_na`, `stonith:external/ssh`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    Ocf { provider: String, kind: String },
    Lsb(String),
    Systemd(String),
    Stonith(String),
}

impl Agent {
    pub fn ocf(provider: &str, kind: &str) -> Agent {
        Agent::Ocf {
            provider: provider.into(),
            kind: kind.into(),
        }
    }
    pub fn class(&self) -> &str {
        match self {
            Agent::Ocf { .. } => "ocf",
            Agent::Lsb(_) => "lsb",
            Agent::Systemd(_) => "systemd",
            Agent::Stonith(_) => "stonith",
        }
    }
    pub fn kind(&self) -> &str {
        match self {
            Agent::Ocf { kind, .. } => kind,
            Agent::Lsb(k) | Agent::Systemd(k) | Agent::Stonith(k) => k,
        }
    }
    pub fn provider(&self) -> Option<&str> {
        match self {
            Agent::Ocf { provider, .. } => Some(provider),
            _ => None,
        }
    }
    pub fn is_stonith(&self) -> bool {
        matches!(self, Agent::Stonith(_))
    }
}

impl std::fmt::Display for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Agent::Ocf { provider, kind } => write!(f, "ocf:{provider}:{kind}"),
            other => write!(f, "{}:{}", other.class(), other.kind()),
        }
    }
}

/// One operation: `op monitor interval=10s timeout=20s [role=Promoted] [on-fail=fence]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub name: String,
    pub interval: String,
    pub timeout: Option<String>,
    pub role: Option<String>,
    pub on_fail: Option<String>,
}

impl Op {
    /// The attributes after the name, in the order every renderer prints them: interval, then
    /// timeout, role, on-fail when set.
    pub fn attrs(&self) -> Vec<(&'static str, &str)> {
        let mut a = vec![("interval", self.interval.as_str())];
        for (k, v) in [
            ("timeout", &self.timeout),
            ("role", &self.role),
            ("on-fail", &self.on_fail),
        ] {
            if let Some(v) = v {
                a.push((k, v.as_str()));
            }
        }
        a
    }

    /// `name k=v ...` as crm and pcs write an operation.
    pub fn words(&self) -> String {
        let mut w = self.name.clone();
        for (k, v) in self.attrs() {
            w.push_str(&format!(" {k}={v}"));
        }
        w
    }

    pub fn monitor(interval: &str, timeout: &str) -> Op {
        Op {
            name: "monitor".into(),
            interval: interval.into(),
            timeout: Some(timeout.into()),
            role: None,
            on_fail: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Primitive {
    pub id: String,
    pub agent: Agent,
    pub params: Vec<(String, String)>,
    pub meta: Vec<(String, String)>,
    pub ops: Vec<Op>,
}

impl Primitive {
    pub fn new(id: &str, agent: Agent) -> Primitive {
        Primitive {
            id: id.into(),
            agent,
            params: Vec::new(),
            meta: Vec::new(),
            ops: Vec::new(),
        }
    }
    pub fn param(mut self, k: &str, v: &str) -> Primitive {
        self.params.push((k.into(), v.into()));
        self
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub members: Vec<String>,
    pub meta: Vec<(String, String)>,
}

/// A promotable clone of one primitive; its id is `<primitive>-clone` (what pcs names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotable {
    pub id: String,
    pub rsc: String,
    pub meta: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `rsc` prefers `node` with `score` (negative: avoids).
    Location {
        id: String,
        rsc: String,
        node: String,
        score: String,
    },
    /// `rsc` may run only on `nodes` (a rule: -INFINITY wherever #uname is none of them).
    OnlyOn {
        id: String,
        rsc: String,
        nodes: Vec<String>,
    },
    /// `then` starts after `first` is promoted (mandatory).
    PromoteBeforeStart {
        id: String,
        first: String,
        then: String,
    },
    /// `rsc` runs where `with` is promoted.
    WithPromoted {
        id: String,
        rsc: String,
        with: String,
    },
}

/// One fencing level: `index` for `target`, all of `devices` must succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FencingLevel {
    pub target: String,
    pub index: u32,
    pub devices: Vec<String>,
}

/// Something of the source configuration that the output does not carry: where, what, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslated {
    pub source: String,
    pub item: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// What it was made from, for the header.
    pub origin: String,
    pub nodes: Vec<String>,
    pub properties: Vec<(String, String)>,
    pub rsc_defaults: Vec<(String, String)>,
    pub primitives: Vec<Primitive>,
    pub groups: Vec<Group>,
    pub promotables: Vec<Promotable>,
    pub constraints: Vec<Constraint>,
    pub fencing_levels: Vec<FencingLevel>,
    /// Items left out, each with its reason. Non-empty: the migration needs work by hand.
    pub untranslated: Vec<Untranslated>,
    /// Translated, but the admin should know (assumptions, settings that live in corosync.conf).
    pub notes: Vec<String>,
    ids: BTreeSet<String>,
}

impl Config {
    pub fn new(origin: &str) -> Config {
        Config {
            origin: origin.into(),
            ..Config::default()
        }
    }

    /// A unique, valid XML id made from `base` (letters, digits, `_`, `-`, `.`; never starting
    /// with a digit, `-` or `.`), reserved on return.
    pub fn unique_id(&mut self, base: &str) -> String {
        let mut id: String = base
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        while id.contains("__") {
            id = id.replace("__", "_");
        }
        let id = id.trim_matches('_').to_string();
        let mut id = if id.is_empty() { "rsc".to_string() } else { id };
        if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            id = format!("r{id}");
        }
        let mut candidate = id.clone();
        let mut n = 2;
        while self.ids.contains(&candidate) {
            candidate = format!("{id}-{n}");
            n += 1;
        }
        self.ids.insert(candidate.clone());
        candidate
    }

    pub fn untranslated(&mut self, source: &str, item: &str, reason: impl Into<String>) {
        self.untranslated.push(Untranslated {
            source: source.into(),
            item: item.into(),
            reason: reason.into(),
        });
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    pub fn property(&mut self, k: &str, v: &str) {
        self.properties.retain(|(n, _)| n != k);
        self.properties.push((k.into(), v.into()));
    }

    pub fn primitive(&self, id: &str) -> Option<&Primitive> {
        self.primitives.iter().find(|p| p.id == id)
    }

    pub fn has_fencing(&self) -> bool {
        self.primitives.iter().any(|p| p.agent.is_stonith())
    }
}

/// Parameter names whose values are secrets: never on a command line, never in a message.
pub fn is_secret(name: &str) -> bool {
    matches!(
        name,
        "password" | "passwd" | "passwd_script" | "password_script"
    ) || name.ends_with("password")
        || name.ends_with("passwd")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_unique() {
        let mut c = Config::new("t");
        assert_eq!(c.unique_id("ip 10.0.0.1/24"), "ip_10.0.0.1_24");
        assert_eq!(c.unique_id("10.0.0.1"), "r10.0.0.1");
        assert_eq!(c.unique_id("fs//srv/data"), "fs_srv_data");
        assert_eq!(c.unique_id("fs//srv/data"), "fs_srv_data-2");
        assert_eq!(c.unique_id(""), "rsc");
        assert_eq!(c.unique_id("-x"), "r-x");
    }

    #[test]
    fn agent_names() {
        assert_eq!(
            Agent::ocf("rustha", "IPaddr2").to_string(),
            "ocf:rustha:IPaddr2"
        );
        assert_eq!(Agent::Lsb("httpd".into()).to_string(), "lsb:httpd");
        assert_eq!(
            Agent::Stonith("external/ssh".into()).to_string(),
            "stonith:external/ssh"
        );
        assert!(is_secret("passwd") && is_secret("password") && !is_secret("login"));
    }
}
