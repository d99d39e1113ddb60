// SPDX-License-Identifier: GPL-2.0-or-later
//! rustha-fence-peer: DRBD's fence-peer and unfence-peer handler for Pacemaker.
//!
//! drbdadm runs it when a connection is lost under `fencing resource-only|resource-and-stonith`
//! (fence) and after a resync (unfence). Fencing places a location constraint that forbids the
//! promoted role everywhere but on the UpToDate nodes, then tells the kernel what happened to the
//! peer through the exit code. The decision table lives in [`drbd_status::fence`]; this crate
//! reads the inputs (environment, `drbdsetup events2 --now`, the CIB) and writes the CIB.

pub mod cli;
pub mod options;
pub mod system;

use drbd_status::fence::{self, Allowed, Constraint, FenceInput, PeerStatus};
use drbd_status::Resource;
use options::{Config, Mode};
use rustha_support::Deadline;
use std::time::Duration;
use tracing::{error, info, warn};

/// What the handler needs from the system; [`system::Real`] runs the tools.
pub trait Cluster {
    /// `drbdsetup events2 --now RES`, parsed.
    fn drbd_state(&mut self, resource: &str, deadline: &Deadline) -> Result<Resource, String>;
    /// `cibadmin -Q`.
    fn cib(&mut self, deadline: &Deadline) -> Result<String, String>;
    fn create(&mut self, xml: &str, deadline: &Deadline) -> Result<(), String>;
    fn replace(&mut self, xml: &str, deadline: &Deadline) -> Result<(), String>;
    fn delete(&mut self, xml: &str, deadline: &Deadline) -> Result<(), String>;
    /// This node's name in Pacemaker.
    fn node_name(&mut self, deadline: &Deadline) -> String;
    /// Ask Pacemaker to terminate this node (`--suicide-on-failure-if-primary`).
    fn request_terminate(&mut self, node: &str, deadline: &Deadline) -> Result<(), String>;
    fn sleep(&mut self, d: Duration, deadline: &Deadline) -> bool {
        deadline.sleep(d)
    }
}

/// The handler's environment from drbdadm.
#[derive(Debug, Clone, Default)]
pub struct DrbdEnv {
    pub resource: Option<String>,
    /// 8.4: DRBD_PEER / DRBD_PEERS (host names).
    pub peers: Vec<String>,
    /// 9: UP_TO_DATE_NODES bit mask.
    pub up_to_date_nodes: Option<u64>,
    pub my_node_id: Option<u32>,
    /// 9: DRBD_NODE_ID_<n>=host.
    pub node_names: Vec<(u32, String)>,
    pub unfence_extra_args: Option<String>,
}

impl DrbdEnv {
    pub fn from_vars(vars: impl Iterator<Item = (String, String)>) -> DrbdEnv {
        let mut e = DrbdEnv::default();
        for (k, v) in vars {
            match k.as_str() {
                "DRBD_RESOURCE" if !v.is_empty() => e.resource = Some(v),
                "DRBD_PEER" | "DRBD_PEERS" => {
                    for p in v.split_whitespace() {
                        if !e.peers.iter().any(|x| x == p) {
                            e.peers.push(p.to_string());
                        }
                    }
                }
                "UP_TO_DATE_NODES" => {
                    let h = v.trim().trim_start_matches("0x").trim_start_matches("0X");
                    e.up_to_date_nodes = u64::from_str_radix(h, 16).ok();
                }
                "DRBD_MY_NODE_ID" => e.my_node_id = v.trim().parse().ok(),
                "OCF_RESKEY_unfence_extra_args" if !v.trim().is_empty() => {
                    e.unfence_extra_args = Some(v)
                }
                _ => {
                    if let Some(n) = k.strip_prefix("DRBD_NODE_ID_").and_then(|n| n.parse().ok()) {
                        if !v.is_empty() {
                            e.node_names.push((n, v));
                        }
                    }
                }
            }
        }
        e.node_names.sort();
        e
    }

    fn peer_node_ids(&self) -> Vec<(u32, String)> {
        self.node_names
            .iter()
            .filter(|(id, _)| Some(*id) != self.my_node_id)
            .cloned()
            .collect()
    }
}

fn state_summary(r: &Resource) -> String {
    r.summary()
}

/// Run one fence or unfence; returns the exit code for drbdadm.
pub fn run(mode: Mode, cfg: &Config, env: &DrbdEnv, sys: &mut impl Cluster) -> u8 {
    let Some(resource) = cfg.resource.clone().or_else(|| env.resource.clone()) else {
        error!("DRBD_RESOURCE is not set and no --resource given: nothing to do");
        return 1;
    };
    let deadline = Deadline::after(Duration::from_secs(cfg.timeout.max(1)));
    match mode {
        Mode::Fence => fence_peer(cfg, env, &resource, sys, &deadline),
        Mode::Unfence => unfence_peer(cfg, env, &resource, sys, &deadline),
    }
}

/// The CIB, retried until --dc-timeout (the DC may be electing).
fn query_cib(cfg: &Config, sys: &mut impl Cluster, deadline: &Deadline) -> Result<String, String> {
    let dc = deadline.capped(Duration::from_secs(cfg.dc_timeout.max(1)));
    loop {
        let last = match sys.cib(&dc) {
            Ok(c) => return Ok(c),
            Err(e) => e,
        };
        if !sys.sleep(Duration::from_secs(1), &dc) {
            return Err(format!(
                "the CIB did not answer within {} s: {last}",
                cfg.dc_timeout
            ));
        }
    }
}

fn master_id(cfg: &Config, cib: &str, resource: &str) -> Result<String, String> {
    if let Some(m) = &cfg.master_id {
        return Ok(m.clone());
    }
    match fence::find_master_id(cib, resource) {
        Ok(Some(m)) => Ok(m),
        Ok(None) => Err(format!(
            "no promotable clone in the CIB has a primitive with drbd_resource={resource}"
        )),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Clone, Copy)]
enum Write {
    Create,
    Replace,
    Delete,
}

/// Retry a CIB write until it succeeds or the deadline passes (the CIB may change under us).
fn write(sys: &mut impl Cluster, op: Write, xml: &str, deadline: &Deadline) -> Result<(), String> {
    loop {
        let r = match op {
            Write::Create => sys.create(xml, deadline),
            Write::Replace => sys.replace(xml, deadline),
            Write::Delete => sys.delete(xml, deadline),
        };
        match r {
            Ok(()) => return Ok(()),
            Err(e) => {
                warn!("cibadmin {op:?} failed: {e}; retrying");
                if !sys.sleep(Duration::from_secs(1), deadline) {
                    return Err(e);
                }
            }
        }
    }
}

/// The peers' status in the CIB: all reachable, all fenced, or not known (yet).
fn peers_status(cib: &str, me: &str, peers: &[String]) -> Result<PeerStatus, String> {
    let facts = fence::cib_facts(cib).map_err(|e| e.to_string())?;
    let names: Vec<String> = if peers.is_empty() {
        facts
            .nodes
            .iter()
            .map(|n| n.uname.clone())
            .filter(|u| u != me && !u.is_empty())
            .collect()
    } else {
        peers.to_vec()
    };
    if names.is_empty() {
        return Ok(PeerStatus::Unknown);
    }
    let st: Vec<PeerStatus> = names
        .iter()
        .map(|n| {
            facts
                .node(n)
                .map(|s| s.status())
                .unwrap_or(PeerStatus::Unknown)
        })
        .collect();
    Ok(if st.iter().all(|s| *s == PeerStatus::Reachable) {
        PeerStatus::Reachable
    } else if st.iter().all(|s| *s == PeerStatus::Fenced) {
        PeerStatus::Fenced
    } else {
        PeerStatus::Unknown
    })
}

/// Peer host names: DRBD_PEER(S) on 8.4, DRBD_NODE_ID_n on 9.
fn peer_names(env: &DrbdEnv) -> Vec<String> {
    if !env.peers.is_empty() {
        return env.peers.clone();
    }
    env.peer_node_ids().into_iter().map(|(_, n)| n).collect()
}

fn fence_peer(
    cfg: &Config,
    env: &DrbdEnv,
    resource: &str,
    sys: &mut impl Cluster,
    deadline: &Deadline,
) -> u8 {
    let state = match sys.drbd_state(resource, deadline) {
        Ok(s) => s,
        Err(e) => {
            error!("cannot read the state of {resource}: {e}; no constraint placed");
            return 1;
        }
    };
    info!("fence-peer for {resource}: {}", state_summary(&state));
    let me = sys.node_name(deadline);
    let peers = peer_names(env);
    // DRBD 9 tells which nodes are UpToDate; 8.4 only knows about itself.
    let peers_up_to_date = match env.up_to_date_nodes {
        Some(mask) if !env.peer_node_ids().is_empty() => env
            .peer_node_ids()
            .iter()
            .all(|(id, _)| *id < 64 && mask & (1 << id) != 0),
        _ => state.peers_all_up_to_date(),
    };
    let mut cib = match query_cib(cfg, sys, deadline) {
        Ok(c) => c,
        Err(e) => {
            error!("{e}; no constraint placed");
            return 1;
        }
    };
    let master = match master_id(cfg, &cib, resource) {
        Ok(m) => m,
        Err(e) => {
            error!("{e}; no constraint placed");
            return 1;
        }
    };
    let facts = match fence::cib_facts(&cib) {
        Ok(f) => f,
        Err(e) => {
            error!("cannot read the CIB: {e}; no constraint placed");
            return 1;
        }
    };
    // Wait for the peer to be either reachable or fenced (Pacemaker fences it meanwhile).
    let hickup = deadline.capped(Duration::from_secs(cfg.net_hickup));
    let mut peer = peers_status(&cib, &me, &peers).unwrap_or(PeerStatus::Unknown);
    // Keep time for the CIB writes after waiting.
    let reserve = (deadline.remaining() / 4).min(Duration::from_secs(10));
    let polling = deadline.capped(deadline.remaining().saturating_sub(reserve));
    let mut waited = 0u64;
    while peer == PeerStatus::Unknown || (peer == PeerStatus::Reachable && !hickup.expired()) {
        if !sys.sleep(Duration::from_secs(2), &polling) {
            break;
        }
        waited += 2;
        if waited.is_multiple_of(10) {
            info!(
                "waiting for the peer {} to be fenced or to answer ({waited} s)",
                peers.join(",")
            );
        }
        match sys.cib(&polling.capped(Duration::from_secs(cfg.dc_timeout.max(1)))) {
            Ok(c) => {
                peer = peers_status(&c, &me, &peers).unwrap_or(PeerStatus::Unknown);
                cib = c;
            }
            Err(e) => warn!("cibadmin -Q failed: {e}"),
        }
        if peer == PeerStatus::Reachable && hickup.expired() {
            break;
        }
    }
    let have_quorum = fence::cib_facts(&cib)
        .map(|f| f.have_quorum)
        .unwrap_or(facts.have_quorum);
    let input = FenceInput {
        local_up_to_date: state.disk_all_up_to_date(),
        local_consistent: state.disk_all_consistent(),
        peers_up_to_date,
        have_quorum,
        peer,
        unreachable_peer_is_outdated: cfg.unreachable_peer_is_outdated,
    };
    let d = fence::decide(&input);
    info!(
        "peer {}: {peer:?}; decision: {} (exit {})",
        peers.join(","),
        d.why,
        d.exit
    );
    if !d.place {
        return finish(cfg, sys, &me, &state, d.exit, deadline);
    }
    let prefix = fence::id_prefix(&cfg.id_prefix, resource);
    let my_value = fence::cib_facts(&cib)
        .map(|f| f.attribute_value(&me, &cfg.fencing_attribute))
        .unwrap_or(me.clone());
    let mut allowed = Vec::new();
    if state.disk_all_up_to_date() {
        allowed.push(Allowed {
            node_id: env.my_node_id,
            value: my_value.clone(),
        });
    }
    if let Some(mask) = env.up_to_date_nodes {
        for (id, host) in env.peer_node_ids() {
            if id < 64 && mask & (1 << id) != 0 {
                let value = fence::cib_facts(&cib)
                    .map(|f| f.attribute_value(&host, &cfg.fencing_attribute))
                    .unwrap_or(host);
                allowed.push(Allowed {
                    node_id: Some(id),
                    value,
                });
            }
        }
    }
    let wanted = Constraint::new(&prefix, &master, &cfg.role, &cfg.fencing_attribute, allowed);
    let existing = match fence::find_constraint(&cib, &wanted.id) {
        Ok(e) => e,
        Err(e) => {
            error!("cannot read the CIB: {e}; no constraint placed");
            return finish(cfg, sys, &me, &state, 1, deadline);
        }
    };
    let placed = match existing {
        Some(e) if e.same_as(&wanted) => {
            info!("constraint {} already in place", wanted.id);
            Ok(())
        }
        Some(e) if !e.allows(&my_value) => {
            error!(
                "constraint {} already forbids this node ({me}) to be promoted: this node's data is not the reference; not fencing the peer",
                e.id
            );
            return finish(cfg, sys, &me, &state, 1, deadline);
        }
        Some(_) => {
            info!("restricting constraint {}", wanted.id);
            write(sys, Write::Replace, &wanted.to_xml(), deadline)
        }
        None => {
            info!("placing constraint {}", wanted.id);
            write(sys, Write::Create, &wanted.to_xml(), deadline)
        }
    };
    if let Err(e) = placed {
        error!(
            "could not place constraint {}: {e}; DATA INTEGRITY at risk if the peer is promoted",
            wanted.id
        );
        return finish(cfg, sys, &me, &state, 1, deadline);
    }
    // The peer may have come back and resynced meanwhile: then the constraint is not needed.
    if let Ok(now) = sys.drbd_state(resource, deadline) {
        if now.peers_all_up_to_date() {
            info!("peer disks are UpToDate again: removing {}", wanted.id);
            let _ = write(sys, Write::Delete, &wanted.delete_xml(), deadline);
            return 1;
        }
    }
    d.exit
}

/// Exit codes other than 3/4/5/7 leave DRBD without an answer; with
/// --suicide-on-failure-if-primary a Primary asks Pacemaker to terminate this node.
fn finish(
    cfg: &Config,
    sys: &mut impl Cluster,
    me: &str,
    state: &Resource,
    code: u8,
    deadline: &Deadline,
) -> u8 {
    if cfg.suicide_on_failure_if_primary && state.is_primary() && !matches!(code, 3 | 4 | 5 | 7) {
        warn!("fencing failed on a Primary: asking Pacemaker to terminate {me}");
        if let Err(e) = sys.request_terminate(me, deadline) {
            error!("could not request termination of {me}: {e}");
        }
    }
    code
}

fn unfence_peer(
    cfg: &Config,
    env: &DrbdEnv,
    resource: &str,
    sys: &mut impl Cluster,
    deadline: &Deadline,
) -> u8 {
    let cib = match query_cib(cfg, sys, deadline) {
        Ok(c) => c,
        Err(e) => {
            error!("{e}");
            return 1;
        }
    };
    let master = match master_id(cfg, &cib, resource) {
        Ok(m) => m,
        Err(e) => {
            error!("{e}");
            return 1;
        }
    };
    let prefix = fence::id_prefix(&cfg.id_prefix, resource);
    let id = format!("{prefix}-{master}");
    let existing = match fence::find_constraint(&cib, &id) {
        Ok(Some(c)) => c,
        Ok(None) => {
            info!("no constraint {id}: nothing to unfence");
            return 0;
        }
        Err(e) => {
            error!("cannot read the CIB: {e}");
            return 1;
        }
    };
    let state = match sys.drbd_state(resource, deadline) {
        Ok(s) => s,
        Err(e) => {
            error!("cannot read the state of {resource}: {e}; keeping {id}");
            return 1;
        }
    };
    let me = sys.node_name(deadline);
    let my_value = fence::cib_facts(&cib)
        .map(|f| f.attribute_value(&me, &cfg.fencing_attribute))
        .unwrap_or(me.clone());
    if cfg.unfence_only_if_owner_match && !existing.allows(&my_value) {
        info!("constraint {id} was not placed for this node ({me}): keeping it");
        return 0;
    }
    let all_peers_up = match env.up_to_date_nodes {
        Some(mask) if !env.peer_node_ids().is_empty() => env
            .peer_node_ids()
            .iter()
            .all(|(id, _)| *id < 64 && mask & (1 << id) != 0),
        _ => state.peers_all_up_to_date(),
    };
    if state.disk_all_up_to_date() && all_peers_up {
        info!(
            "{}: all disks UpToDate, removing {id}",
            state_summary(&state)
        );
        return match write(sys, Write::Delete, &existing.delete_xml(), deadline) {
            Ok(()) => 0,
            Err(e) => {
                error!("could not remove {id}: {e}");
                1
            }
        };
    }
    info!(
        "{}: not all disks UpToDate yet, keeping {id}",
        state_summary(&state)
    );
    0
}
