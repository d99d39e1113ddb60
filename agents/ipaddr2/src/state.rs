//! State kept between invocations in the state directory (`HA_RSCTMP`): the background ARP
//! sender's PID file and the loopback address saved by `lvs_support`.
//!
//! The PID file holds `PID STARTTIME` (field 22 of `/proc/PID/stat`), so stop signals the
//! sender only if that very process still runs, never a recycled PID.

use crate::agent::sender_deadline;
use crate::netlink::Netlink;
use crate::params::Params;
use crate::rtnl::{self, AddrSpec, Link};
use crate::sender::{self, Announce};
use rustha_ocf::{Error, Invocation, Result};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

fn file_name(prefix: &str, p: &Params, ip: IpAddr) -> String {
    match &p.network_namespace {
        Some(ns) => format!("{prefix}-{ns}-{ip}"),
        None => format!("{prefix}-{ip}"),
    }
}

/// The PID file of the background sender for this address.
pub fn pid_file(inv: &Invocation, p: &Params) -> PathBuf {
    inv.state_dir().join(file_name("IPaddr2-send_arp", p, p.ip))
}

/// `PID STARTTIME` → (pid, starttime).
pub fn parse_pid_file(s: &str) -> Option<(i32, u64)> {
    let mut it = s.split_whitespace();
    let pid: i32 = it.next()?.parse().ok()?;
    let start: u64 = it.next()?.parse().ok()?;
    (pid > 1).then_some((pid, start))
}

/// Field 22 (starttime) of a `/proc/PID/stat` line; the command name may contain spaces and
/// parentheses, so fields are counted after the last `)`.
pub fn stat_starttime(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// The starttime of a live (not zombie) process.
fn starttime_of(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let state = stat[stat.rfind(')')? + 1..].split_whitespace().next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    stat_starttime(&stat)
}

/// Fork a child that sends `count` announcements and exits; its PID file lets stop end it.
pub fn spawn_sender(inv: &Invocation, p: &Params, a: &Announce, count: u32) -> std::io::Result<()> {
    let file = pid_file(inv, p);
    std::fs::create_dir_all(inv.state_dir())?;
    // One sender per address: a newer one replaces one still running (its PID file would be lost).
    stop_sender(inv, p);
    let interval = p.arp_interval;
    let announce = *a;
    // SAFETY: the agent is single-threaded; the child only sends packets, touches its own PID
    // file and leaves with _exit.
    match unsafe { nix::unistd::fork() }.map_err(std::io::Error::from)? {
        nix::unistd::ForkResult::Child => {
            detach();
            let deadline = sender_deadline(count, interval);
            let _ = sender::announce(&announce, count, interval, &deadline);
            let me = std::process::id() as i32;
            if let Ok(s) = std::fs::read_to_string(&file) {
                if parse_pid_file(&s).map(|(pid, _)| pid) == Some(me) {
                    let _ = std::fs::remove_file(&file);
                }
            }
            // SAFETY: ends the child without running the parent's exit handlers.
            unsafe { libc::_exit(0) }
        }
        nix::unistd::ForkResult::Parent { child } => {
            let pid = child.as_raw();
            // The child may not be visible in /proc for an instant; its starttime is fixed.
            let start = (0..50).find_map(|_| {
                starttime_of(pid).or_else(|| {
                    std::thread::sleep(Duration::from_millis(1));
                    None
                })
            });
            match start {
                Some(start) => std::fs::write(&file, format!("{pid} {start}\n"))?,
                None => tracing::debug!("background sender {pid} finished at once"),
            }
            tracing::info!(
                "sending {count} unsolicited {} for {} in the background (pid {pid})",
                if a.ip.is_ipv4() { "ARPs" } else { "NAs" },
                a.ip
            );
            Ok(())
        }
    }
}

/// New session, standard streams on /dev/null: the caller's pipes must not wait for us.
fn detach() {
    let _ = nix::unistd::setsid();
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        use std::os::fd::AsRawFd;
        for fd in 0..3 {
            // SAFETY: dup2 onto the standard descriptors.
            unsafe { libc::dup2(null.as_raw_fd(), fd) };
        }
    }
}

/// The PID of this address's background sender, if it still runs (verified by its starttime).
pub fn running_sender(inv: &Invocation, p: &Params) -> Option<i32> {
    let s = std::fs::read_to_string(pid_file(inv, p)).ok()?;
    let (pid, start) = parse_pid_file(&s)?;
    (starttime_of(pid) == Some(start)).then_some(pid)
}

/// End the background sender of this address, if it still runs (verified by its starttime).
pub fn stop_sender(inv: &Invocation, p: &Params) {
    let file = pid_file(inv, p);
    let Ok(s) = std::fs::read_to_string(&file) else {
        return;
    };
    let _ = std::fs::remove_file(&file);
    let Some((pid, start)) = parse_pid_file(&s) else {
        tracing::warn!("ignoring unreadable PID file {}", file.display());
        return;
    };
    if starttime_of(pid) != Some(start) {
        tracing::debug!("background sender {pid} already finished");
        return;
    }
    let target = nix::unistd::Pid::from_raw(pid);
    match nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGTERM) {
        // SIGTERM's default action ends the sender; waiting for its exit would only add the
        // kernel's RCU grace period for closing its packet socket.
        Ok(()) => tracing::info!(
            "killed previously running send_arp for {} (pid {pid})",
            p.ip
        ),
        Err(e) => tracing::warn!(
            "Could not kill previously running send_arp for {}: {e}",
            p.ip
        ),
    }
}

fn loopback_file(inv: &Invocation, p_ns: Option<&str>, ip: Ipv4Addr) -> PathBuf {
    let name = match p_ns {
        Some(ns) => format!("IPaddr2-lvs-{ns}-{ip}"),
        None => format!("IPaddr2-lvs-{ip}"),
    };
    inv.state_dir().join(name)
}

fn ns_of(inv: &Invocation) -> Option<&str> {
    inv.params.get("network_namespace")
}

/// lvs_support: a `/32` of our address on a loopback device is removed on start (and saved).
pub fn remove_conflicting_loopback(
    inv: &Invocation,
    nl: &mut Netlink,
    ip: Ipv4Addr,
    links: &[Link],
) -> Result<()> {
    let addrs = nl
        .addrs(rtnl::AF_INET)
        .map_err(|e| Error::generic(format!("cannot list addresses: {e}")))?;
    for a in addrs
        .iter()
        .filter(|a| a.ip == IpAddr::V4(ip) && a.prefix_len == 32)
    {
        let Some(lo) = links
            .iter()
            .find(|l| l.index == a.index && l.name.starts_with("lo"))
        else {
            continue;
        };
        tracing::info!("Removing conflicting loopback {ip}/32 on {}", lo.name);
        let file = loopback_file(inv, ns_of(inv), ip);
        let _ = std::fs::create_dir_all(inv.state_dir());
        if let Err(e) = std::fs::write(&file, format!("{}\n", lo.name)) {
            tracing::error!(
                "Could not save conflicting loopback {}: {e}; it will not be restored",
                lo.name
            );
        }
        nl.del_addr(&lo_spec(ip, lo.index)).map_err(|e| {
            Error::generic(format!(
                "cannot remove the conflicting {ip}/32 from {}: {e}",
                lo.name
            ))
        })?;
    }
    Ok(())
}

fn lo_spec(ip: Ipv4Addr, index: u32) -> AddrSpec {
    AddrSpec {
        ip: IpAddr::V4(ip),
        prefix_len: 32,
        index,
        broadcast: Some(Ipv4Addr::BROADCAST),
        label: None,
        flags: 0,
        preferred_lft: None,
    }
}

/// lvs_support: put the saved loopback address back on stop.
pub fn restore_loopback(inv: &Invocation, nl: &mut Netlink, ip: Ipv4Addr) {
    let file = loopback_file(inv, ns_of(inv), ip);
    let Ok(name) = std::fs::read_to_string(&file) else {
        return;
    };
    let name = name.trim();
    let index = nl
        .links()
        .ok()
        .and_then(|ls| ls.into_iter().find(|l| l.name == name).map(|l| l.index));
    match index {
        Some(index) => {
            tracing::info!("Restoring loopback IP Address {ip}/32 on {name}");
            if let Err(e) = nl.add_addr(&lo_spec(ip, index)) {
                tracing::warn!("cannot restore {ip}/32 on {name}: {e}");
            }
        }
        None => tracing::warn!("cannot restore {ip}/32: interface {name} is gone"),
    }
    let _ = std::fs::remove_file(&file);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_file_format() {
        assert_eq!(parse_pid_file("123 456\n"), Some((123, 456)));
        assert_eq!(parse_pid_file("123"), None);
        assert_eq!(parse_pid_file("1 5"), None);
        assert_eq!(parse_pid_file("x 5"), None);
    }

    #[test]
    fn starttime_survives_odd_command_names() {
        let stat = "4242 (IP addr) 2) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(stat_starttime(stat), Some(987654));
        assert_eq!(stat_starttime("garbage"), None);
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(stat_starttime(&own).is_some());
    }
}
