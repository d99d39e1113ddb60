// SPDX-License-Identifier: GPL-2.0-or-later
//! How often a recurring monitor re-reads the VG metadata (the ownership check), and what it
//! remembers in between. Without I/O: the agent's [`crate::sys`] reads and writes the record.
//!
//! Reading the metadata off a PV with O_DIRECT (in a helper thread, under the deadline) is most
//! of what a monitor costs after the process start. A recurring monitor therefore trusts a
//! successful check younger than [`period`] (at most 60 s, at most 10 monitor intervals): it
//! still scans device-mapper in sysfs (LVs gone, missing devices, an incomplete VG against the
//! LVs the last check saw) but does not read the PV. Probes, depth-10 monitors and start always
//! read it, and so does every monitor whose record is missing, unreadable, from another boot,
//! from the future, for another configuration or another set of PVs, or too old.
//!
//! The record (one per resource instance, in the OCF state directory) is `key=value` lines:
//! the format, the boot ID (`/proc/sys/kernel/random/boot_id`), the `CLOCK_BOOTTIME` of the
//! check in nanoseconds (monotonic across processes, counts suspend, restarts at boot), the
//! configuration checked, the PVs in use and the LVs the metadata says are to be active.

use std::time::Duration;

/// The first line of a record; a record without it is not ours (or of another version).
pub const FORMAT: &str = "rustha-lvm-ownership-check 1";
/// The longest a recurring monitor trusts a check.
pub const MAX_PERIOD: Duration = Duration::from_secs(60);
/// At least every this many recurring monitors read the metadata.
pub const EVERY: u32 = 10;

/// How long a recurring monitor with this interval trusts the last check: the smaller of
/// [`MAX_PERIOD`] and [`EVERY`] intervals. Zero (always read) for a probe (interval 0).
pub fn period(interval: Duration) -> Duration {
    interval.saturating_mul(EVERY).min(MAX_PERIOD)
}

/// How long this monitor trusts the last check: zero (read the metadata) for a probe and for a
/// monitor at depth 10 or deeper, else [`period`] of its interval.
pub fn trust_period(probe: bool, check_level: u32, interval: Duration) -> Duration {
    if probe || check_level >= 10 {
        Duration::ZERO
    } else {
        period(interval)
    }
}

/// One successful ownership check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The kernel's boot ID when it was made.
    pub boot_id: String,
    /// `CLOCK_BOOTTIME` when the metadata was read.
    pub at: Duration,
    /// The configuration it was checked for ([`Checked::key`]).
    pub key: String,
    /// The PVs in use then (kernel names, as sysfs lists them).
    pub pvs: Vec<String>,
    /// The LVs the metadata wants active (for the completeness check in between).
    pub lvs: Vec<String>,
    /// What it saw (system ID, tags), for the log.
    pub seen: String,
}

/// Why a record does not stand in for a check now (for the debug log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    OtherBoot,
    FromTheFuture,
    TooOld,
    OtherConfiguration,
    OtherPvs,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(match self {
            Stale::OtherBoot => "made before a reboot",
            Stale::FromTheFuture => "newer than the clock",
            Stale::TooOld => "too old",
            Stale::OtherConfiguration => "made for another configuration",
            Stale::OtherPvs => "made when other PVs were in use",
        })
    }
}

/// The current moment as the record measures it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Now<'a> {
    pub boot_id: &'a str,
    pub boottime: Duration,
}

impl Checked {
    /// What identifies the configuration checked: a change of any of these (a reload, another
    /// agent or mode) makes a record stale. Newlines cannot reach the record through it.
    pub fn key(parts: &[&str]) -> String {
        let mut key = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                key.push('|');
            }
            for c in p.chars() {
                match c {
                    '\\' => key.push_str("\\\\"),
                    '|' => key.push_str("\\|"),
                    '\n' => key.push_str("\\n"),
                    '\r' => key.push_str("\\r"),
                    c => key.push(c),
                }
            }
        }
        key
    }

    pub fn render(&self) -> String {
        let line = |s: &str| s.replace(['\n', '\r'], " ");
        format!(
            "{FORMAT}\nboot_id={}\nat={}\nkey={}\npvs={}\nlvs={}\nseen={}\n",
            line(&self.boot_id),
            self.at.as_nanos(),
            line(&self.key),
            line(&self.pvs.join(",")),
            line(&self.lvs.join(",")),
            line(&self.seen),
        )
    }

    /// A record as [`Checked::render`] wrote it; `None` for anything else (empty, cut short,
    /// garbage, another format): the monitor then reads the metadata.
    pub fn parse(text: &str) -> Option<Checked> {
        let mut lines = text.lines();
        if lines.next()? != FORMAT {
            return None;
        }
        let (mut boot_id, mut at, mut key, mut pvs, mut lvs, mut seen) =
            (None, None, None, None, None, None);
        for l in lines {
            let (k, v) = l.split_once('=')?;
            let slot = match k {
                "boot_id" => &mut boot_id,
                "at" => &mut at,
                "key" => &mut key,
                "pvs" => &mut pvs,
                "lvs" => &mut lvs,
                "seen" => &mut seen,
                _ => return None,
            };
            if slot.replace(v).is_some() {
                return None;
            }
        }
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect()
        };
        let boot_id = boot_id?.trim();
        let at: u64 = at?.parse().ok()?;
        // Written last: a record cut short by a crash has no `seen` line and is refused.
        let seen = seen?;
        (!boot_id.is_empty()).then(|| Checked {
            boot_id: boot_id.to_string(),
            at: Duration::from_nanos(at),
            key: key.unwrap_or_default().to_string(),
            pvs: list(pvs.unwrap_or_default()),
            lvs: list(lvs.unwrap_or_default()),
            seen: seen.to_string(),
        })
    }

    /// Whether this record stands in for reading the metadata now, for this configuration
    /// with these PVs in use; `Err` says why not.
    pub fn covers(
        &self,
        now: &Now,
        key: &str,
        pvs: &[String],
        period: Duration,
    ) -> Result<Duration, Stale> {
        if self.boot_id != now.boot_id.trim() {
            return Err(Stale::OtherBoot);
        }
        let age = now
            .boottime
            .checked_sub(self.at)
            .ok_or(Stale::FromTheFuture)?;
        if age >= period {
            return Err(Stale::TooOld);
        }
        if self.key != key {
            return Err(Stale::OtherConfiguration);
        }
        let mut a = self.pvs.clone();
        let mut b = pvs.to_vec();
        a.sort();
        b.sort();
        if a != b || b.is_empty() {
            return Err(Stale::OtherPvs);
        }
        Ok(age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOT: &str = "6f0a9c1e-2b8d-4c47-9a55-3f1d0e2b7c11";

    fn rec(at_s: u64) -> Checked {
        Checked {
            boot_id: BOOT.into(),
            at: Duration::from_secs(at_s),
            key: Checked::key(&["LVM-activate", "vg0", "", "system_id", "node1"]),
            pvs: vec!["sdb".into(), "sdc".into()],
            lvs: vec!["lv1".into(), "lv2".into()],
            seen: "system ID node1".into(),
        }
    }

    fn now(s: u64) -> Now<'static> {
        Now {
            boot_id: BOOT,
            boottime: Duration::from_secs(s),
        }
    }

    fn pvs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn period_is_ten_intervals_at_most_a_minute_and_zero_for_a_probe() {
        assert_eq!(period(Duration::ZERO), Duration::ZERO);
        assert_eq!(period(Duration::from_millis(100)), Duration::from_secs(1));
        assert_eq!(period(Duration::from_secs(3)), Duration::from_secs(30));
        assert_eq!(period(Duration::from_secs(10)), Duration::from_secs(60));
        assert_eq!(period(Duration::from_secs(30)), Duration::from_secs(60));
        assert_eq!(period(Duration::from_secs(600)), Duration::from_secs(60));
        assert_eq!(period(Duration::MAX), MAX_PERIOD);
    }

    #[test]
    fn probes_and_deep_monitors_always_read() {
        let thirty = Duration::from_secs(30);
        assert_eq!(trust_period(false, 0, thirty), MAX_PERIOD);
        assert_eq!(trust_period(true, 0, thirty), Duration::ZERO);
        assert_eq!(trust_period(false, 10, thirty), Duration::ZERO);
        assert_eq!(trust_period(false, 20, thirty), Duration::ZERO);
        assert_eq!(trust_period(false, 0, Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn a_record_round_trips() {
        let r = rec(100);
        assert_eq!(Checked::parse(&r.render()), Some(r));
        let empty = Checked {
            lvs: vec![],
            ..rec(1)
        };
        assert_eq!(Checked::parse(&empty.render()), Some(empty));
    }

    #[test]
    fn a_fresh_record_for_the_same_configuration_and_pvs_covers() {
        let r = rec(100);
        let key = r.key.clone();
        let p = pvs(&["sdc", "sdb"]);
        let sixty = Duration::from_secs(60);
        assert_eq!(r.covers(&now(100), &key, &p, sixty), Ok(Duration::ZERO));
        assert_eq!(
            r.covers(&now(159), &key, &p, sixty),
            Ok(Duration::from_secs(59))
        );
        assert_eq!(r.covers(&now(160), &key, &p, sixty), Err(Stale::TooOld));
        // A probe's period is zero: never covered.
        assert_eq!(
            r.covers(&now(100), &key, &p, period(Duration::ZERO)),
            Err(Stale::TooOld)
        );
    }

    #[test]
    fn any_doubt_means_reading_the_metadata() {
        let r = rec(100);
        let key = r.key.clone();
        let p = pvs(&["sdb", "sdc"]);
        let sixty = Duration::from_secs(60);
        // The clock went back (garbage, or another boot without a readable boot ID).
        assert_eq!(
            r.covers(&now(99), &key, &p, sixty),
            Err(Stale::FromTheFuture)
        );
        let other_boot = Now {
            boot_id: "00000000-2b8d-4c47-9a55-3f1d0e2b7c11",
            boottime: Duration::from_secs(101),
        };
        assert_eq!(
            r.covers(&other_boot, &key, &p, sixty),
            Err(Stale::OtherBoot)
        );
        let other_key = Checked::key(&["LVM-activate", "vg0", "", "tagging", "pacemaker"]);
        assert_eq!(
            r.covers(&now(101), &other_key, &p, sixty),
            Err(Stale::OtherConfiguration)
        );
        assert_eq!(
            r.covers(&now(101), &key, &pvs(&["sdb"]), sixty),
            Err(Stale::OtherPvs)
        );
        assert_eq!(
            r.covers(&now(101), &key, &pvs(&["sdb", "sdc", "sdd"]), sixty),
            Err(Stale::OtherPvs)
        );
        let none = Checked {
            pvs: vec![],
            ..rec(100)
        };
        assert_eq!(
            none.covers(&now(101), &key, &[], sixty),
            Err(Stale::OtherPvs)
        );
    }

    #[test]
    fn garbage_is_no_record() {
        let good = rec(100).render();
        for bad in [
            String::new(),
            "\0\0\0\0".into(),
            "garbage".into(),
            good.replace(FORMAT, "rustha-lvm-ownership-check 0"),
            good.replace("at=100000000000", "at=-1"),
            good.replace("at=100000000000", "at=1e9"),
            good.replace("at=100000000000", "at=99999999999999999999999"),
            good.replace(&format!("boot_id={BOOT}"), "boot_id="),
            // Cut short (a crash while writing): the last line is missing.
            good.lines().take(6).collect::<Vec<_>>().join("\n"),
            // A line twice, or one we do not know.
            format!("{good}at=1\n"),
            format!("{good}owner=x\n"),
            format!("{good}no equals sign\n"),
        ] {
            assert_eq!(Checked::parse(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn keys_and_values_stay_on_their_line() {
        let k = Checked::key(&["LVM-activate", "vg\nat=0", "a|b"]);
        assert!(!k.contains('\n'));
        assert_ne!(k, Checked::key(&["LVM-activate", "vg", "at=0|a|b"]));
        let r = Checked {
            key: k.clone(),
            seen: "tags a\nb".into(),
            ..rec(5)
        };
        let back = Checked::parse(&r.render()).unwrap();
        assert_eq!(back.key, k);
        assert_eq!(back.seen, "tags a b");
    }
}
