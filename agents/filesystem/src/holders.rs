// SPDX-License-Identifier: GPL-2.0-or-later
//! Which processes hold a mount, found by walking `/proc` without ever touching the mount.
//!
//! Only `readlink` on `/proc/PID/{cwd,root,exe,fd/N}` and reads of `/proc/PID/maps`: procfs
//! answers these from the kernel's own records, so a dead NFS server cannot block them (unlike
//! `fuser`, which stat()s). Paths are compared by components, so `/srv/data` never matches
//! `/srv/data2`.

use crate::mountinfo::is_under;
use nix::sys::signal::Signal;
use rustha_support::proc::Stat;
use rustha_support::Deadline;
use std::collections::BTreeSet;
use std::os::fd::{AsRawFd, FromRawFd};
use std::str::FromStr;

/// A process that uses the mount, and one way it does (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: i32,
    pub comm: String,
    pub how: String,
}

/// The file paths in the text of `/proc/PID/maps` (the sixth column, which may contain spaces).
pub fn parse_maps_paths(maps: &str) -> impl Iterator<Item = &str> {
    maps.lines().filter_map(|line| {
        let mut rest = line;
        for _ in 0..5 {
            let t = rest.trim_start();
            let end = t.find(char::is_whitespace)?;
            rest = &t[end..];
        }
        let p = rest.trim_start();
        p.starts_with('/').then(|| strip_deleted(p))
    })
}

/// A link target or map path of a deleted file ends in ` (deleted)`; the file still pins the mount.
pub fn strip_deleted(p: &str) -> &str {
    p.strip_suffix(" (deleted)").unwrap_or(p)
}

/// Signal names (`TERM`, `SIGTERM`, `term`) or numbers, separated by spaces or commas.
pub fn parse_signals(list: &str) -> Result<Vec<Signal>, String> {
    list.split([' ', ',', '\t'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            if let Ok(n) = s.parse::<i32>() {
                return Signal::try_from(n).map_err(|_| format!("{s:?} is not a signal number"));
            }
            let up = s.to_ascii_uppercase();
            let name = if up.starts_with("SIG") {
                up
            } else {
                format!("SIG{up}")
            };
            Signal::from_str(&name).map_err(|_| format!("{s:?} is not a signal name"))
        })
        .collect()
}

/// This process and its ancestors: never signalled (the agent, lrmd/pacemaker-execd, ...).
pub fn self_and_ancestors() -> BTreeSet<i32> {
    let mut set = BTreeSet::new();
    let mut pid = std::process::id() as i32;
    while pid > 0 && set.insert(pid) {
        pid = Stat::read(pid).map(|s| s.ppid).unwrap_or(0);
    }
    set.insert(1);
    set
}

fn link(path: &str) -> Option<String> {
    std::fs::read_link(path)
        .ok()
        .map(|p| strip_deleted(&p.to_string_lossy()).to_string())
}

/// How `pid` uses a path under one of `dirs`, or `None`. Processes in another mount namespace
/// are skipped: their paths are not ours to compare.
fn holds(pid: i32, dirs: &[String], my_mnt_ns: &Option<String>) -> Option<String> {
    let base = format!("/proc/{pid}");
    if my_mnt_ns.is_some() && link(&format!("{base}/ns/mnt")) != *my_mnt_ns {
        return None;
    }
    let under = |p: &str| dirs.iter().any(|d| is_under(p, d));
    for what in ["cwd", "root", "exe"] {
        if let Some(p) = link(&format!("{base}/{what}")) {
            if under(&p) {
                return Some(format!("{what} {p}"));
            }
        }
    }
    if let Ok(fds) = std::fs::read_dir(format!("{base}/fd")) {
        for fd in fds.flatten() {
            if let Ok(p) = std::fs::read_link(fd.path()) {
                let p = p.to_string_lossy();
                let p = strip_deleted(&p);
                if under(p) {
                    return Some(format!("open file {p}"));
                }
            }
        }
    }
    if let Ok(maps) = std::fs::read_to_string(format!("{base}/maps")) {
        if let Some(p) = parse_maps_paths(&maps).find(|p| under(p)) {
            return Some(format!("memory map {p}"));
        }
    }
    None
}

/// Every process (outside `exclude`) that uses a path under one of `dirs`; stops looking when
/// `deadline` passes. Processes running this agent's own program are not holders: their hold is
/// a depth-20 monitor's status file for a moment (the caller retries until it is gone).
pub fn find(dirs: &[String], exclude: &BTreeSet<i32>, deadline: &Deadline) -> Vec<Holder> {
    let my_ns = link("/proc/self/ns/mnt");
    let my_exe = link("/proc/self/exe");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        if deadline.expired() {
            break;
        }
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if exclude.contains(&pid)
            || (my_exe.is_some() && link(&format!("/proc/{pid}/exe")) == my_exe)
        {
            continue;
        }
        if let Some(how) = holds(pid, dirs, &my_ns) {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|c| c.trim().to_string())
                .unwrap_or_default();
            out.push(Holder { pid, comm, how });
        }
    }
    out
}

/// Send `signals` to a holder, but only if the process behind the pid still holds one of
/// `dirs`: the check is made through a pidfd opened first, so a pid reused by an unrelated
/// process between the /proc walk and the signal is never hit. Returns whether it was signalled.
pub fn signal_holder(h: &Holder, dirs: &[String], signals: &[Signal]) -> bool {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, h.pid, 0) };
    if fd < 0 {
        return false; // gone already (or a kernel without pidfds: nothing safe to do)
    }
    // SAFETY: fd was just returned by pidfd_open and is owned here.
    let fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as i32) };
    let my_ns = link("/proc/self/ns/mnt");
    if holds(h.pid, dirs, &my_ns).is_none() {
        return false;
    }
    for &s in signals {
        // SAFETY: a valid pidfd, a valid signal number, no siginfo, no flags.
        unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                fd.as_raw_fd(),
                s as libc::c_int,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_paths() {
        let maps = "\
55d0c0000000-55d0c0002000 r--p 00000000 07:03 12  /srv/data/bin/my prog
7f00-7f01 rw-s 00000000 07:03 13                       /srv/data/shm (deleted)
7f01-7f02 rw-p 00000000 00:00 0                        [heap]
7f02-7f03 rw-p 00000000 00:00 0
";
        let v: Vec<&str> = parse_maps_paths(maps).collect();
        assert_eq!(v, vec!["/srv/data/bin/my prog", "/srv/data/shm"]);
    }

    #[test]
    fn signals() {
        assert_eq!(
            parse_signals("TERM sigint,9  HUP").unwrap(),
            vec![
                Signal::SIGTERM,
                Signal::SIGINT,
                Signal::SIGKILL,
                Signal::SIGHUP
            ]
        );
        assert!(parse_signals("TERM NOPE").unwrap_err().contains("\"NOPE\""));
        assert!(parse_signals("99").is_err());
        assert!(parse_signals("").unwrap().is_empty());
    }

    #[test]
    fn signals_only_a_process_that_still_holds() {
        let dir = std::env::temp_dir().join(format!("rustha-holders-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.to_string_lossy().into_owned();
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .current_dir(&dir)
            .spawn()
            .unwrap();
        let h = Holder {
            pid: child.id() as i32,
            comm: "sleep".into(),
            how: String::new(),
        };
        // Not holding /nonexistent: left alone.
        assert!(!signal_holder(
            &h,
            &["/nonexistent".into()],
            &[Signal::SIGKILL]
        ));
        assert!(child.try_wait().unwrap().is_none());
        assert!(signal_holder(&h, &[d], &[Signal::SIGKILL]));
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        let _ = std::fs::remove_dir(&dir);
    }

    #[test]
    fn never_self() {
        let me = std::process::id() as i32;
        let ex = self_and_ancestors();
        assert!(ex.contains(&me) && ex.contains(&1));
        let cwd = std::env::current_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let d = Deadline::after(std::time::Duration::from_secs(5));
        assert!(find(&[cwd], &ex, &d).iter().all(|h| h.pid != me));
    }
}
