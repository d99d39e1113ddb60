// SPDX-License-Identifier: GPL-2.0-or-later
//! `drbdsetup events2 --now [--statistics] RES`: one object per line,
//! `exists resource name:r0 role:Primary suspended:no`, ended by `exists -`.
//!
//! DRBD 9 prints it natively; drbd-utils 9 answers it for an 8.4 kernel too (recorded in the
//! fixtures). A stream of `create`/`change`/`destroy` lines (events2 without `--now`) is applied
//! in order; `change` lines carry only the fields that changed. A leading timestamp
//! (`--timestamps`) is skipped. Lines of other resources and unknown objects are ignored.

use crate::{clip, DiskState, ParseError, Resource, Role, SyncProgress};

/// The resource's state after all lines; `complete` tells whether the `exists -` marker (end of
/// the initial state dump) was seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub resource: Resource,
    pub complete: bool,
    /// DRBD 9 `promotion_score` of the resource line, when printed.
    pub kernel_promotion_score: Option<i64>,
    pub may_promote: Option<bool>,
}

pub fn parse(text: &str, resource: &str) -> Result<Parsed, ParseError> {
    let mut out = Parsed {
        resource: Resource {
            name: resource.to_string(),
            ..Resource::default()
        },
        ..Parsed::default()
    };
    for raw in text.lines() {
        let mut words = raw.split_whitespace().peekable();
        // --timestamps: 2017-03-27T08:28:17.072611-07:00
        if words
            .peek()
            .is_some_and(|w| w.contains('T') && w.starts_with(|c: char| c.is_ascii_digit()))
        {
            words.next();
        }
        let Some(verb) = words.next() else { continue };
        if !matches!(
            verb,
            "exists" | "create" | "change" | "destroy" | "call" | "response"
        ) {
            return Err(ParseError(format!(
                "events2: unexpected line {:?}",
                clip(raw.trim(), 60)
            )));
        }
        let Some(object) = words.next() else {
            return Err(ParseError(format!(
                "events2: line without object {:?}",
                clip(raw.trim(), 60)
            )));
        };
        if object == "-" {
            out.complete = true;
            continue;
        }
        let fields: Vec<(&str, &str)> = words.filter_map(|w| w.split_once(':')).collect();
        let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        if get("name") != Some(resource) {
            continue;
        }
        let res = &mut out.resource;
        let destroy = verb == "destroy";
        match object {
            "resource" => {
                if destroy {
                    out.resource = Resource {
                        name: resource.to_string(),
                        ..Resource::default()
                    };
                    continue;
                }
                if let Some(r) = get("role") {
                    res.role = Role::parse(r);
                }
                if let Some(s) = get("suspended") {
                    res.suspended = Some(s != "no");
                }
                if let Some(s) = get("promotion_score") {
                    out.kernel_promotion_score = Some(int(s, "promotion_score")?);
                }
                if let Some(s) = get("may_promote") {
                    out.may_promote = Some(s == "yes");
                }
            }
            "device" => {
                let vol = int(get("volume").unwrap_or("0"), "volume")?;
                if destroy {
                    res.volumes.retain(|v| v.volume != vol);
                    continue;
                }
                let v = res.volume_mut(vol);
                if let Some(m) = get("minor") {
                    v.minor = Some(int(m, "minor")?);
                }
                if let Some(d) = get("disk") {
                    v.disk = DiskState::parse(d);
                }
                if let Some(c) = get("client") {
                    v.client = c == "yes";
                }
                if let Some(q) = get("quorum") {
                    v.quorum = Some(q == "yes");
                }
            }
            "connection" | "peer-device" => {
                let node_id = get("peer-node-id")
                    .map(|n| int(n, "peer-node-id"))
                    .transpose()?;
                let conn_name = get("conn-name");
                if destroy && object == "connection" {
                    res.peers.retain(|p| match (node_id, p.node_id) {
                        (Some(a), Some(b)) => a != b,
                        _ => p.name.as_deref() != conn_name,
                    });
                    continue;
                }
                let peer = res.peer_mut(node_id, conn_name);
                if object == "connection" {
                    if let Some(c) = get("connection") {
                        peer.connection = c.to_string();
                    }
                    if let Some(r) = get("role") {
                        peer.role = Role::parse(r);
                    }
                    continue;
                }
                let vol = int(get("volume").unwrap_or("0"), "volume")?;
                if destroy {
                    peer.volumes.retain(|v| v.volume != vol);
                    continue;
                }
                let pv = peer.volume_mut(vol);
                if let Some(r) = get("replication") {
                    pv.replication = r.to_string();
                }
                if let Some(d) = get("peer-disk") {
                    pv.disk = DiskState::parse(d);
                }
                if let Some(c) = get("peer-client") {
                    pv.client = c == "yes";
                }
                let syncing =
                    pv.replication.starts_with("Sync") || pv.replication.starts_with("PausedSync");
                let done = get("done")
                    .map(|d| crate::sh_status::percent("done", d))
                    .transpose()?;
                if syncing {
                    let mut s = pv.sync.unwrap_or_default();
                    if let Some(d) = done {
                        s.percent = d;
                    }
                    if let Some(e) = get("eta") {
                        s.eta_secs = Some(int(e, "eta")?);
                    }
                    if let Some(o) = get("out-of-sync") {
                        s.out_of_sync_kib = Some(int(o, "out-of-sync")?);
                    }
                    pv.sync = Some(s);
                } else {
                    pv.sync = None;
                }
            }
            _ => {} // path, helper, and objects of later versions
        }
    }
    Ok(out)
}

fn int<T: std::str::FromStr>(value: &str, key: &str) -> Result<T, ParseError> {
    value.parse().map_err(|_| {
        ParseError(format!(
            "events2: {key}:{:?} is not a number",
            clip(value, 20)
        ))
    })
}

impl SyncProgress {
    /// Whether anything is known beyond "resync running".
    pub fn is_known(&self) -> bool {
        self.percent > 0.0 || self.eta_secs.is_some() || self.out_of_sync_kib.is_some()
    }
}
