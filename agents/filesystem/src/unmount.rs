// SPDX-License-Identifier: GPL-2.0-or-later
//! Unmounting one mount while it is busy: find the holders, signal them, retry; network file
//! systems fall back to a forced, then lazy, unmount. Bounded by the deadline throughout.

use crate::holders;
use crate::mountinfo::{self, Mount};
use crate::params::{is_network, Config};
use nix::errno::Errno;
use nix::mount::MntFlags;
use rustha_ocf::{bail, Result};
use rustha_support::proc::Stat;
use rustha_support::Deadline;
use std::path::Path;
use std::time::Duration;
use tracing::{info, warn};

/// After the last unmount the device should be free. If it is not, the usual reason is a copy
/// of the mount in another mount namespace (a container, or any `unshare -m` made while the
/// file system was mounted): the file system is then still mounted on this node. Say so.
pub(crate) fn warn_if_still_in_use(dev: &Path, (major, minor): (u32, u32), deadline: &Deadline) {
    use std::os::unix::fs::OpenOptionsExt;
    let free = || {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_EXCL)
            .open(dev)
            .is_ok()
            .then_some(())
    };
    if deadline
        .capped(Duration::from_millis(500))
        .poll(Duration::from_millis(20), free)
        .is_some()
    {
        return;
    }
    let mine = std::fs::read_link("/proc/self/ns/mnt").ok();
    let mut seen = Vec::new();
    let mut holders = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let ns = std::fs::read_link(format!("/proc/{pid}/ns/mnt")).ok();
        if ns.is_none() || ns == mine || seen.contains(&ns) {
            continue;
        }
        seen.push(ns);
        let text = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap_or_default();
        if let Some(m) = mountinfo::parse(&text)
            .into_iter()
            .find(|m| (m.major, m.minor) == (major, minor))
        {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            holders.push(format!("pid {pid} ({}) on {}", comm.trim(), m.mount_point));
        }
        if holders.len() >= 3 || deadline.expired() {
            break;
        }
    }
    warn!(
        "{} is still in use after unmount{}",
        dev.display(),
        if holders.is_empty() {
            String::new()
        } else {
            format!(
                ": still mounted in another mount namespace ({})",
                holders.join(", ")
            )
        }
    );
}

pub(crate) fn still_mounted(mp: &str) -> bool {
    mountinfo::read()
        .map(|t| mountinfo::mounted_at(&t, mp).is_some())
        .unwrap_or(true)
}

/// One umount2 call; for network file systems on a worker thread, so a dead server cannot hold
/// us (`Err(ETIMEDOUT)` then).
pub(crate) fn umount_call(
    mp: &str,
    flags: MntFlags,
    network: bool,
    deadline: &Deadline,
) -> std::result::Result<(), Errno> {
    if !network {
        return nix::mount::umount2(mp, flags);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let path = mp.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(nix::mount::umount2(path.as_str(), flags));
    });
    rx.recv_timeout(deadline.remaining().min(Duration::from_secs(2)))
        .unwrap_or(Err(Errno::ETIMEDOUT))
}

pub(crate) fn unmount(p: &Config, m: &Mount, deadline: &Deadline) -> Result<()> {
    let mp = m.mount_point.as_str();
    let network = is_network(&m.fstype);
    let flags = if network {
        MntFlags::MNT_FORCE
    } else {
        MntFlags::empty()
    };
    let exclude = holders::self_and_ancestors();
    let mut signalled_term = false;
    let mut last_holders: Vec<holders::Holder> = Vec::new();
    let mut last_err;
    loop {
        match umount_call(mp, flags, network, deadline) {
            Ok(()) => {
                info!("unmounted {mp} successfully");
                return Ok(());
            }
            Err(Errno::EINVAL | Errno::ENOENT) if !still_mounted(mp) => return Ok(()),
            Err(e) => last_err = e,
        }
        if network
            && (signalled_term || !p.kill_holders || deadline.remaining() < Duration::from_secs(3))
        {
            // The server may be gone for good: detach the mount so nothing new can use it.
            if nix::mount::umount2(mp, MntFlags::MNT_DETACH).is_ok() {
                warn!("{mp}: forced unmount failed ({last_err}); lazily unmounted (detached) it");
                return Ok(());
            }
        }
        if deadline.expired() {
            break;
        }
        if !p.kill_holders {
            deadline.sleep(Duration::from_secs(1));
            continue;
        }
        let found = holders::find(&[mp.to_string()], &exclude, deadline);
        if found.is_empty() {
            // Busy without a visible holder (in-flight I/O, another namespace, a depth-20 monitor
            // of this agent finishing its status file): retry shortly.
            deadline.sleep(Duration::from_millis(50));
            continue;
        }
        let sigs = if signalled_term {
            &p.kill_signals
        } else {
            &p.term_signals
        };
        let dirs = [mp.to_string()];
        for h in &found {
            let names: Vec<&str> = sigs.iter().map(|s| s.as_str()).collect();
            if holders::signal_holder(h, &dirs, sigs) {
                info!(
                    "sent {} to pid {} ({}): {}",
                    names.join(","),
                    h.pid,
                    h.comm,
                    h.how
                );
            }
        }
        let wait = if signalled_term {
            Duration::from_secs(2)
        } else {
            p.signal_delay
        };
        let pids: Vec<i32> = found.iter().map(|h| h.pid).collect();
        // Wait until they are gone, at most `wait`.
        deadline.capped(wait).poll(Duration::from_millis(20), || {
            pids.iter()
                .all(|pid| Stat::read(*pid).is_none_or(|s| s.is_dead()))
                .then_some(())
        });
        signalled_term = true;
        last_holders = found;
    }
    if last_holders.is_empty() {
        // Not looked for (force_unmount=false) or gone meanwhile: still name who holds it. The
        // walk takes milliseconds; the deadline's safety margin has room for it.
        let budget = Deadline::after(Duration::from_millis(200));
        last_holders = holders::find(&[mp.to_string()], &exclude, &budget);
    }
    for h in &last_holders {
        warn!(
            "{mp} is still held by pid {} ({}): {}",
            h.pid, h.comm, h.how
        );
    }
    // Pacemaker keeps only the first 128 bytes of an exit reason: name the holders with paths
    // relative to the mount point, which the reason already names.
    let relative = |how: &str| how.replace(&format!("{mp}/"), "").replace(mp, ".");
    let who: Vec<String> = last_holders
        .iter()
        .take(5)
        .map(|h| format!("pid {} ({}): {}", h.pid, h.comm, relative(&h.how)))
        .collect();
    bail!(
        ErrGeneric,
        "Couldn't unmount {mp}: {}{}",
        last_err.desc(),
        if who.is_empty() {
            String::new()
        } else {
            format!("; held by {}", who.join(", "))
        }
    )
}
