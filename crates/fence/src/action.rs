// SPDX-License-Identifier: GPL-2.0-or-later
//! The actions of the Fence Agent API, typed.

use crate::agent::{AgentInfo, FenceError};
use crate::text::shown;

/// One action: a standard one, or one of the agent's [`crate::ExtraAction`]s (by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    On,
    Off,
    Reboot,
    Status,
    List,
    ListStatus,
    Monitor,
    Metadata,
    Manpage,
    ValidateAll,
    Extra(&'static str),
}

impl Action {
    /// The standard actions, in the order fence-agents lists them.
    pub const STANDARD: [Action; 10] = [
        Action::On,
        Action::Off,
        Action::Reboot,
        Action::Status,
        Action::List,
        Action::ListStatus,
        Action::Monitor,
        Action::Metadata,
        Action::Manpage,
        Action::ValidateAll,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::On => "on",
            Action::Off => "off",
            Action::Reboot => "reboot",
            Action::Status => "status",
            Action::List => "list",
            Action::ListStatus => "list-status",
            Action::Monitor => "monitor",
            Action::Metadata => "metadata",
            Action::Manpage => "manpage",
            Action::ValidateAll => "validate-all",
            Action::Extra(name) => name,
        }
    }

    /// The action named `word` (`meta-data` is `metadata`), or an error listing them all.
    pub fn parse<A>(word: &str, info: &AgentInfo<A>) -> Result<Action, FenceError> {
        let word = word.trim();
        if word == "meta-data" {
            return Ok(Action::Metadata);
        }
        if let Some(a) = Action::STANDARD.iter().find(|a| a.name() == word) {
            return Ok(*a);
        }
        if let Some(e) = info.extra(word) {
            return Ok(Action::Extra(e.name));
        }
        let all: Vec<&str> = Action::STANDARD
            .iter()
            .map(|a| a.name())
            .chain(info.extra_actions.iter().map(|a| a.name))
            .collect();
        Err(FenceError::new(format!(
            "action '{}' is unknown (expected one of: {})",
            shown(word),
            all.join(", ")
        )))
    }

    /// Whether the action fences (the `delay` option applies to it).
    pub fn fences(self) -> bool {
        matches!(self, Action::Off | Action::Reboot)
    }

    /// Whether the action ignores the plug (fence-agents: list, list-status, monitor).
    pub fn ignores_plug(self) -> bool {
        matches!(self, Action::List | Action::ListStatus | Action::Monitor)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
