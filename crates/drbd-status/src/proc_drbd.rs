// SPDX-License-Identifier: GPL-2.0-or-later
//! `/proc/drbd`. DRBD 9 prints only the version there; 8.4 also one entry per minor:
//!
//! ```text
//! version: 8.4.11 (api:1/proto:86-101)
//!  0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
//!     ns:4608 nr:0 dw:0 dr:4680 al:8 bm:0 lo:0 pe:2 ua:1 ap:0 ep:1 wo:f oos:36344
//!     [===>................] sync'ed: 20.0% (36344/40920)K
//!     finish: 0:00:30 speed: 1,144 (1,144) K/sec
//! ```
//!
//! Reading it is a file read, not a process: the agent uses it for the module version and for
//! the kernel's resync ETA, which sh-status does not print.

use crate::{clip, DiskState, ParseError, Role, SyncProgress};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcDrbd {
    /// `version: 8.4.11` as (8, 4, 11).
    pub version: Option<(u32, u32, u32)>,
    pub minors: Vec<Minor>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Minor {
    pub minor: u32,
    pub cstate: String,
    pub role: Role,
    pub peer_role: Role,
    pub disk: DiskState,
    pub peer_disk: DiskState,
    pub out_of_sync_kib: Option<u64>,
    pub sync: Option<SyncProgress>,
}

impl ProcDrbd {
    /// DRBD's version code (0x08040b for 8.4.11), as `drbdadm --version` prints it.
    pub fn version_code(&self) -> Option<u32> {
        self.version
            .map(|(a, b, c)| (a.min(255) << 16) | (b.min(255) << 8) | c.min(255))
    }

    pub fn minor(&self, minor: u32) -> Option<&Minor> {
        self.minors.iter().find(|m| m.minor == minor)
    }
}

pub fn parse(text: &str) -> Result<ProcDrbd, ParseError> {
    let mut out = ProcDrbd::default();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("version:") {
            let v = rest.split_whitespace().next().unwrap_or("");
            out.version = Some(parse_version(v)?);
        } else if let Some((num, rest)) = t.split_once(": cs:") {
            let minor = num
                .trim()
                .parse()
                .map_err(|_| ParseError(format!("/proc/drbd: bad minor in {:?}", clip(t, 60))))?;
            let mut m = Minor {
                minor,
                ..Minor::default()
            };
            let mut words = rest.split_whitespace();
            m.cstate = words.next().unwrap_or("").to_string();
            for w in words {
                if let Some(ro) = w.strip_prefix("ro:") {
                    let (a, b) = ro.split_once('/').unwrap_or((ro, "Unknown"));
                    m.role = Role::parse(a);
                    m.peer_role = Role::parse(b);
                } else if let Some(ds) = w.strip_prefix("ds:") {
                    let (a, b) = ds.split_once('/').unwrap_or((ds, "DUnknown"));
                    m.disk = DiskState::parse(a);
                    m.peer_disk = DiskState::parse(b);
                }
            }
            out.minors.push(m);
        } else if let Some(m) = out.minors.last_mut() {
            if t.starts_with("ns:") {
                for w in t.split_whitespace() {
                    if let Some(o) = w.strip_prefix("oos:") {
                        m.out_of_sync_kib = o.parse().ok();
                    }
                }
            } else if let Some(i) = t.find("sync'ed:") {
                let p = t[i + 8..].trim_start();
                let p = p.split('%').next().unwrap_or("");
                let percent = crate::sh_status::percent("sync'ed", p.trim())?;
                let s = m.sync.get_or_insert_with(SyncProgress::default);
                s.percent = percent;
                s.out_of_sync_kib = m.out_of_sync_kib;
            } else if let Some(f) = t.strip_prefix("finish:") {
                let hms = f.split_whitespace().next().unwrap_or("");
                let s = m.sync.get_or_insert_with(SyncProgress::default);
                s.eta_secs = parse_hms(hms);
            }
        }
    }
    Ok(out)
}

fn parse_version(v: &str) -> Result<(u32, u32, u32), ParseError> {
    let bad = || ParseError(format!("/proc/drbd: bad version {:?}", clip(v, 30)));
    // "8.4.11", "9.2.12", "9.1.0-rc.1"
    let core = v.split(['-', '+']).next().unwrap_or("");
    let mut parts = core.split('.').map(|p| p.parse::<u32>());
    let a = parts.next().and_then(Result::ok).ok_or_else(bad)?;
    let b = parts.next().and_then(Result::ok).ok_or_else(bad)?;
    let c = match parts.next() {
        Some(r) => r.map_err(|_| bad())?,
        None => 0,
    };
    Ok((a, b, c))
}

/// `0:01:41` -> 101 seconds (hours unbounded).
fn parse_hms(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut n = 0;
    for part in s.split(':') {
        let v: u64 = part.parse().ok()?;
        total = total.checked_mul(60)?.checked_add(v)?;
        n += 1;
    }
    (1..=3).contains(&n).then_some(total)
}

/// The resource `name` built from /proc/drbd alone (DRBD 8.4), given which minors are its
/// volumes: `links` are the entries of debugfs' `drbd/minors/` directory as (minor, link
/// target), e.g. `(0, "../resources/r0/volumes/0")`. The same state `drbdsetup sh-status`
/// reports, without running a process. A minor missing from /proc/drbd is skipped.
pub fn resource_from(proc: &ProcDrbd, name: &str, links: &[(u32, String)]) -> crate::Resource {
    use crate::{Resource, Role};
    let mut res = Resource {
        name: name.to_string(),
        ..Resource::default()
    };
    let prefix = format!("../resources/{name}/volumes/");
    let mut vols: Vec<(u32, u32)> = links
        .iter()
        .filter_map(|(minor, target)| {
            let vnr = target
                .trim_end_matches('/')
                .strip_prefix(&prefix)?
                .parse()
                .ok()?;
            Some((vnr, *minor))
        })
        .collect();
    vols.sort_unstable();
    for (vnr, minor) in vols {
        let Some(m) = proc.minor(minor) else { continue };
        if m.cstate == "Unconfigured" {
            continue;
        }
        if m.role == Role::Primary || res.role == Role::Unknown {
            res.role = m.role;
        }
        let v = res.volume_mut(vnr);
        v.minor = Some(minor);
        v.disk = m.disk.clone();
        let peer = res.peer_mut(None, None);
        peer.connection = m.cstate.clone();
        if m.peer_role == Role::Primary || peer.role == Role::Unknown {
            peer.role = m.peer_role;
        }
        let pv = peer.volume_mut(vnr);
        pv.replication = m.cstate.clone();
        pv.disk = m.peer_disk.clone();
        pv.sync = m.sync;
    }
    res
}
