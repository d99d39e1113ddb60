// SPDX-License-Identifier: GPL-2.0-or-later
//! What this agent last told Pacemaker (promotion score, resync attributes), kept in a small
//! file under HA_RSCTMP, so a monitor spawns crm_attribute only when something changed (stock
//! drbd.ocf spawns crm_master on every monitor). An entry older than REFRESH is set again, and
//! probes, start, promote, demote and notify always set: a Pacemaker restart that dropped the
//! transient attribute is repaired at the next probe anyway.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const REFRESH: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Told {
    /// `Some(None)`: removed; `Some(Some(n))`: set to n; `None`: unknown.
    pub score: Option<Option<i64>>,
    pub score_at: u64,
    /// Resync attributes as last published: (percent text, eta seconds text).
    pub sync: Option<(String, String)>,
}

pub fn path(dir: &Path, instance: &str) -> PathBuf {
    let safe: String = instance
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("rustha-drbd-{safe}.state"))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub fn load(file: &Path) -> Told {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Told::default();
    };
    let mut t = Told::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        match k {
            "score" if v == "none" => t.score = Some(None),
            "score" => t.score = v.parse().ok().map(Some),
            "score_at" => t.score_at = v.parse().unwrap_or(0),
            "sync" => {
                if let Some((p, e)) = v.split_once(' ') {
                    t.sync = Some((p.to_string(), e.to_string()));
                }
            }
            _ => {}
        }
    }
    t
}

/// Written to a temporary file and renamed: a concurrent reader sees the old or the new state.
pub fn save(file: &Path, t: &Told) {
    let mut s = String::new();
    match t.score {
        Some(Some(n)) => s.push_str(&format!("score={n}\n")),
        Some(None) => s.push_str("score=none\n"),
        None => {}
    }
    s.push_str(&format!("score_at={}\n", t.score_at));
    if let Some((p, e)) = &t.sync {
        s.push_str(&format!("sync={p} {e}\n"));
    }
    // A failure only costs a crm_attribute call at the next monitor.
    let _ = rustha_support::state::replace(file, &s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let dir = std::env::temp_dir().join(format!("rustha-drbd-cache-{}", std::process::id()));
        let f = path(&dir, "drbd_r0:1");
        assert!(f.ends_with("rustha-drbd-drbd_r0_1.state"));
        assert_eq!(load(&f), Told::default());
        let t = Told {
            score: Some(Some(10000)),
            score_at: 5,
            sync: Some(("42.0".into(), "17".into())),
        };
        save(&f, &t);
        assert_eq!(load(&f), t);
        let t = Told {
            score: Some(None),
            score_at: 6,
            sync: None,
        };
        save(&f, &t);
        assert_eq!(load(&f), t);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
