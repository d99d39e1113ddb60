// SPDX-License-Identifier: GPL-2.0-or-later
//! DRBD 8.4 `drbdsetup sh-status RES`: shell assignments, one block per volume, each ended by
//! `_sh_status_process`. An unconfigured resource prints nothing (exit 19) and an unconfigured
//! minor prints `_known=Unconfigured`; both give a resource without volumes.

use crate::{clip, DiskState, ParseError, Resource, Role, SyncProgress};

#[derive(Default)]
struct Block {
    minor: Option<u32>,
    name: Option<String>,
    volume: u32,
    known: Option<String>,
    cstate: String,
    role: String,
    peer: String,
    disk: String,
    pdsk: String,
    resynced_percent: Option<f64>,
}

/// Parse the output for `resource` (blocks of other resources, as `sh-status all` prints, are
/// skipped).
pub fn parse(text: &str, resource: &str) -> Result<Resource, ParseError> {
    let mut res = Resource {
        name: resource.to_string(),
        ..Resource::default()
    };
    let mut block: Option<Block> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line == "_sh_status_process" {
            if let Some(b) = block.take() {
                apply(&mut res, b, resource);
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(ParseError(format!(
                "sh-status: unexpected line {:?}",
                clip(line, 60)
            )));
        };
        let value = unquote(value);
        if key == "_minor" && block.as_ref().is_some_and(|b| b.minor.is_some()) {
            // A block without its terminator: take it as complete.
            if let Some(b) = block.take() {
                apply(&mut res, b, resource);
            }
        }
        let b = block.get_or_insert_with(Block::default);
        match key {
            "_minor" => b.minor = Some(number(key, value)?),
            "_res_name" => b.name = Some(value.to_string()),
            "_volume" => {
                b.volume = if value.is_empty() {
                    0
                } else {
                    number(key, value)?
                }
            }
            "_known" => b.known = Some(value.to_string()),
            "_cstate" => b.cstate = value.to_string(),
            "_role" => b.role = value.to_string(),
            "_peer" => b.peer = value.to_string(),
            "_disk" => b.disk = value.to_string(),
            "_pdsk" => b.pdsk = value.to_string(),
            "_resynced_percent" => {
                b.resynced_percent = match value {
                    "" => None,
                    v => Some(percent(key, v)?),
                }
            }
            _ => {} // _flags_*, and whatever later versions add
        }
    }
    if let Some(b) = block.take() {
        apply(&mut res, b, resource);
    }
    Ok(res)
}

fn apply(res: &mut Resource, b: Block, resource: &str) {
    if b.name.as_deref().is_some_and(|n| n != resource) {
        return;
    }
    if b.known.as_deref() != Some("Configured") && b.known.is_some() {
        return;
    }
    if b.role.is_empty() && b.disk.is_empty() {
        return;
    }
    let role = Role::parse(&b.role);
    if role == Role::Primary || res.role == Role::Unknown {
        res.role = role;
    }
    let v = res.volume_mut(b.volume);
    v.minor = b.minor;
    v.disk = DiskState::parse(&b.disk);
    let peer = res.peer_mut(None, None);
    peer.connection = b.cstate.clone();
    let peer_role = Role::parse(&b.peer);
    if peer_role == Role::Primary || peer.role == Role::Unknown {
        peer.role = peer_role;
    }
    let pv = peer.volume_mut(b.volume);
    pv.replication = b.cstate;
    pv.disk = if b.pdsk.is_empty() {
        DiskState::DUnknown
    } else {
        DiskState::parse(&b.pdsk)
    };
    pv.sync = b.resynced_percent.map(|percent| SyncProgress {
        percent,
        ..SyncProgress::default()
    });
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['\'', '"'] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

fn number(key: &str, value: &str) -> Result<u32, ParseError> {
    value.parse().map_err(|_| {
        ParseError(format!(
            "sh-status: {key}={:?} is not a number",
            clip(value, 20)
        ))
    })
}

pub(crate) fn percent(key: &str, value: &str) -> Result<f64, ParseError> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(ParseError(format!(
            "{key}={:?} is not a percentage",
            clip(value, 20)
        ))),
    }
}
