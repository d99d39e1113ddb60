// SPDX-License-Identifier: GPL-2.0-or-later
//! The parameters of ocf:linbit:drbd, with its defaults, each declared once.

use drbd_status::score::Table;
use rustha_ocf::params::parse;
use rustha_ocf::{params, Kind, Parameter};

/// `remove_master_score_if_peer_primary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerPrimary {
    Keep,
    Remove,
    /// Only when Pacemaker does not know the peer as promoted.
    Unexpected,
}

/// A module version `x.y.z` (`require_drbd_module_version_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

fn resource_name(v: &str) -> Result<String, String> {
    // drbd.ocf's charset; also keeps the name out of any option syntax.
    let ok = |c: char| c.is_ascii_alphanumeric() || "-%+./:=@_".contains(c);
    if v.is_empty() || v.starts_with('-') || v.len() > 128 || !v.chars().all(ok) {
        return Err("a DRBD resource name of [-%+./0-9:=@A-Z_a-z]".into());
    }
    Ok(v.to_string())
}

fn config_path(v: &str) -> Result<String, String> {
    // drbd.ocf's charset; whether the file exists is checked by the actions (not installed: 5).
    let ok = |c: char| c.is_ascii_alphanumeric() || "-%+./:=@_".contains(c);
    if v.is_empty() || v.starts_with('-') || !v.chars().all(ok) {
        return Err("a path of [-%+./0-9:=@A-Z_a-z]".into());
    }
    Ok(v.to_string())
}

fn table(v: &str) -> Result<Table, String> {
    v.parse::<Table>()
        .map_err(|e| format!("4 non-decreasing integers ({e})"))
}

fn peer_primary(v: &str) -> Result<PeerPrimary, String> {
    if v.trim() == "unexpected" {
        return Ok(PeerPrimary::Unexpected);
    }
    match parse::boolean(v) {
        Ok(true) => Ok(PeerPrimary::Remove),
        Ok(false) => Ok(PeerPrimary::Keep),
        Err(_) => Err("true, false or unexpected".into()),
    }
}

/// drbd.ocf: digits wait that long; anything else (empty) does not wait.
fn wfc(v: &str) -> Result<Option<u32>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<u32>()
        .map(Some)
        .map_err(|_| "seconds, or empty for no wait".into())
}

fn version(v: &str) -> Result<Option<Version>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = v.split('.').collect();
    let n = |s: &str| s.parse::<u32>().ok();
    match parts.as_slice() {
        [a, b, c] => match (n(a), n(b), n(c)) {
            (Some(a), Some(b), Some(c)) => Ok(Some(Version(a, b, c))),
            _ => Err("a version x.y.z".into()),
        },
        _ => Err("a version x.y.z".into()),
    }
}

fn extra_args(v: &str) -> Result<String, String> {
    if v.chars().any(|c| c.is_control()) {
        return Err("handler options on one line".into());
    }
    Ok(v.to_string())
}

params! {
    /// The parameters of ocf:linbit:drbd.
    pub struct Params {
        pub drbd_resource: String = Parameter::new("drbd_resource", Kind::String, "drbd resource name")
            .required().unique().identifies().example("r0")
            .long("The name of the DRBD resource from the drbd.conf file.")
            => resource_name,
        pub drbdconf: String = Parameter::new("drbdconf", Kind::String, "Path to drbd.conf")
            .default("/etc/drbd.conf")
            .long("Full path to the drbd.conf file.")
            => config_path,
        pub adjust_master_score: Table = Parameter::new("adjust_master_score", Kind::String, "master score adjustments")
            .default("0 10 1000 10000").reloadable()
            .long("Space separated list of four promotion scores: for a node with only Consistent data, \
with only a peer's data UpToDate, with UpToDate data but unknown peer state, and with \
UpToDate data and known peer state. 0 means \"not promotable\" (the score is removed).")
            => table,
        pub stop_outdates_secondary: bool = Parameter::new("stop_outdates_secondary", Kind::Boolean, "outdate a secondary on stop")
            .default("false").reloadable()
            .long("When a Secondary is stopped while another node is Primary, mark its data Outdated, \
so it cannot be promoted should the Primary fail before it resynced.")
            => parse::boolean,
        pub ignore_missing_notifications: bool = Parameter::new("ignore_missing_notifications", Kind::Boolean, "ignore missing notifications")
            .default("false").reloadable()
            .long("Run even when the clone is not configured with notify=true (not recommended: the \
agent then misses peers starting and stopping).")
            => parse::boolean,
        pub wfc_timeout: Option<u32> = Parameter::new("wfc_timeout", Kind::String, "wait for connection timeout")
            .default("5").reloadable()
            .long("How many seconds start waits for the peer to connect (empty: do not wait).")
            => wfc,
        pub remove_master_score_if_peer_primary: PeerPrimary = Parameter::new("remove_master_score_if_peer_primary", Kind::String, "remove master score if peer is primary")
            .default("false").reloadable()
            .long("true: a Secondary whose peer is Primary with UpToDate data loses its promotion score. \
unexpected: only when Pacemaker does not know that peer as promoted (it was promoted behind \
Pacemaker's back).")
            => peer_primary,
        pub fail_promote_early_if_peer_primary: bool = Parameter::new("fail_promote_early_if_peer_primary", Kind::Boolean, "fail promote if peer is primary")
            .default("false").reloadable()
            .long("Give up promote after the first failed attempt when a peer is Primary, instead of \
retrying until the timeout.")
            => parse::boolean,
        pub unfence_if_all_uptodate: bool = Parameter::new("unfence_if_all_uptodate", Kind::Boolean, "unfence if all up to date")
            .default("false").reloadable()
            .long("DRBD 9: when this node is Primary and every disk is UpToDate, monitor runs \
`drbdadm unfence-peer` (removes a fencing constraint left behind).")
            => parse::boolean,
        pub unfence_extra_args: String = Parameter::new("unfence_extra_args", Kind::String, "extra unfence-peer arguments")
            .default("--quiet --flock-required --flock-timeout 0 --unfence-only-if-owner-match").reloadable()
            .long("Options passed to the unfence-peer handler (as OCF_RESKEY_unfence_extra_args).")
            => extra_args,
        pub require_drbd_module_version_ge: Option<Version> = Parameter::new("require_drbd_module_version_ge", Kind::String, "require drbd module version greater or equal")
            .default("8.0.0")
            .long("The DRBD kernel module must be at least this version (x.y.z; empty: any).")
            => version,
        pub require_drbd_module_version_lt: Option<Version> = Parameter::new("require_drbd_module_version_lt", Kind::String, "require drbd module version less than")
            .default("10.0.0")
            .long("The DRBD kernel module must be older than this version (x.y.z; empty: any).")
            => version,
        pub connect_only_after_promote: bool = Parameter::new("connect_only_after_promote", Kind::Boolean, "connect only after promote")
            .default("false")
            .long("Start attaches the disk but does not connect; the connection is made after promote.")
            => parse::boolean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers() {
        assert!(resource_name("r0").is_ok());
        assert!(resource_name("-r").is_err());
        assert!(resource_name("r 0").is_err());
        assert!(resource_name("").is_err());
        assert!(config_path("/etc/drbd.conf").is_ok());
        assert!(config_path("-c").is_err());
        assert!(config_path("/etc/drbd conf").is_err());
        assert_eq!(peer_primary("unexpected"), Ok(PeerPrimary::Unexpected));
        assert_eq!(peer_primary("yes"), Ok(PeerPrimary::Remove));
        assert_eq!(peer_primary("false"), Ok(PeerPrimary::Keep));
        assert!(peer_primary("maybe").is_err());
        assert_eq!(wfc(""), Ok(None));
        assert_eq!(wfc("7"), Ok(Some(7)));
        assert!(wfc("x").is_err());
        assert_eq!(version("8.4.11"), Ok(Some(Version(8, 4, 11))));
        assert_eq!(version(""), Ok(None));
        assert!(version("8.4").is_err());
        assert!(Version(8, 4, 11) < Version(10, 0, 0));
        assert!(table("0 10 1000 10000").is_ok());
        assert!(table("1 2").is_err());
    }
}
