//! One declarative description per agent, and everything derived from it.
//!
//! An agent is described once, as an [`Agent`] value: its parameters (type, default, required,
//! unique, reloadable, deprecation, descriptions) and its actions (timeouts, intervals, depth,
//! role). From that single description come:
//! - the `meta-data` XML ([`xml::render`]): valid against resource-agents' `ra-api-1.dtd` for
//!   OCF 1.0 callers (what `ocf-tester` checks), with `reloadable`, `select` and `reload-agent`
//!   for OCF 1.1 callers;
//! - parameter parsing and validation ([`Values::parse`]), so what the agent accepts cannot drift
//!   from what it advertises;
//! - the man page ([`man::render`]).

pub mod agents;
pub mod man;
mod values;
pub mod xml;

pub use values::{parse_bool, ParamError, Values};

/// A resource agent's description.
#[derive(Debug)]
pub struct Agent {
    /// The agent's name as Pacemaker sees it: `ocf:rustha:NAME`.
    pub name: &'static str,
    /// The version of this agent's description (the `version` attribute).
    pub version: &'static str,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
    pub parameters: &'static [Parameter],
    pub actions: &'static [Action],
}

impl Agent {
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    pub fn action(&self, name: &str) -> Option<&'static Action> {
        self.actions.iter().find(|a| a.name == name)
    }
}

/// The type of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    /// `true`/`false` and the spellings `ocf_is_true` accepts (yes, 1, on, ...).
    Boolean,
    /// One of a fixed set of values (rendered as `select` for OCF 1.1, `string` for 1.0).
    Select(&'static [&'static str]),
}

/// One parameter. Build with [`Parameter::new`] and the builder methods, in a `const`.
#[derive(Debug, Clone, Copy)]
pub struct Parameter {
    pub name: &'static str,
    pub kind: Kind,
    pub default: Option<&'static str>,
    pub required: bool,
    pub unique: bool,
    pub reloadable: bool,
    /// Deprecated in favour of the named parameter (or of nothing: `Some("")`).
    pub deprecated_for: Option<&'static str>,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
}

impl Parameter {
    pub const fn new(name: &'static str, kind: Kind, shortdesc: &'static str) -> Self {
        Parameter {
            name,
            kind,
            default: None,
            required: false,
            unique: false,
            reloadable: false,
            deprecated_for: None,
            shortdesc,
            longdesc: "",
        }
    }
    pub const fn default(mut self, v: &'static str) -> Self {
        self.default = Some(v);
        self
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    pub const fn reloadable(mut self) -> Self {
        self.reloadable = true;
        self
    }
    /// The parameter is an old name of `replacement`: a value given under this name is used as
    /// the value of `replacement` unless that is set too.
    pub const fn deprecated_for(mut self, replacement: &'static str) -> Self {
        self.deprecated_for = Some(replacement);
        self
    }
    pub const fn long(mut self, longdesc: &'static str) -> Self {
        self.longdesc = longdesc;
        self
    }
}

/// One action the agent supports, with the defaults Pacemaker uses for it.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub name: &'static str,
    /// Default timeout in seconds.
    pub timeout: u32,
    /// Default interval in seconds (monitor).
    pub interval: Option<u32>,
    pub depth: Option<u32>,
    /// `Promoted`/`Unpromoted` (rendered as `Master`/`Slave` for OCF 1.0).
    pub role: Option<&'static str>,
}

impl Action {
    pub const fn new(name: &'static str, timeout: u32) -> Self {
        Action {
            name,
            timeout,
            interval: None,
            depth: None,
            role: None,
        }
    }
    pub const fn interval(mut self, s: u32) -> Self {
        self.interval = Some(s);
        self
    }
    pub const fn depth(mut self, d: u32) -> Self {
        self.depth = Some(d);
        self
    }
    pub const fn role(mut self, r: &'static str) -> Self {
        self.role = Some(r);
        self
    }
}

/// Which flavour of meta-data the caller understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcfVersion {
    /// OCF 1.0: `ra-api-1.dtd` as resource-agents ships it (ocf-tester validates against it).
    V1_0,
    /// OCF 1.1: `reloadable`, `deprecated`, `select`, `reload-agent`, Promoted/Unpromoted roles.
    V1_1,
}

impl OcfVersion {
    /// From `OCF_RA_VERSION_MAJOR`/`OCF_RA_VERSION_MINOR` as Pacemaker sets them.
    pub fn from_env_values(major: Option<&str>, minor: Option<&str>) -> Self {
        let num = |v: Option<&str>| v.and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(0);
        if num(major) > 1 || (num(major) == 1 && num(minor) >= 1) {
            OcfVersion::V1_1
        } else {
            OcfVersion::V1_0
        }
    }
}

#[cfg(test)]
pub(crate) mod testdata {
    use super::*;

    pub const DUMMY: Agent = Agent {
        name: "Dummy",
        version: "1.0",
        shortdesc: "Example & test agent",
        longdesc: "An agent <for> tests.",
        parameters: &[
            Parameter::new("ip", Kind::String, "IP address")
                .required()
                .unique(),
            Parameter::new("cidr_netmask", Kind::Integer, "Netmask bits"),
            Parameter::new("netmask", Kind::Integer, "Old name").deprecated_for("cidr_netmask"),
            Parameter::new("arp_bg", Kind::Boolean, "ARP in background").default("true"),
            Parameter::new("mode", Kind::Select(&["fast", "slow"]), "Mode")
                .default("fast")
                .reloadable(),
        ],
        actions: &[
            Action::new("start", 20),
            Action::new("stop", 20),
            Action::new("monitor", 20).interval(10).depth(0),
            Action::new("promote", 20).role("Promoted"),
            Action::new("meta-data", 5),
            Action::new("validate-all", 20),
            Action::new("reload-agent", 20),
        ],
    };
}
