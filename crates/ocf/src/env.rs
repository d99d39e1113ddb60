//! The action and the OCF environment of one invocation.

use crate::legacy::LegacyMapper;
use crate::{Code, Error, Result};
use ocf_metadata::{Agent, OcfVersion, Values};
use rustha_support::Deadline;
use std::collections::BTreeMap;
use std::time::Duration;

/// The action requested on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Monitor,
    /// heartbeat v1 / LSB-style `status`; most agents treat it as a probe.
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
            Action::Other(s) => s,
        }
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
        self.get("clone_max").and_then(|v| v.parse().ok())
    }

    /// For notify: `pre` or `post`.
    pub fn notify_type(&self) -> Option<&str> {
        self.get("notify_type")
    }

    /// For notify: `start`, `stop`, `promote`, `demote`.
    pub fn notify_operation(&self) -> Option<&str> {
        self.get("notify_operation")
    }
}

/// Everything an action handler needs to know about this invocation.
#[derive(Debug)]
pub struct Invocation {
    pub action: Action,
    pub params: Values,
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
    env: Vec<(String, String)>,
}

impl Invocation {
    pub(crate) fn from_env(
        agent: &'static Agent,
        action: Action,
        env: &[(String, String)],
        positional: &[String],
        legacy: Option<LegacyMapper>,
        ocf_version: OcfVersion,
    ) -> Result<Invocation> {
        let lookup = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let mut raw: BTreeMap<String, String> = BTreeMap::new();
        let mut meta_raw = BTreeMap::new();
        for (k, v) in env {
            if let Some(m) = k.strip_prefix("OCF_RESKEY_CRM_meta_") {
                meta_raw.insert(m.to_string(), v.clone());
            } else if let Some(p) = k.strip_prefix("OCF_RESKEY_") {
                raw.insert(p.to_string(), v.clone());
            }
        }
        let is_legacy = !positional.is_empty();
        if is_legacy {
            let Some(mapper) = legacy else {
                return Err(Error::new(
                    Code::ErrArgs,
                    format!(
                        "{} takes no positional arguments (got {:?}); pass parameters as OCF_RESKEY_* variables",
                        agent.name,
                        positional.join(" ")
                    ),
                ));
            };
            for (k, v) in mapper(positional)? {
                raw.insert(k.to_string(), v);
            }
        }
        let params = Values::parse(agent, raw.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;

        let ms = |v: Option<&String>| v.and_then(|s| s.trim().parse::<u64>().ok());
        let default_timeout = agent
            .action(action.name())
            .map(|a| u64::from(a.timeout) * 1000)
            .unwrap_or(20_000);
        let timeout = Duration::from_millis(
            ms(meta_raw.get("timeout"))
                .unwrap_or(default_timeout)
                .max(1),
        );
        let interval = Duration::from_millis(ms(meta_raw.get("interval")).unwrap_or(0));
        let check_level = lookup("OCF_CHECK_LEVEL")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        Ok(Invocation {
            action,
            params,
            meta: Meta {
                timeout,
                interval,
                raw: meta_raw,
            },
            instance: lookup("OCF_RESOURCE_INSTANCE")
                .unwrap_or(agent.name)
                .to_string(),
            check_level,
            deadline: Deadline::with_margin(timeout),
            legacy: is_legacy,
            ocf_version,
            env: env.to_vec(),
        })
    }

    /// A probe: a one-time monitor Pacemaker uses to learn the current state.
    pub fn is_probe(&self) -> bool {
        matches!(self.action, Action::Monitor | Action::Status) && self.meta.interval.is_zero()
    }

    /// Any environment variable of this invocation (e.g. `HA_RSCTMP`).
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Directory for the agent's runtime state (`HA_RSCTMP`, as the stock agents use).
    pub fn state_dir(&self) -> std::path::PathBuf {
        self.env("HA_RSCTMP")
            .filter(|d| !d.is_empty())
            .unwrap_or("/run/resource-agents")
            .into()
    }
}
