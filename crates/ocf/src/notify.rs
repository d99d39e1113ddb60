// SPDX-License-Identifier: GPL-2.0-or-later
//! A typed view of a `notify` action: Pacemaker's `OCF_RESKEY_CRM_meta_notify_*` variables.
//!
//! Pacemaker 2.1 names the roles `promoted`/`unpromoted`; older versions (and still many
//! configurations) use `master`/`slave`. Both are read; the new names win when both are set.

use crate::env::{Context, Meta};

impl Context {
    /// The notification of a `notify` action (Pacemaker's `notify_*` meta attributes).
    pub fn notification(&self) -> Option<Notification> {
        Notification::from_meta(&self.meta)
    }
}

/// Before or after the operation the notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Pre,
    Post,
}

/// The operation the notification is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Start,
    Stop,
    Promote,
    Demote,
    Other(String),
}

/// Clone instances (`resource`, e.g. `drbd0:1`) and the nodes they are on (`uname`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instances {
    pub resources: Vec<String>,
    pub unames: Vec<String>,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub when: When,
    pub operation: Operation,
    /// Instances being started, stopped, promoted, demoted by this transition.
    pub start: Instances,
    pub stop: Instances,
    pub promote: Instances,
    pub demote: Instances,
    /// Instances active, promoted (master), unpromoted (slave) before the transition.
    pub active: Instances,
    pub promoted: Instances,
    pub unpromoted: Instances,
    /// Nodes that could run an instance; every node of the cluster.
    pub available_unames: Vec<String>,
    pub all_unames: Vec<String>,
}

fn words(meta: &Meta, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .find_map(|n| {
            meta.get(&format!("notify_{n}"))
                .filter(|v| !v.trim().is_empty())
        })
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn instances(meta: &Meta, names: &[&str]) -> Instances {
    let with = |suffix: &str| -> Vec<String> {
        let keys: Vec<String> = names.iter().map(|n| format!("{n}_{suffix}")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        words(meta, &keys)
    };
    Instances {
        resources: with("resource"),
        unames: with("uname"),
    }
}

impl Notification {
    /// `None` when the meta attributes hold no notification (not a notify action).
    pub fn from_meta(meta: &Meta) -> Option<Notification> {
        let when = match meta.notify_type()?.trim() {
            "pre" => When::Pre,
            "post" => When::Post,
            _ => return None,
        };
        let operation = match meta.notify_operation().unwrap_or("").trim() {
            "start" => Operation::Start,
            "stop" => Operation::Stop,
            "promote" => Operation::Promote,
            "demote" => Operation::Demote,
            other => Operation::Other(other.to_string()),
        };
        Some(Notification {
            when,
            operation,
            start: instances(meta, &["start"]),
            stop: instances(meta, &["stop"]),
            promote: instances(meta, &["promote"]),
            demote: instances(meta, &["demote"]),
            active: instances(meta, &["active"]),
            promoted: instances(meta, &["promoted", "master"]),
            unpromoted: instances(meta, &["unpromoted", "slave"]),
            available_unames: words(meta, &["available_uname"]),
            all_unames: words(meta, &["all_uname"]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn meta(pairs: &[(&str, &str)]) -> Meta {
        let raw: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Meta::from_raw(raw, Duration::from_secs(20))
    }

    #[test]
    fn post_promote_with_new_and_legacy_names() {
        let m = meta(&[
            ("notify_type", "post"),
            ("notify_operation", "promote"),
            ("notify_promote_resource", "drbd0:1 "),
            ("notify_promote_uname", "node2"),
            ("notify_master_uname", "node1"),
            ("notify_slave_uname", "node2 node3"),
            ("notify_active_uname", "node1 node2 node3"),
            ("notify_all_uname", "node1 node2 node3 node4"),
        ]);
        let n = Notification::from_meta(&m).unwrap();
        assert_eq!((n.when, &n.operation), (When::Post, &Operation::Promote));
        assert_eq!(n.promote.resources, ["drbd0:1"]);
        assert_eq!(n.promote.unames, ["node2"]);
        assert_eq!(n.promoted.unames, ["node1"], "legacy master_uname");
        assert_eq!(n.unpromoted.unames, ["node2", "node3"]);
        assert_eq!(n.all_unames.len(), 4);
        assert!(n.stop.unames.is_empty());
        let m = meta(&[
            ("notify_type", "pre"),
            ("notify_operation", "demote"),
            ("notify_promoted_uname", "nodeA"),
            ("notify_master_uname", "nodeB"),
        ]);
        let n = Notification::from_meta(&m).unwrap();
        assert_eq!(n.promoted.unames, ["nodeA"], "the new name wins");
        assert_eq!(n.when, When::Pre);
    }

    #[test]
    fn promotable_clone_meta_attributes_new_and_legacy_names() {
        let m = meta(&[
            ("clone_max", "2"),
            ("clone_node_max", "1"),
            ("master_max", "1"),
            ("promoted_node_max", "1"),
            ("on_node", "node1"),
        ]);
        assert_eq!(
            (
                m.clone_max(),
                m.clone_node_max(),
                m.promoted_max(),
                m.promoted_node_max(),
                m.on_node()
            ),
            (Some(2), Some(1), Some(1), Some(1), Some("node1"))
        );
        assert_eq!(
            meta(&[("promoted_max", "2"), ("master_max", "1")]).promoted_max(),
            Some(2)
        );
    }

    #[test]
    fn not_a_notification() {
        assert_eq!(Notification::from_meta(&meta(&[])), None);
        assert_eq!(
            Notification::from_meta(&meta(&[("notify_type", "sometimes")])),
            None
        );
    }
}
