// SPDX-License-Identifier: GPL-2.0-or-later
//! The typed state of one DRBD resource, as every parser returns it.

use std::fmt;

/// A node's role for a resource (DRBD 8.4: per minor; the resource is Primary when any is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    Primary,
    Secondary,
    /// Peer role while disconnected, or a word we do not know.
    #[default]
    Unknown,
}

impl Role {
    pub fn parse(word: &str) -> Role {
        match word {
            "Primary" => Role::Primary,
            "Secondary" => Role::Secondary,
            _ => Role::Unknown,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Primary => "Primary",
            Role::Secondary => "Secondary",
            Role::Unknown => "Unknown",
        })
    }
}

/// A disk state, local or the peer's view (`_disk`/`_pdsk`, `disk:`/`peer-disk:`, `ds:`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DiskState {
    Diskless,
    Attaching,
    Detaching,
    Failed,
    Negotiating,
    Inconsistent,
    Outdated,
    /// The peer's disk while disconnected.
    #[default]
    DUnknown,
    Consistent,
    UpToDate,
    /// A word this version does not know, kept for messages.
    Other(String),
}

impl DiskState {
    pub fn parse(word: &str) -> DiskState {
        match word {
            "Diskless" => DiskState::Diskless,
            "Attaching" => DiskState::Attaching,
            "Detaching" => DiskState::Detaching,
            "Failed" => DiskState::Failed,
            "Negotiating" => DiskState::Negotiating,
            "Inconsistent" => DiskState::Inconsistent,
            "Outdated" => DiskState::Outdated,
            "DUnknown" => DiskState::DUnknown,
            "Consistent" => DiskState::Consistent,
            "UpToDate" => DiskState::UpToDate,
            other => DiskState::Other(crate::clip(other, 32)),
        }
    }

    /// Attaching or Negotiating: the state is about to change, drbd.ocf leaves the score alone.
    pub fn is_transitional(&self) -> bool {
        matches!(self, DiskState::Attaching | DiskState::Negotiating)
    }

    /// drbd.ocf's "not consistent" set (Detaching counts, as in its DRBD 9 path).
    fn is_unusable(&self) -> bool {
        matches!(
            self,
            DiskState::Diskless
                | DiskState::Failed
                | DiskState::Inconsistent
                | DiskState::Outdated
                | DiskState::Detaching
        )
    }
}

impl fmt::Display for DiskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            DiskState::Diskless => "Diskless",
            DiskState::Attaching => "Attaching",
            DiskState::Detaching => "Detaching",
            DiskState::Failed => "Failed",
            DiskState::Negotiating => "Negotiating",
            DiskState::Inconsistent => "Inconsistent",
            DiskState::Outdated => "Outdated",
            DiskState::DUnknown => "DUnknown",
            DiskState::Consistent => "Consistent",
            DiskState::UpToDate => "UpToDate",
            DiskState::Other(s) => s,
        };
        f.write_str(s)
    }
}

/// Resync progress of one volume towards or from one peer.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SyncProgress {
    /// Percent done, 0..=100.
    pub percent: f64,
    /// Seconds left, as the kernel (8.4 /proc/drbd `finish:`) or drbdsetup (9 `eta:`) estimates.
    pub eta_secs: Option<u64>,
    /// KiB still out of sync.
    pub out_of_sync_kib: Option<u64>,
}

/// A local volume (device).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Volume {
    pub volume: u32,
    pub minor: Option<u32>,
    pub disk: DiskState,
    /// DRBD 9 intentional diskless client (`client:yes`).
    pub client: bool,
    /// DRBD 9 device quorum; `None` where the version has no quorum (8.4).
    pub quorum: Option<bool>,
}

/// One volume as seen through one peer connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PeerVolume {
    pub volume: u32,
    /// DRBD 9 replication state (Established, SyncSource, Off, ...); on 8.4 the connection state.
    pub replication: String,
    pub disk: DiskState,
    /// DRBD 9 `peer-client:yes`.
    pub client: bool,
    pub sync: Option<SyncProgress>,
}

/// One peer connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Peer {
    pub node_id: Option<u32>,
    /// `conn-name` (DRBD 9: the peer's host name).
    pub name: Option<String>,
    /// Connection state: Connected, Connecting, StandAlone, ... (8.4: cs, e.g. WFConnection).
    pub connection: String,
    pub role: Role,
    pub volumes: Vec<PeerVolume>,
}

impl Peer {
    /// Connected in the DRBD sense (a session with the peer exists).
    pub fn is_connected(&self) -> bool {
        !matches!(
            self.connection.as_str(),
            "" | "StandAlone"
                | "Connecting"
                | "WFConnection"
                | "Disconnecting"
                | "Unconnected"
                | "Timeout"
                | "BrokenPipe"
                | "NetworkFailure"
                | "ProtocolError"
                | "TearDown"
                | "Unconfigured"
        )
    }

    /// Every volume of this peer is UpToDate.
    pub fn all_up_to_date(&self) -> bool {
        !self.volumes.is_empty() && self.volumes.iter().all(|v| v.disk == DiskState::UpToDate)
    }
}

/// One resource on this node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub name: String,
    pub role: Role,
    pub suspended: Option<bool>,
    pub volumes: Vec<Volume>,
    pub peers: Vec<Peer>,
}

impl Resource {
    /// No configured volume: the resource is down on this node (monitor 7).
    pub fn is_unconfigured(&self) -> bool {
        self.volumes.is_empty() || self.role == Role::Unknown
    }

    pub fn is_primary(&self) -> bool {
        self.role == Role::Primary
    }

    pub fn some_peer_primary(&self) -> bool {
        self.peers.iter().any(|p| p.role == Role::Primary)
    }

    /// All local volumes UpToDate.
    pub fn disk_all_up_to_date(&self) -> bool {
        !self.volumes.is_empty() && self.volumes.iter().all(|v| v.disk == DiskState::UpToDate)
    }

    /// No local volume is Diskless/Failed/Inconsistent/Outdated/Detaching.
    pub fn disk_all_consistent(&self) -> bool {
        !self.volumes.is_empty() && self.volumes.iter().all(|v| !v.disk.is_unusable())
    }

    pub fn transitional(&self) -> bool {
        self.volumes.iter().any(|v| v.disk.is_transitional())
            || self
                .peers
                .iter()
                .any(|p| p.volumes.iter().any(|v| v.disk.is_transitional()))
    }

    /// Every volume of every peer UpToDate (and at least one peer).
    pub fn peers_all_up_to_date(&self) -> bool {
        !self.peers.is_empty() && self.peers.iter().all(Peer::all_up_to_date)
    }

    /// Some peer has every volume UpToDate.
    pub fn some_peer_all_up_to_date(&self) -> bool {
        self.peers.iter().any(Peer::all_up_to_date)
    }

    /// Some peer disk is DUnknown (the peer's state is not known: disconnected).
    pub fn peer_disk_any_unknown(&self) -> bool {
        self.peers.iter().any(|p| {
            p.volumes.is_empty() || p.volumes.iter().any(|v| v.disk == DiskState::DUnknown)
        })
    }

    /// DRBD 9 intentional diskless client on every volume.
    pub fn diskless_client(&self) -> bool {
        !self.volumes.is_empty() && self.volumes.iter().all(|v| v.client)
    }

    /// DRBD 9 quorum; always true on 8.4.
    pub fn have_quorum(&self) -> bool {
        self.volumes.iter().all(|v| v.quorum != Some(false))
    }

    /// Local volumes whose disk failed or went away while not an intentional diskless client.
    pub fn failed_local_disks(&self) -> Vec<&Volume> {
        self.volumes
            .iter()
            .filter(|v| !v.client && matches!(v.disk, DiskState::Failed | DiskState::Diskless))
            .collect()
    }

    /// Resync in progress on any volume: the least advanced one.
    pub fn sync_progress(&self) -> Option<SyncProgress> {
        self.peers
            .iter()
            .flat_map(|p| p.volumes.iter())
            .filter_map(|v| v.sync)
            .min_by(|a, b| a.percent.total_cmp(&b.percent))
    }

    /// "disk UpToDate/DUnknown, Secondary/Unknown, WFConnection": one line for logs and reasons.
    pub fn summary(&self) -> String {
        let local: Vec<String> = self.volumes.iter().map(|v| v.disk.to_string()).collect();
        let peer = self.peers.first();
        let pdisk: Vec<String> = peer
            .map(|p| p.volumes.iter().map(|v| v.disk.to_string()).collect())
            .unwrap_or_default();
        format!(
            "{} disk {}/{}, role {}/{}, {}",
            self.name,
            if local.is_empty() {
                "-".into()
            } else {
                local.join(",")
            },
            if pdisk.is_empty() {
                "DUnknown".into()
            } else {
                pdisk.join(",")
            },
            self.role,
            peer.map(|p| p.role).unwrap_or_default(),
            peer.map(|p| p.connection.as_str())
                .filter(|c| !c.is_empty())
                .unwrap_or("StandAlone"),
        )
    }

    pub(crate) fn peer_mut(&mut self, node_id: Option<u32>, name: Option<&str>) -> &mut Peer {
        let pos = self.peers.iter().position(|p| match (node_id, p.node_id) {
            (Some(a), Some(b)) => a == b,
            _ => p.name.as_deref() == name,
        });
        let i = match pos {
            Some(i) => i,
            None => {
                self.peers.push(Peer {
                    node_id,
                    name: name.map(str::to_string),
                    ..Peer::default()
                });
                self.peers.len() - 1
            }
        };
        let p = &mut self.peers[i];
        if p.name.is_none() {
            p.name = name.map(str::to_string);
        }
        p
    }

    pub(crate) fn volume_mut(&mut self, volume: u32) -> &mut Volume {
        let i = match self.volumes.iter().position(|v| v.volume == volume) {
            Some(i) => i,
            None => {
                self.volumes.push(Volume {
                    volume,
                    ..Volume::default()
                });
                self.volumes.len() - 1
            }
        };
        &mut self.volumes[i]
    }
}

impl Peer {
    pub(crate) fn volume_mut(&mut self, volume: u32) -> &mut PeerVolume {
        let i = match self.volumes.iter().position(|v| v.volume == volume) {
            Some(i) => i,
            None => {
                self.volumes.push(PeerVolume {
                    volume,
                    ..PeerVolume::default()
                });
                self.volumes.len() - 1
            }
        };
        &mut self.volumes[i]
    }
}
