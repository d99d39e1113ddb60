// SPDX-License-Identifier: GPL-2.0-or-later
//! What monitor reports and which promotion score the node gets: drbd.ocf's table, in its order.

use crate::{DiskState, Resource};

/// The monitor result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Monitor {
    /// Not configured on this node (OCF 7).
    NotRunning,
    /// Secondary (OCF 0).
    Running,
    /// Primary (OCF 8).
    Promoted,
    /// Primary on a failed or detached local disk (OCF 9; drbd.ocf says 8 here). I/O is served
    /// by the peer, if at all: Pacemaker should move the promoted role to an UpToDate node.
    FailedPromoted,
}

pub fn monitor(res: &Resource) -> Monitor {
    if res.is_unconfigured() {
        Monitor::NotRunning
    } else if res.is_primary() {
        if res.failed_local_disks().is_empty() {
            Monitor::Promoted
        } else {
            Monitor::FailedPromoted
        }
    } else {
        Monitor::Running
    }
}

/// `adjust_master_score`: four non-decreasing integers "only_consistent only_remote local_ok
/// as_good_as_it_gets", default "0 10 1000 10000".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub only_consistent: i64,
    pub only_remote: i64,
    pub local_ok: i64,
    pub as_good_as_it_gets: i64,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            only_consistent: 0,
            only_remote: 10,
            local_ok: 1000,
            as_good_as_it_gets: 10000,
        }
    }
}

impl std::str::FromStr for Table {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let v: Vec<i64> = s
            .split_whitespace()
            .map(|w| {
                w.parse::<i64>()
                    .map_err(|_| format!("{w:?} is not an integer"))
            })
            .collect::<Result<_, _>>()?;
        if v.len() != 4 {
            return Err(format!("expected 4 integers, got {}", v.len()));
        }
        if v.windows(2).any(|w| w[0] > w[1]) {
            return Err("the 4 scores must not decrease".into());
        }
        if v.iter().any(|x| x.abs() > 1_000_000) {
            return Err("scores beyond +-1000000 (INFINITY) make no sense".into());
        }
        Ok(Table {
            only_consistent: v[0],
            only_remote: v[1],
            local_ok: v[2],
            as_good_as_it_gets: v[3],
        })
    }
}

/// What to do with the promotion score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Score {
    Set(i64),
    Remove,
    /// Attaching/Negotiating: the state is about to change.
    Unchanged,
}

/// Why: the row of the table that applied, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub score: Score,
    pub why: &'static str,
}

/// Inputs beyond the DRBD state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    pub table: Table,
    /// remove_master_score_if_peer_primary, resolved by the agent (for "unexpected": only when
    /// Pacemaker does not know that peer as promoted).
    pub remove_if_peer_primary: bool,
}

pub fn promotion(res: &Resource, policy: &Policy) -> Decision {
    let t = policy.table;
    let d = |score, why| Decision {
        score: normalize(score),
        why,
    };
    if !res.have_quorum() {
        return d(Score::Remove, "no quorum");
    }
    if policy.remove_if_peer_primary
        && !res.is_primary()
        && res.some_peer_primary()
        && res.some_peer_all_up_to_date()
    {
        return d(
            Score::Remove,
            "a peer is Primary (remove_master_score_if_peer_primary)",
        );
    }
    if res.diskless_client() {
        return if res.peers_all_up_to_date() || (res.is_primary() && res.some_peer_all_up_to_date())
        {
            d(
                Score::Set(t.as_good_as_it_gets - 1),
                "diskless client, peers UpToDate",
            )
        } else if res.some_peer_all_up_to_date() {
            d(
                Score::Set(t.local_ok - 1),
                "diskless client, some peer UpToDate",
            )
        } else {
            d(Score::Remove, "diskless client without an UpToDate peer")
        };
    }
    if res.disk_all_up_to_date() {
        return if res.is_primary() {
            d(
                Score::Set(t.as_good_as_it_gets),
                "Primary, local disk UpToDate",
            )
        } else if res.peer_disk_any_unknown() {
            d(
                Score::Set(t.local_ok),
                "local disk UpToDate, peer disk unknown",
            )
        } else {
            d(
                Score::Set(t.as_good_as_it_gets),
                "local disk UpToDate, peer disks known",
            )
        };
    }
    if res.some_peer_all_up_to_date() {
        return d(Score::Set(t.only_remote), "only a peer's disk is UpToDate");
    }
    if res.transitional() {
        return d(Score::Unchanged, "disk state in transition");
    }
    if res.disk_all_consistent() {
        return d(Score::Set(t.only_consistent), "local disk only Consistent");
    }
    let worst = res
        .volumes
        .iter()
        .map(|v| &v.disk)
        .find(|s| **s != DiskState::UpToDate)
        .map(|s| match s {
            DiskState::Outdated => "local disk Outdated",
            DiskState::Inconsistent => "local disk Inconsistent",
            DiskState::Diskless => "local disk Diskless",
            DiskState::Failed => "local disk Failed",
            _ => "local disk not usable",
        })
        .unwrap_or("no local disk");
    d(Score::Remove, worst)
}

/// drbd.ocf: a score of 0 or less is not set but removed.
fn normalize(s: Score) -> Score {
    match s {
        Score::Set(n) if n <= 0 => Score::Remove,
        s => s,
    }
}
