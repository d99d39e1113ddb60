// SPDX-License-Identifier: GPL-2.0-or-later
//! The description of an agent, as data: what the meta-data XML ([`crate::xml`]), the man page
//! ([`crate::man`]) and the parameter parser ([`crate::params`]) are all made from.

/// A resource agent's description: name, texts, parameters, actions.
#[derive(Debug)]
pub struct Agent {
    /// The agent's name as Pacemaker sees it: `ocf:rustha:NAME`.
    pub name: &'static str,
    /// The version of this agent's description (the `version` attribute).
    pub version: &'static str,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
    pub parameters: &'static [Parameter],
    /// The actions a cluster manager may schedule (and `meta-data`, `validate-all`): exactly
    /// what the meta-data lists. The runtime refuses any other action.
    pub actions: &'static [ActionSpec],
    /// Man pages for SEE ALSO besides crm(8), pcs(8) and the stock agent's page, e.g. `ip(8)`.
    pub see_also: &'static [&'static str],
}

impl Agent {
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    pub fn action(&self, name: &str) -> Option<&'static ActionSpec> {
        self.actions.iter().find(|a| a.name == name)
    }
}

/// The type of a parameter's value, as the meta-data announces it.
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
    /// OCF 1.1 `unique-group`: resources of this agent may not share the values of all the
    /// parameters of one group (pcs refuses a second resource with the same `ip`). Rendered as
    /// `unique="1"` for OCF 1.0 callers.
    pub unique_group: Option<&'static str>,
    pub reloadable: bool,
    /// Deprecated in favour of the named parameter (or of nothing: `Some("")`).
    pub deprecated_for: Option<&'static str>,
    pub shortdesc: &'static str,
    pub longdesc: &'static str,
    /// A value for the man page's EXAMPLE section (required parameters need one).
    pub example: Option<&'static str>,
    /// The parameter names the resource: see [`crate::params`] and the stop rule.
    pub identifies: bool,
    /// The agents (by name) that have this parameter; empty: all agents of the declaration.
    pub only_in: &'static [&'static str],
    /// An agent that declares this parameter differently (another name, default, text), e.g.
    /// IPaddr's `ARP_REPEAT` for IPaddr2's `arp_count`: `(agent name, declaration)`.
    pub variant: Option<(&'static str, &'static Parameter)>,
    /// Old names that stand in for this parameter when it is not set (rendered as deprecated
    /// parameters replaced with this one).
    pub old_names: &'static [Parameter],
}

impl Parameter {
    pub const fn new(name: &'static str, kind: Kind, shortdesc: &'static str) -> Self {
        Parameter {
            name,
            kind,
            default: None,
            required: false,
            unique_group: None,
            reloadable: false,
            deprecated_for: None,
            shortdesc,
            longdesc: "",
            example: None,
            identifies: false,
            only_in: &[],
            variant: None,
            old_names: &[],
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
    /// `unique="1"`: a group of its own, named after the parameter.
    pub const fn unique(mut self) -> Self {
        self.unique_group = Some(self.name);
        self
    }
    pub const fn unique_group(mut self, group: &'static str) -> Self {
        self.unique_group = Some(group);
        self
    }
    pub const fn reloadable(mut self) -> Self {
        self.reloadable = true;
        self
    }
    /// The parameter is deprecated in favour of `replacement` ("" for none).
    pub const fn deprecated_for(mut self, replacement: &'static str) -> Self {
        self.deprecated_for = Some(replacement);
        self
    }
    pub const fn long(mut self, longdesc: &'static str) -> Self {
        self.longdesc = longdesc;
        self
    }
    pub const fn example(mut self, value: &'static str) -> Self {
        self.example = Some(value);
        self
    }
    /// This parameter names the resource (with the other identifying ones). When it is
    /// invalid, nothing this agent started can be running: stop succeeds without acting and a
    /// monitor finds the resource stopped. Every other parameter is a side parameter: when it
    /// is invalid, stop and monitor still act, with its default.
    pub const fn identifies(mut self) -> Self {
        self.identifies = true;
        self
    }
    pub const fn only_in(mut self, agents: &'static [&'static str]) -> Self {
        self.only_in = agents;
        self
    }
    pub const fn variant(mut self, agent: &'static str, decl: &'static Parameter) -> Self {
        self.variant = Some((agent, decl));
        self
    }
    pub const fn old_names(mut self, old: &'static [Parameter]) -> Self {
        self.old_names = old;
        self
    }

    /// Whether the parameter is declared as unique (`unique="1"` in OCF 1.0).
    pub fn is_unique(&self) -> bool {
        self.unique_group.is_some()
    }

    /// This declaration as `agent` has it: `None` when the agent lacks the parameter.
    pub fn for_agent(&'static self, agent: &str) -> Option<&'static Parameter> {
        if !self.only_in.is_empty() && !self.only_in.contains(&agent) {
            return None;
        }
        match self.variant {
            Some((name, decl)) if name == agent => Some(decl),
            _ => Some(self),
        }
    }
}

/// One action the agent supports, with the defaults Pacemaker uses for it.
#[derive(Debug, Clone, Copy)]
pub struct ActionSpec {
    pub name: &'static str,
    /// Default timeout in seconds.
    pub timeout: u32,
    /// Default interval in seconds (monitor).
    pub interval: Option<u32>,
    pub depth: Option<u32>,
    /// `Promoted`/`Unpromoted` (rendered as `Master`/`Slave` for OCF 1.0).
    pub role: Option<&'static str>,
}

impl ActionSpec {
    pub const fn new(name: &'static str, timeout: u32) -> Self {
        ActionSpec {
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
    /// OCF 1.1: `reloadable`, `unique-group`, `deprecated`, `select`, `reload-agent`,
    /// Promoted/Unpromoted roles.
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
                .unique()
                .example("10.0.0.1"),
            Parameter::new("cidr_netmask", Kind::Integer, "Netmask bits"),
            Parameter::new("netmask", Kind::Integer, "Old name").deprecated_for("cidr_netmask"),
            Parameter::new("arp_bg", Kind::Boolean, "ARP in background").default("true"),
            Parameter::new("mode", Kind::Select(&["fast", "slow"]), "Mode")
                .default("fast")
                .reloadable(),
        ],
        actions: &[
            ActionSpec::new("start", 20),
            ActionSpec::new("stop", 20),
            ActionSpec::new("monitor", 20).interval(10).depth(0),
            ActionSpec::new("promote", 20).role("Promoted"),
            ActionSpec::new("meta-data", 5),
            ActionSpec::new("validate-all", 20),
            ActionSpec::new("reload-agent", 20),
        ],
        see_also: &["ip(8)"],
    };
}
