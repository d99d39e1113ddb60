// SPDX-License-Identifier: GPL-2.0-or-later
//! The actions: start, stop, monitor, validate-all and reload-agent, as the man page describes
//! them.

use crate::findif;
use crate::netlink::Netlink;
use crate::params::{Broadcast, Config, Params};
use crate::rtnl::{self, Addr, AddrSpec, Link};
use crate::sender::{self, Announce};
use crate::state;
use rustha_ocf::{
    bail, Action, Context, Description, Error, Positional, ResourceAgent, Result, State,
};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// Where the address goes: the interface, prefix, broadcast and label, resolved from the
/// parameters and the routing table.
#[derive(Debug, Clone)]
pub struct Target {
    pub link: Link,
    pub prefix: u8,
    pub broadcast: Option<Ipv4Addr>,
    /// The full label, `nic:label`.
    pub label: Option<String>,
}

/// Why the target cannot be resolved.
enum Unresolved {
    /// The configured interface or namespace does not exist: OCF_ERR_CONFIGURED on start and
    /// validate-all; a failure on a recurring monitor (it vanished), not running on a probe;
    /// nothing of ours can be on it for stop.
    Missing(String),
    /// The routing table has no route for the address (findif failed): OCF_ERR_GENERIC on start,
    /// validate-all and monitor, as the stock agent.
    NoRoute(String),
    /// Talking to the kernel failed.
    Failed(Error),
}

/// IPaddr2 or IPaddr: the same code under two names, with their own parameter names.
pub struct IpAddr2 {
    description: &'static Description,
}

/// `ocf:rustha:IPaddr2`.
pub static IPADDR2: IpAddr2 = IpAddr2 {
    description: &crate::description::IPADDR2,
};

/// `ocf:rustha:IPaddr`: IPaddr2 with the parameter names and defaults of ocf:heartbeat:IPaddr.
pub static IPADDR: IpAddr2 = IpAddr2 {
    description: &crate::description::IPADDR,
};

impl ResourceAgent for IpAddr2 {
    type Params = Params;

    fn description(&self) -> &'static Description {
        self.description
    }

    fn positional(&self, args: &[String]) -> Result<Positional> {
        crate::params::positional(args)
    }

    fn start(&self, p: &Params, ctx: &Context) -> Result<()> {
        let c = Config::strict(p, &ctx.meta)?;
        need_root(ctx)?;
        let (mut nl, target) = connect(ctx, &c).map_err(|u| unresolved(ctx, u))?;
        check_label(&target)?;
        start(ctx, &c, &target, &mut nl)
    }

    fn stop(&self, p: &Params, ctx: &Context) -> Result<()> {
        let c = match Config::lenient(p, &ctx.meta) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(
                    "stop: {}; no address this agent could have added is named, nothing to stop",
                    e.reason()
                );
                return Ok(());
            }
        };
        need_root(ctx)?;
        match connect(ctx, &c) {
            Ok((mut nl, target)) => stop(ctx, &c, &target, &mut nl),
            Err(u) => stop_unresolved(ctx, &c, u),
        }
    }

    fn monitor(&self, p: &Params, ctx: &Context) -> Result<State> {
        // An unidentifiable configuration is reported as not running by the runtime.
        let c = Config::lenient(p, &ctx.meta)?;
        match connect(ctx, &c) {
            Ok((mut nl, target)) => monitor(ctx, &c, &target, &mut nl),
            Err(u) => Err(unresolved(ctx, u)),
        }
    }

    fn validate(&self, p: &Params, ctx: &Context) -> Result<()> {
        let c = Config::strict(p, &ctx.meta)?;
        let (_, target) = connect(ctx, &c).map_err(|u| unresolved(ctx, u))?;
        check_label(&target)
    }

    /// OCF 1.1 reload-agent: Pacemaker calls it instead of a restart when only reloadable
    /// parameters changed. The new parameters pass the same checks as validate-all; nothing
    /// on the host changes. Every reloadable parameter is read afresh by the action that uses
    /// it (arp_* on start and on monitor's refresh, run_arping on start, check_link_status on
    /// monitor, flush_routes on stop), so the new values simply apply from the next such
    /// action.
    ///
    /// A background sender still running from the last start keeps the count and interval it
    /// was started with and ends by itself (at most arp_count packets, within its own
    /// deadline); stop ends it whatever arp_bg says now (its PID file is named after ip and
    /// network_namespace, which are not reloadable), and the next announcement in the
    /// background replaces it.
    fn reload_agent(&self, p: &Params, ctx: &Context) -> Result<()> {
        self.validate(p, ctx)?;
        let c = Config::strict(p, &ctx.meta)?;
        let sender = state::running_sender(ctx, &c);
        tracing::info!(
            "reload-agent: new parameters for {} accepted (arp_count {}, arp_interval {} ms, arp_bg {}, arp_count_refresh {}, check_link_status {}); they apply from the next start, monitor or stop{}",
            c.ip,
            c.arp_count,
            c.arp_interval.as_millis(),
            c.arp_bg,
            c.arp_count_refresh,
            c.check_link_status,
            sender
                .map(|pid| format!(
                    "; the background sender (pid {pid}) finishes with the settings it started with"
                ))
                .unwrap_or_default()
        );
        Ok(())
    }
}

fn need_root(ctx: &Context) -> Result<()> {
    if !nix::unistd::geteuid().is_root() {
        bail!(
            ErrPerm,
            "You must be root for {} operation.",
            ctx.action.name()
        );
    }
    Ok(())
}

/// The kernel keeps labels of at most 15 characters, interface name and colon included.
fn check_label(t: &Target) -> Result<()> {
    match &t.label {
        Some(full) if full.len() > 15 => Err(Error::configured(format!(
            "Interface label [{full}] exceeds maximum character limit of 15"
        ))),
        _ => Ok(()),
    }
}

/// Enter the namespace, open netlink, find the interface and prefix.
fn connect(ctx: &Context, p: &Config) -> std::result::Result<(Netlink, Target), Unresolved> {
    enter_namespace(p)?;
    let mut nl = Netlink::open(ctx.deadline).map_err(|e| {
        Unresolved::Failed(Error::generic(format!("cannot open a netlink socket: {e}")))
    })?;
    let target = resolve(p, &mut nl, &ctx.action)?;
    Ok((nl, target))
}

/// The error for an unresolved target on start, validate-all, reload-agent and monitor.
fn unresolved(ctx: &Context, u: Unresolved) -> Error {
    let (reason, missing) = match u {
        Unresolved::Failed(e) => return e,
        Unresolved::Missing(r) => (r, true),
        Unresolved::NoRoute(r) => (r, false),
    };
    match ctx.action {
        // A probe on a node without the interface or the route: it cannot be running here.
        _ if ctx.is_probe() => Error::not_running(reason),
        // An interface that vanished under a running address is a failure (as stock since
        // resource-agents 3.9.6), not a stopped resource.
        Action::Monitor | Action::Status => Error::generic(reason),
        _ if missing => Error::configured(reason),
        _ => Error::generic(reason),
    }
}

/// Stop when the interface cannot be resolved. A missing interface or namespace holds no
/// address. Without a route to name the interface, the address may still be on one (added
/// with noprefixroute, or its route deleted): it is removed wherever it is, so stop never
/// reports success while the address is up.
fn stop_unresolved(ctx: &Context, c: &Config, u: Unresolved) -> Result<()> {
    match u {
        Unresolved::Failed(e) => Err(e),
        Unresolved::Missing(reason) => {
            tracing::info!("{reason}; no address to remove");
            state::stop_sender(ctx, c);
            Ok(())
        }
        Unresolved::NoRoute(reason) => {
            state::stop_sender(ctx, c);
            let mut nl = Netlink::open(ctx.deadline)
                .map_err(|e| Error::generic(format!("cannot open a netlink socket: {e}")))?;
            let links = nl.links().unwrap_or_default();
            let found: Vec<Addr> = find_ours(c, &mut nl)?
                .into_iter()
                .filter(|a| !is_loopback(a.index, &links) || !c.lvs_support)
                .collect();
            if found.is_empty() {
                tracing::info!("{reason}; {} is on no interface", c.ip);
                return Ok(());
            }
            for a in &found {
                tracing::warn!("{reason}; removing {} found there", describe(a, &links));
                remove(c, a, &mut nl, &links)?;
            }
            Ok(())
        }
    }
}

fn is_loopback(index: u32, links: &[Link]) -> bool {
    links
        .iter()
        .any(|l| l.index == index && l.flags & rtnl::IFF_LOOPBACK != 0)
}

/// Remove one address entry (gone in between is fine).
fn remove(c: &Config, a: &Addr, nl: &mut Netlink, links: &[Link]) -> Result<()> {
    let spec = AddrSpec {
        ip: a.ip,
        prefix_len: a.prefix_len,
        index: a.index,
        broadcast: None,
        label: None,
        flags: 0,
        preferred_lft: None,
    };
    if let Err(e) = nl.del_addr(&spec) {
        // Gone in between (another agent, a primary taking secondaries with it) is fine.
        if e.raw_os_error() != Some(libc::EADDRNOTAVAIL) {
            bail!(
                ErrGeneric,
                "Unable to remove IP [{}/{}] from interface [{}]: {e}",
                a.ip,
                a.prefix_len,
                links
                    .iter()
                    .find(|l| l.index == a.index)
                    .map(|l| l.name.as_str())
                    .unwrap_or("?")
            );
        }
    }
    if c.flush_routes {
        let v = if c.ip.is_ipv4() { "ipv4" } else { "ipv6" };
        if let Err(e) = std::fs::write(format!("/proc/sys/net/{v}/route/flush"), "1") {
            tracing::warn!("flush_routes: cannot flush the {v} route cache: {e}");
        }
    }
    Ok(())
}

/// `network_namespace`: move this process into `/var/run/netns/NAME` before any socket opens.
fn enter_namespace(p: &Config) -> std::result::Result<(), Unresolved> {
    let Some(ns) = &p.network_namespace else {
        return Ok(());
    };
    let path = format!("/var/run/netns/{ns}");
    let f = std::fs::File::open(&path).map_err(|e| {
        Unresolved::Missing(format!(
            "network namespace [{ns}] does not exist ({path}: {e})"
        ))
    })?;
    nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET).map_err(|e| {
        Unresolved::Failed(Error::generic(format!(
            "cannot enter network namespace [{ns}] ({path}): {e}"
        )))
    })
}

fn nl_err(what: &str) -> impl Fn(std::io::Error) -> Unresolved + '_ {
    move |e| Unresolved::Failed(Error::generic(format!("{what}: {e}")))
}

/// findif: the interface, prefix and broadcast for the address.
fn resolve(
    p: &Config,
    nl: &mut Netlink,
    action: &Action,
) -> std::result::Result<Target, Unresolved> {
    let given = match &p.nic {
        Some(n) => Some(
            nl.link_by_name(n)
                .map_err(nl_err("cannot look up the interface"))?
                .ok_or_else(|| {
                    Unresolved::Missing(format!(
                        "Invalid interface name [{n}]: no such interface{}",
                        ns_note(p)
                    ))
                })?,
        ),
        None => None,
    };
    let given = given.as_ref();
    let family = rtnl::family_of(p.ip);
    let need_route = given.is_none()
        || p.prefix.is_none()
        || (*action == Action::Start && p.ip.is_ipv4() && p.broadcast == Broadcast::Unset);
    let routes = if need_route {
        nl.routes(family).map_err(nl_err("cannot list routes"))?
    } else {
        Vec::new()
    };
    let route = findif::select_route(&routes, p.ip, p.prefix, given.map(|l| l.index));
    let (link, prefix) = match (given, p.prefix, route) {
        (Some(l), Some(pfx), _) => (l.clone(), pfx),
        (_, _, None) => {
            return Err(Unresolved::NoRoute(format!(
                "Unable to find nic or netmask: no link-scope route in the main table contains {}{}{}{}; set nic and cidr_netmask",
                p.ip,
                p.prefix.map(|n| format!("/{n}")).unwrap_or_default(),
                p.nic.as_ref().map(|n| format!(" via {n}")).unwrap_or_default(),
                ns_note(p)
            )))
        }
        (given, pfx, Some(r)) => {
            let link = match given {
                Some(l) => l.clone(),
                None => nl
                    .links()
                    .map_err(nl_err("cannot list interfaces"))?
                    .into_iter()
                    .find(|l| Some(l.index) == r.oif)
                    .ok_or_else(|| {
                        Unresolved::NoRoute(format!(
                            "the route for {} names interface index {:?}, which does not exist",
                            p.ip, r.oif
                        ))
                    })?,
            };
            (link, pfx.unwrap_or(r.dst_len))
        }
    };
    let label = p.label.as_ref().map(|l| format!("{}:{l}", link.name));
    let broadcast = match (p.ip, p.broadcast) {
        (IpAddr::V4(ip), Broadcast::Addr(b)) => {
            if !findif::contains(IpAddr::V4(ip), prefix, IpAddr::V4(b)) {
                tracing::warn!("broadcast {b} is outside {ip}/{prefix}; using it as given");
            }
            Some(b)
        }
        (IpAddr::V4(ip), Broadcast::HostBitsSet) if prefix <= 30 => {
            Some(findif::broadcast(ip, prefix, true))
        }
        (IpAddr::V4(ip), Broadcast::HostBitsCleared) if prefix <= 30 => {
            Some(findif::broadcast(ip, prefix, false))
        }
        (IpAddr::V4(_), Broadcast::Unset) if *action == Action::Start => {
            // As findif: the broadcast of the route's preferred source address.
            match route.and_then(|r| r.prefsrc) {
                Some(src) => nl
                    .addrs(rtnl::AF_INET)
                    .map_err(nl_err("cannot list addresses"))?
                    .iter()
                    .find(|a| a.ip == src)
                    .and_then(|a| a.broadcast),
                None => None,
            }
        }
        _ => None,
    };
    Ok(Target {
        link,
        prefix,
        broadcast,
        label,
    })
}

fn ns_note(p: &Config) -> String {
    p.network_namespace
        .as_ref()
        .map(|n| format!(" in network namespace {n}"))
        .unwrap_or_default()
}

fn family_name(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "inet"
    } else {
        "inet6"
    }
}

/// The address entries for our ip, split into ours (on the nic with the prefix) and others.
fn find_ours(p: &Config, nl: &mut Netlink) -> Result<Vec<Addr>> {
    let addrs = nl
        .addrs(rtnl::family_of(p.ip))
        .map_err(|e| Error::generic(format!("cannot list addresses: {e}")))?;
    Ok(addrs.into_iter().filter(|a| a.ip == p.ip).collect())
}

fn describe(a: &Addr, links: &[Link]) -> String {
    let name = links
        .iter()
        .find(|l| l.index == a.index)
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("interface #{}", a.index));
    format!("{}/{} on {name}", a.ip, a.prefix_len)
}

fn spec(p: &Config, t: &Target) -> AddrSpec {
    let mut flags = 0;
    if p.ip.is_ipv6() && p.nodad {
        flags |= rtnl::IFA_F_NODAD;
    }
    if p.noprefixroute {
        flags |= rtnl::IFA_F_NOPREFIXROUTE;
    }
    AddrSpec {
        ip: p.ip,
        prefix_len: t.prefix,
        index: t.link.index,
        broadcast: t.broadcast,
        label: if p.ip.is_ipv4() {
            t.label.clone()
        } else {
            None
        },
        flags,
        preferred_lft: if p.ip.is_ipv6() {
            p.preferred_lft
        } else {
            None
        },
    }
}

fn start(ctx: &Context, p: &Config, t: &Target, nl: &mut Netlink) -> Result<()> {
    let nic = &t.link.name;
    let found = find_ours(p, nl)?;
    let mine = found
        .iter()
        .find(|a| a.index == t.link.index && a.prefix_len == t.prefix);
    match mine {
        Some(a) if a.flags & rtnl::IFA_F_DADFAILED != 0 => {
            // Left over from an attempt that lost duplicate address detection: try again.
            tracing::info!(
                "{}/{} on {nic} had failed DAD; adding it again",
                p.ip,
                t.prefix
            );
            nl.del_addr(&spec(p, t)).map_err(|e| {
                Error::generic(format!(
                    "cannot remove the dadfailed {}/{} from {nic}: {e}",
                    p.ip, t.prefix
                ))
            })?;
            return start(ctx, p, t, nl);
        }
        Some(_) => {
            tracing::info!("{}/{} is already on {nic}", p.ip, t.prefix);
            return Ok(());
        }
        None => {}
    }
    let links = nl.links().unwrap_or_default();
    if let Some(other) = found.iter().find(|a| a.index == t.link.index) {
        bail!(
            ErrGeneric,
            "Failed to add {}/{} to {nic}: the address is already there as {} (stop the resource and remove it, or fix cidr_netmask)",
            p.ip,
            t.prefix,
            describe(other, &links)
        );
    }
    for other in &found {
        tracing::warn!("{} is also configured as {}", p.ip, describe(other, &links));
    }
    if let (true, IpAddr::V4(ip)) = (p.lvs_support, p.ip) {
        state::remove_conflicting_loopback(ctx, p, nl, ip, &links)?;
    }

    let is_loopback = t.link.flags & rtnl::IFF_LOOPBACK != 0;
    let mac = crate::packets::mac6(&t.link.mac);
    if t.link.flags & rtnl::IFF_UP == 0 {
        tracing::info!("Bringing device {nic} up");
        nl.set_link_up(t.link.index)
            .map_err(|e| Error::generic(format!("Failed to bring device {nic} up: {e}")))?;
    }
    if let (true, IpAddr::V4(ip), Some(mac), false) = (p.run_arping, p.ip, mac, is_loopback) {
        match sender::probe_conflict(t.link.index, mac, ip, &ctx.deadline) {
            Ok(Some(theirs)) => bail!(
                ErrGeneric,
                "IPv4 address collision {ip} [DAD]: {} already answers for it on {nic}; not adding it",
                crate::packets::fmt_mac(&theirs)
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!("run_arping: cannot probe for {ip} on {nic}: {e}"),
        }
    }

    if let (IpAddr::V6(ip), Some(label)) = (p.ip, p.ipv6_addrlabel) {
        tracing::info!("Adding IPv6 address label prefix {ip} label {label}");
        if let Err(e) = nl.addrlabel(true, ip, label) {
            tracing::warn!("cannot add the IPv6 address label {label} for {ip}: {e}");
        }
    }
    let spec = spec(p, t);
    tracing::info!(
        "Adding {} address {}/{}{} to device {nic}{}",
        family_name(p.ip),
        p.ip,
        t.prefix,
        t.broadcast
            .map(|b| format!(" with broadcast address {b}"))
            .unwrap_or_default(),
        t.label
            .as_ref()
            .map(|l| format!(" (label {l})"))
            .unwrap_or_default()
    );
    if let Err(e) = nl.add_addr(&spec) {
        // A concurrent start of the same resource added it in between: that is success, once
        // the address is verified to be there as this start would have added it.
        let ours = e.raw_os_error() == Some(libc::EEXIST)
            && find_ours(p, nl)?
                .iter()
                .any(|a| a.index == t.link.index && a.prefix_len == t.prefix);
        if ours {
            tracing::info!(
                "{}/{} was added to {nic} meanwhile (a concurrent start); it is there",
                p.ip,
                t.prefix
            );
            return Ok(());
        }
        bail!(
            ErrGeneric,
            "Failed to add {}/{} to {nic}: {e}",
            p.ip,
            t.prefix
        );
    }

    if p.ip.is_ipv6() && !p.nodad {
        wait_for_dad(ctx, p, t, nl)?;
    }
    if is_loopback || t.link.flags & rtnl::IFF_NOARP != 0 {
        return Ok(());
    }
    if let Some(mac) = mac {
        let a = Announce {
            ifindex: t.link.index,
            mac,
            ip: p.ip,
            reply: p.arp_reply,
        };
        announce(ctx, p, &a, p.arp_count);
    }
    Ok(())
}

/// IPv6 duplicate address detection: wait (bounded) until the address is no longer tentative;
/// on dadfailed remove it and fail.
fn wait_for_dad(ctx: &Context, p: &Config, t: &Target, nl: &mut Netlink) -> Result<()> {
    let limit = ctx.deadline.capped(Duration::from_secs(10));
    let state = limit.poll(Duration::from_millis(50), || {
        let flags = find_ours(p, nl)
            .ok()?
            .iter()
            .find(|a| a.index == t.link.index)
            .map(|a| a.flags)?;
        if flags & rtnl::IFA_F_DADFAILED != 0 {
            Some(Err(()))
        } else if flags & rtnl::IFA_F_TENTATIVE == 0 {
            Some(Ok(()))
        } else {
            None
        }
    });
    match state {
        Some(Ok(())) => Ok(()),
        Some(Err(())) => {
            let _ = nl.del_addr(&spec(p, t));
            bail!(
                ErrGeneric,
                "IPv6 address collision {} [DAD]: another host on {} uses it (duplicate address detection failed); address removed",
                p.ip,
                t.link.name
            )
        }
        None => {
            tracing::warn!("IPv6 address {}: DAD is still in tentative", p.ip);
            Ok(())
        }
    }
}

/// Send `count` announcements now, or from a background process that outlives this one.
fn announce(ctx: &Context, p: &Config, a: &Announce, count: u32) {
    if count == 0 {
        return;
    }
    if p.arp_bg {
        if let Err(e) = state::spawn_sender(ctx, p, a, count) {
            tracing::warn!("cannot start the background ARP sender: {e}; sending now");
        } else {
            return;
        }
    }
    match sender::announce(a, count, p.arp_interval, &ctx.deadline) {
        Ok(n) => tracing::debug!("sent {n} announcements for {}", a.ip),
        Err(e) => tracing::error!("Could not send gratuitous arps for {}: {e}", a.ip),
    }
}

fn stop(ctx: &Context, p: &Config, t: &Target, nl: &mut Netlink) -> Result<()> {
    state::stop_sender(ctx, p);
    let nic = &t.link.name;
    let found = find_ours(p, nl)?;
    let links = nl.links().unwrap_or_default();
    for a in found.iter().filter(|a| a.index != t.link.index) {
        tracing::info!("{} is left alone: not on {nic}", describe(a, &links));
    }
    for a in found.iter().filter(|a| a.index == t.link.index) {
        tracing::info!(
            "Removing {} address {}/{} from {nic}",
            family_name(p.ip),
            a.ip,
            a.prefix_len
        );
        remove(p, a, nl, &links)?;
    }
    if let (IpAddr::V6(ip), Some(label)) = (p.ip, p.ipv6_addrlabel) {
        // As the stock agent: an error here (no such policy) is of no consequence.
        let _ = nl.addrlabel(false, ip, label);
    }
    if let (true, IpAddr::V4(ip)) = (p.lvs_support, p.ip) {
        state::restore_loopback(ctx, p, nl, ip);
    }
    Ok(())
}

fn monitor(ctx: &Context, p: &Config, t: &Target, nl: &mut Netlink) -> Result<State> {
    let nic = &t.link.name;
    let found = find_ours(p, nl)?;
    let ours = found
        .iter()
        .find(|a| a.index == t.link.index && a.prefix_len == t.prefix);
    let Some(ours) = ours else {
        if found.is_empty() {
            return Ok(State::Stopped);
        }
        let links = nl.links().unwrap_or_default();
        let seen: Vec<String> = found.iter().map(|a| describe(a, &links)).collect();
        bail!(
            ErrGeneric,
            "{} is configured as {} instead of {}/{} on {nic}",
            p.ip,
            seen.join(", "),
            p.ip,
            t.prefix
        );
    };
    if ours.flags & rtnl::IFA_F_DADFAILED != 0 {
        bail!(
            ErrGeneric,
            "{}/{} on {nic} failed duplicate address detection: another host uses it",
            p.ip,
            t.prefix
        );
    }
    if p.check_link_status && !t.link.is_up() {
        return Err(Error::not_running(format!(
            "{nic} is down (administratively down or no carrier), so {} is not reachable",
            p.ip
        )));
    }
    if let (IpAddr::V4(_), Some(mac), true) = (
        p.ip,
        crate::packets::mac6(&t.link.mac),
        p.arp_count_refresh > 0 && t.link.flags & (rtnl::IFF_LOOPBACK | rtnl::IFF_NOARP) == 0,
    ) {
        let a = Announce {
            ifindex: t.link.index,
            mac,
            ip: p.ip,
            reply: p.arp_reply,
        };
        announce(ctx, p, &a, p.arp_count_refresh);
    }
    Ok(State::Running)
}
