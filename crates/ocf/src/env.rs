// SPDX-License-Identifier: GPL-2.0-or-later
//! The action and the OCF environment of one invocation.

use crate::model::{Agent, OcfVersion};
use rustha_support::Deadline;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::time::Duration;

/// The action requested on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Monitor,
    /// heartbeat v1 / LSB-style `status`: a probe that also prints `running` or `stopped`.
    Status,
    Promote,
    Demote,
    Notify,
    Reload,
    ReloadAgent,
    ValidateAll,
    MigrateTo,
    MigrateFrom,
    MetaData,
    Usage,
    Methods,
    /// Print the man page (hidden: not in the meta-data; packaging calls it).
    Manpage,
    Other(String),
}

impl Action {
    pub fn parse(word: &str) -> Action {
        match word {
            "start" => Action::Start,
            "stop" => Action::Stop,
            "monitor" => Action::Monitor,
            "status" => Action::Status,
            "promote" => Action::Promote,
            "demote" => Action::Demote,
            "notify" => Action::Notify,
            "reload" => Action::Reload,
            "reload-agent" => Action::ReloadAgent,
            "validate-all" => Action::ValidateAll,
            "migrate_to" => Action::MigrateTo,
            "migrate_from" => Action::MigrateFrom,
            "meta-data" | "metadata" => Action::MetaData,
            "usage" | "help" | "--help" | "-h" => Action::Usage,
            "methods" => Action::Methods,
            "manpage" | "--manpage" => Action::Manpage,
            other => Action::Other(other.to_string()),
        }
    }

    /// The action's name as in the meta-data.
    pub fn name(&self) -> &str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Monitor => "monitor",
            Action::Status => "status",
            Action::Promote => "promote",
            Action::Demote => "demote",
            Action::Notify => "notify",
            Action::Reload => "reload",
            Action::ReloadAgent => "reload-agent",
            Action::ValidateAll => "validate-all",
            Action::MigrateTo => "migrate_to",
            Action::MigrateFrom => "migrate_from",
            Action::MetaData => "meta-data",
            Action::Usage => "usage",
            Action::Methods => "methods",
            Action::Manpage => "manpage",
            Action::Other(s) => s,
        }
    }

    /// Actions that only print information: always available, never listed as operations
    /// (except meta-data, which the meta-data lists).
    pub fn is_informational(&self) -> bool {
        matches!(
            self,
            Action::MetaData | Action::Usage | Action::Methods | Action::Manpage
        )
    }
}

/// Pacemaker's meta attributes for the operation (`OCF_RESKEY_CRM_meta_*`).
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The operation's timeout (the meta attribute, else the action's default in the meta-data).
    pub timeout: Duration,
    /// The monitor interval; zero for probes and non-recurring operations.
    pub interval: Duration,
    raw: BTreeMap<String, String>,
}

impl Meta {
    /// A meta attribute by its name without the prefix, e.g. `clone_max`, `notify_type`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw.get(name).map(String::as_str)
    }

    /// Whether the resource is a clone (`clone_max` is set).
    pub fn is_clone(&self) -> bool {
        self.get("clone_max").is_some()
    }

    pub fn clone_max(&self) -> Option<u32> {
        self.number(&["clone_max"])
    }

    /// `clone_node_max`: instances per node.
    pub fn clone_node_max(&self) -> Option<u32> {
        self.number(&["clone_node_max"])
    }

    /// `promoted_max` (Pacemaker 2.1), else the legacy `master_max`: promoted instances in the
    /// cluster.
    pub fn promoted_max(&self) -> Option<u32> {
        self.number(&["promoted_max", "master_max"])
    }

    /// `promoted_node_max`, else the legacy `master_node_max`.
    pub fn promoted_node_max(&self) -> Option<u32> {
        self.number(&["promoted_node_max", "master_node_max"])
    }

    /// `on_node`: the node the operation runs on, as Pacemaker names it.
    pub fn on_node(&self) -> Option<&str> {
        self.get("on_node").map(str::trim).filter(|n| !n.is_empty())
    }

    fn number(&self, names: &[&str]) -> Option<u32> {
        names
            .iter()
            .find_map(|n| self.get(n))
            .and_then(|v| v.trim().parse().ok())
    }

    /// The clone instance number (`clone`), if any.
    pub fn clone_number(&self) -> Option<u32> {
        self.get("clone").and_then(|v| v.trim().parse().ok())
    }

    /// `globally_unique` as `ocf_is_true` reads it.
    pub fn globally_unique(&self) -> bool {
        self.get("globally_unique")
            .and_then(|v| rustha_support::parse_bool(v, rustha_support::Dialect::Ocf))
            .unwrap_or(false)
    }

    /// For notify: `pre` or `post`.
    pub fn notify_type(&self) -> Option<&str> {
        self.get("notify_type")
    }

    /// For notify: `start`, `stop`, `promote`, `demote`.
    pub fn notify_operation(&self) -> Option<&str> {
        self.get("notify_operation")
    }

    /// Meta attributes from `(name, value)` pairs (names without the `CRM_meta_` prefix), with
    /// a 20 s timeout: for agents' unit tests.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Meta {
        let raw = pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Meta::from_raw(raw, Duration::from_secs(20))
    }

    pub(crate) fn from_raw(raw: BTreeMap<String, String>, timeout: Duration) -> Meta {
        let interval = raw
            .get("interval")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Meta {
            timeout,
            interval: Duration::from_millis(interval),
            raw,
        }
    }
}

/// Everything an action needs to know about this invocation, besides its parameters.
#[derive(Debug)]
pub struct Context {
    pub action: Action,
    /// The agent's name (`IPaddr2`, `IPaddr`, ...).
    pub agent: &'static str,
    pub meta: Meta,
    /// `OCF_RESOURCE_INSTANCE`, or the agent's name when unset.
    pub instance: String,
    /// `OCF_CHECK_LEVEL`: monitor depth (0, 10, 20).
    pub check_level: u32,
    /// When the agent must have answered by: the operation timeout minus a safety margin.
    pub deadline: Deadline,
    /// Called the heartbeat v1 way, with positional parameters.
    pub legacy: bool,
    pub ocf_version: OcfVersion,
    env: Vec<(OsString, OsString)>,
}

impl Context {
    /// A probe: a one-time monitor Pacemaker uses to learn the current state (also heartbeat's
    /// `status`).
    pub fn is_probe(&self) -> bool {
        matches!(self.action, Action::Monitor | Action::Status) && self.meta.interval.is_zero()
    }

    /// Any environment variable of this invocation (e.g. `HA_RSCTMP`); `None` when unset or
    /// not valid UTF-8.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env_os(name).and_then(OsStr::to_str)
    }

    /// An environment variable as the OS gave it.
    pub fn env_os(&self, name: &str) -> Option<&OsStr> {
        self.env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_os_str())
    }

    /// Directory for the agent's runtime state (`HA_RSCTMP`, as the stock agents use).
    pub fn state_dir(&self) -> std::path::PathBuf {
        self.env("HA_RSCTMP")
            .filter(|d| !d.is_empty())
            .unwrap_or("/run/resource-agents")
            .into()
    }

    /// The resource's name without a clone instance suffix (`drbd0` for `drbd0:1`).
    pub fn resource_name(&self) -> &str {
        self.instance
            .split_once(':')
            .map(|(n, _)| n)
            .unwrap_or(&self.instance)
    }
}

/// The environment of one invocation as the runtime reads it: the parameters' raw values,
/// the meta attributes, everything else.
pub(crate) struct Environment {
    pub vars: Vec<(OsString, OsString)>,
    pub params: crate::params::RawValues,
    pub meta: BTreeMap<String, String>,
}

impl Environment {
    pub fn read(vars: Vec<(OsString, OsString)>) -> Environment {
        let mut params = BTreeMap::new();
        let mut meta = BTreeMap::new();
        for (k, v) in &vars {
            // A name that is not UTF-8 cannot be one of our parameters.
            let Some(k) = k.to_str() else { continue };
            if let Some(m) = k.strip_prefix("OCF_RESKEY_CRM_meta_") {
                meta.insert(m.to_string(), v.to_string_lossy().into_owned());
            } else if let Some(p) = k.strip_prefix("OCF_RESKEY_") {
                params.insert(p.to_string(), v.clone());
            }
        }
        Environment { vars, params, meta }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.to_str())
    }

    /// The operation's timeout: `OCF_RESKEY_CRM_meta_timeout` in milliseconds, else the
    /// action's default. 0, negative and garbage values get the default and one warning.
    pub fn timeout(&self, agent: &Agent, action: &Action) -> (Duration, Option<String>) {
        let default_ms = agent
            .action(action.name())
            .or_else(|| {
                agent
                    .action("monitor")
                    .filter(|_| *action == Action::Status)
            })
            .map(|a| u64::from(a.timeout) * 1000)
            .unwrap_or(20_000);
        let default = Duration::from_millis(default_ms);
        match self.meta.get("timeout").map(|s| s.trim()) {
            None | Some("") => (default, None),
            Some(s) => match s.parse::<u64>() {
                Ok(ms) if ms > 0 => (Duration::from_millis(ms), None),
                _ => (
                    default,
                    Some(format!(
                        "ignoring CRM_meta_timeout \"{}\" (expected a positive number of milliseconds); using the default {}s",
                        rustha_support::text::shown(s),
                        default.as_secs()
                    )),
                ),
            },
        }
    }

    pub fn context(
        &self,
        agent: &'static Agent,
        action: Action,
        legacy: bool,
        version: OcfVersion,
        timeout: Duration,
    ) -> Context {
        Context {
            action,
            agent: agent.name,
            meta: Meta::from_raw(self.meta.clone(), timeout),
            instance: self
                .get("OCF_RESOURCE_INSTANCE")
                .filter(|s| !s.is_empty())
                .unwrap_or(agent.name)
                .to_string(),
            check_level: self
                .get("OCF_CHECK_LEVEL")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            deadline: Deadline::with_margin(timeout),
            legacy,
            ocf_version: version,
            env: self.vars.clone(),
        }
    }
}
