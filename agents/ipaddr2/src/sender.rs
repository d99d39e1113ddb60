// SPDX-License-Identifier: GPL-2.0-or-later
//! Sending the announcements (gratuitous ARP, unsolicited NA) and the ARP duplicate-address
//! probe on the wire: AF_PACKET and ICMPv6 raw sockets, every wait bounded by a deadline.

use crate::packets::{self, Arp};
use rustha_support::Deadline;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// What to announce, and where.
#[derive(Debug, Clone, Copy)]
pub struct Announce {
    pub ifindex: u32,
    pub mac: [u8; 6],
    pub ip: IpAddr,
    /// IPv4: send ARP replies instead of requests (send_arp_opts=-A).
    pub reply: bool,
}

fn err(what: &str) -> io::Error {
    let e = io::Error::last_os_error();
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

fn socket(domain: i32, kind: i32, proto: i32, what: &str) -> io::Result<OwnedFd> {
    // SAFETY: plain socket(2), result checked.
    let fd = unsafe { libc::socket(domain, kind | libc::SOCK_CLOEXEC, proto) };
    if fd < 0 {
        return Err(err(what));
    }
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn setsockopt_int(fd: &OwnedFd, level: i32, opt: i32, v: i32, what: &str) -> io::Result<()> {
    // SAFETY: valid pointer and length for an int option.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            &v as *const i32 as *const libc::c_void,
            4,
        )
    };
    if rc < 0 {
        return Err(err(what));
    }
    Ok(())
}

const ETH_P_ARP: u16 = 0x0806;

fn ll_addr(ifindex: u32, dest: [u8; 6]) -> libc::sockaddr_ll {
    // SAFETY: sockaddr_ll is plain data.
    let mut sa: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sa.sll_family = libc::AF_PACKET as u16;
    sa.sll_protocol = ETH_P_ARP.to_be();
    sa.sll_ifindex = ifindex as i32;
    sa.sll_halen = 6;
    sa.sll_addr[..6].copy_from_slice(&dest);
    sa
}

/// An AF_PACKET socket for ARP on one interface (the kernel adds the Ethernet header).
fn arp_socket(ifindex: u32) -> io::Result<OwnedFd> {
    let fd = socket(
        libc::AF_PACKET,
        libc::SOCK_DGRAM,
        i32::from(ETH_P_ARP.to_be()),
        "ARP packet socket",
    )?;
    let sa = ll_addr(ifindex, [0; 6]);
    // SAFETY: sa is a valid sockaddr_ll of the given size.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            &sa as *const libc::sockaddr_ll as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    if rc < 0 {
        return Err(err("bind ARP packet socket"));
    }
    Ok(fd)
}

fn send_arp(fd: &OwnedFd, ifindex: u32, arp: &Arp) -> io::Result<()> {
    let sa = ll_addr(ifindex, [0xff; 6]);
    let p = arp.encode();
    // SAFETY: valid buffer and sockaddr_ll.
    let rc = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            p.as_ptr() as *const libc::c_void,
            p.len(),
            0,
            &sa as *const libc::sockaddr_ll as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    if rc < 0 {
        return Err(err("send ARP"));
    }
    Ok(())
}

fn sockaddr6(ip: Ipv6Addr, scope: u32) -> libc::sockaddr_in6 {
    // SAFETY: sockaddr_in6 is plain data.
    let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
    sa.sin6_family = libc::AF_INET6 as u16;
    sa.sin6_addr.s6_addr = ip.octets();
    sa.sin6_scope_id = scope;
    sa
}

/// An ICMPv6 raw socket that sends neighbour advertisements from `ip` on `ifindex`.
fn na_socket(ifindex: u32, ip: Ipv6Addr) -> io::Result<OwnedFd> {
    let fd = socket(
        libc::AF_INET6,
        libc::SOCK_RAW,
        libc::IPPROTO_ICMPV6,
        "ICMPv6 socket",
    )?;
    setsockopt_int(
        &fd,
        libc::IPPROTO_IPV6,
        libc::IPV6_MULTICAST_HOPS,
        255,
        "IPV6_MULTICAST_HOPS",
    )?;
    setsockopt_int(
        &fd,
        libc::IPPROTO_IPV6,
        libc::IPV6_UNICAST_HOPS,
        255,
        "IPV6_UNICAST_HOPS",
    )?;
    setsockopt_int(
        &fd,
        libc::IPPROTO_IPV6,
        libc::IPV6_MULTICAST_IF,
        ifindex as i32,
        "IPV6_MULTICAST_IF",
    )?;
    let sa = sockaddr6(ip, ifindex);
    // The advertised address as the source, as send_ua does; if it cannot be bound (still
    // tentative), the kernel picks the source.
    // SAFETY: valid sockaddr_in6.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            &sa as *const libc::sockaddr_in6 as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in6>() as u32,
        )
    };
    if rc < 0 {
        tracing::debug!(
            "cannot send the NA from {ip}: {}",
            io::Error::last_os_error()
        );
    }
    Ok(fd)
}

fn send_na(fd: &OwnedFd, ifindex: u32, target: Ipv6Addr, mac: [u8; 6]) -> io::Result<()> {
    let p = packets::neighbour_advertisement(target, mac);
    let all_nodes: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
    let sa = sockaddr6(all_nodes, ifindex);
    // SAFETY: valid buffer and sockaddr_in6.
    let rc = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            p.as_ptr() as *const libc::c_void,
            p.len(),
            0,
            &sa as *const libc::sockaddr_in6 as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in6>() as u32,
        )
    };
    if rc < 0 {
        return Err(err("send neighbour advertisement"));
    }
    Ok(())
}

/// The deadline of a background sender: its own sending time plus a margin (it outlives the
/// invocation that started it, and with it that invocation's deadline).
pub fn background_deadline(count: u32, interval: Duration) -> Deadline {
    Deadline::after(interval * count + Duration::from_secs(5))
}

/// Send `count` announcements, `interval` apart, stopping at the deadline. Returns how many
/// went out.
pub fn announce(
    a: &Announce,
    count: u32,
    interval: Duration,
    deadline: &Deadline,
) -> io::Result<u32> {
    let mut sent = 0;
    match a.ip {
        IpAddr::V4(ip) => {
            let fd = arp_socket(a.ifindex)?;
            let pkt = packets::gratuitous_arp(a.mac, ip, a.reply);
            for i in 0..count {
                if i > 0 && !deadline.sleep(interval) {
                    break;
                }
                send_arp(&fd, a.ifindex, &pkt)?;
                sent += 1;
            }
        }
        IpAddr::V6(ip) => {
            let fd = na_socket(a.ifindex, ip)?;
            for i in 0..count {
                if i > 0 && !deadline.sleep(interval) {
                    break;
                }
                send_na(&fd, a.ifindex, ip, a.mac)?;
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// ARP duplicate address detection (like `arping -D -c 2 -w 3`): two probes a second apart;
/// the MAC of a host that answers for `ip`, if any.
pub fn probe_conflict(
    ifindex: u32,
    mac: [u8; 6],
    ip: Ipv4Addr,
    deadline: &Deadline,
) -> io::Result<Option<[u8; 6]>> {
    let fd = arp_socket(ifindex)?;
    let probe = packets::arp_probe(mac, ip);
    let mut buf = [0u8; 1500];
    for _ in 0..2 {
        send_arp(&fd, ifindex, &probe)?;
        let until = Instant::now() + Duration::from_secs(1);
        loop {
            let left = until
                .saturating_duration_since(Instant::now())
                .min(deadline.remaining());
            if left.is_zero() {
                break;
            }
            let mut pfd = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, left.as_millis().max(1) as i32) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                break;
            }
            // SAFETY: valid writable buffer.
            let len = unsafe {
                libc::recv(
                    fd.as_raw_fd(),
                    buf.as_mut_ptr() as *mut libc::c_void,
                    buf.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if len <= 0 {
                continue;
            }
            if let Some(answer) = Arp::parse(&buf[..len as usize]) {
                if packets::is_conflict(&answer, ip, mac) {
                    return Ok(Some(answer.sender_mac));
                }
            }
        }
        if deadline.expired() {
            break;
        }
    }
    Ok(None)
}
