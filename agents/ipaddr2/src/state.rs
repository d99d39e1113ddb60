// SPDX-License-Identifier: GPL-2.0-or-later
//! State kept between invocations in the state directory (`HA_RSCTMP`): the background ARP
//! sender's PID file and the loopback address saved by `lvs_support`.
//!
//! The PID file names the sender by PID and start time ([`ProcessId`]), so stop signals the
//! sender only if that very process still runs, never a recycled PID.

use crate::netlink::Netlink;
use crate::params::Config;
use crate::rtnl::{self, AddrSpec, Link};
use crate::sender::{self, Announce};
use rustha_ocf::{Context, Error, Result};
use rustha_support::proc::ProcessId;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

fn file_name(prefix: &str, c: &Config) -> String {
    match &c.network_namespace {
        Some(ns) => format!("{prefix}-{ns}-{}", c.ip),
        None => format!("{prefix}-{}", c.ip),
    }
}

/// The PID file of the background sender for this address.
pub fn pid_file(ctx: &Context, c: &Config) -> PathBuf {
    ctx.state_dir().join(file_name("IPaddr2-send_arp", c))
}

/// Fork a child that sends `count` announcements and exits; its PID file lets stop end it.
pub fn spawn_sender(ctx: &Context, c: &Config, a: &Announce, count: u32) -> std::io::Result<()> {
    let file = pid_file(ctx, c);
    std::fs::create_dir_all(ctx.state_dir())?;
    // One sender per address: a newer one replaces one still running (its PID file would be lost).
    stop_sender(ctx, c);
    let interval = c.arp_interval;
    let announce = *a;
    // SAFETY: the agent is single-threaded; the child only sends packets, touches its own PID
    // file and leaves with _exit.
    match unsafe { nix::unistd::fork() }.map_err(std::io::Error::from)? {
        nix::unistd::ForkResult::Child => {
            detach();
            let deadline = sender::background_deadline(count, interval);
            let _ = sender::announce(&announce, count, interval, &deadline);
            let me = std::process::id() as i32;
            if let Ok(Some(p)) = ProcessId::read_file(&file) {
                if p.pid == me {
                    let _ = std::fs::remove_file(&file);
                }
            }
            // SAFETY: ends the child without running the parent's exit handlers.
            unsafe { libc::_exit(0) }
        }
        nix::unistd::ForkResult::Parent { child } => {
            let pid = child.as_raw();
            // The child may not be visible in /proc for an instant; its starttime is fixed.
            let sender = (0..50).find_map(|_| {
                ProcessId::of(pid).or_else(|| {
                    std::thread::sleep(Duration::from_millis(1));
                    None
                })
            });
            match sender {
                Some(p) => p.write_file(&file)?,
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
pub fn running_sender(ctx: &Context, c: &Config) -> Option<i32> {
    let p = ProcessId::read_file(&pid_file(ctx, c)).ok()??;
    p.is_running().then_some(p.pid)
}

/// End the background sender of this address, if it still runs (verified by its starttime).
pub fn stop_sender(ctx: &Context, c: &Config) {
    let file = pid_file(ctx, c);
    let sender = match ProcessId::read_file(&file) {
        Ok(None) => return,
        Ok(Some(p)) => p,
        Err(e) => {
            tracing::warn!("ignoring unreadable PID file: {e}");
            let _ = std::fs::remove_file(&file);
            return;
        }
    };
    let _ = std::fs::remove_file(&file);
    if !sender.is_running() {
        tracing::debug!("background sender {} already finished", sender.pid);
        return;
    }
    let target = nix::unistd::Pid::from_raw(sender.pid);
    match nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGTERM) {
        // SIGTERM's default action ends the sender; waiting for its exit would only add the
        // kernel's RCU grace period for closing its packet socket.
        Ok(()) => tracing::info!(
            "killed previously running send_arp for {} (pid {})",
            c.ip,
            sender.pid
        ),
        Err(e) => tracing::warn!(
            "Could not kill previously running send_arp for {}: {e}",
            c.ip
        ),
    }
}

fn loopback_file(ctx: &Context, c: &Config) -> PathBuf {
    ctx.state_dir().join(file_name("IPaddr2-lvs", c))
}

/// lvs_support: a `/32` of our address on a loopback device is removed on start (and saved).
pub fn remove_conflicting_loopback(
    ctx: &Context,
    c: &Config,
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
        let file = loopback_file(ctx, c);
        let _ = std::fs::create_dir_all(ctx.state_dir());
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
pub fn restore_loopback(ctx: &Context, c: &Config, nl: &mut Netlink, ip: Ipv4Addr) {
    let file = loopback_file(ctx, c);
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
