// SPDX-License-Identifier: GPL-2.0-or-later
//! rtnetlink wire format: building requests and parsing replies, without I/O.
//!
//! Only what IPaddr2 needs: links (RTM_GETLINK, RTM_NEWLINK to set IFF_UP), addresses
//! (RTM_GETADDR, RTM_NEWADDR, RTM_DELADDR) and routes (RTM_GETROUTE). Layouts follow
//! `<linux/netlink.h>`, `<linux/rtnetlink.h>`, `<linux/if_addr.h>` and `<linux/if_link.h>`;
//! integers are in host byte order, addresses in network byte order.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const RTM_GETROUTE: u16 = 26;
pub const RTM_NEWADDRLABEL: u16 = 72;
pub const RTM_DELADDRLABEL: u16 = 73;

pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_DUMP: u16 = 0x300;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;

pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 10;

const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_BROADCAST: u16 = 4;
const IFA_CACHEINFO: u16 = 6;
const IFA_FLAGS: u16 = 8;

pub const IFA_F_SECONDARY: u32 = 0x01;
pub const IFA_F_NODAD: u32 = 0x02;
pub const IFA_F_DADFAILED: u32 = 0x08;
pub const IFA_F_TENTATIVE: u32 = 0x40;
pub const IFA_F_NOPREFIXROUTE: u32 = 0x200;

const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_OPERSTATE: u16 = 16;

pub const IFF_UP: u32 = 0x1;
pub const IFF_LOOPBACK: u32 = 0x8;
pub const IFF_NOARP: u32 = 0x80;

/// `IF_OPER_*` from `<linux/if.h>`.
pub const IF_OPER_DOWN: u8 = 2;
pub const IF_OPER_LOWERLAYERDOWN: u8 = 3;

const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_PREFSRC: u16 = 7;
const RTA_TABLE: u16 = 15;

pub const RTN_UNICAST: u8 = 1;
pub const RTN_LOCAL: u8 = 2;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RT_SCOPE_HOST: u8 = 254;
pub const RT_TABLE_MAIN: u32 = 254;
pub const RT_TABLE_LOCAL: u32 = 255;

const NLMSG_HDRLEN: usize = 16;

/// A reply that does not follow the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed netlink message: {}", self.0)
    }
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One netlink message of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub kind: u16,
    pub flags: u16,
    pub seq: u32,
    pub payload: &'a [u8],
}

/// Split a datagram into its netlink messages.
pub fn split(buf: &[u8]) -> Result<Vec<Message<'_>>, WireError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + NLMSG_HDRLEN <= buf.len() {
        let len = u32_at(buf, at).unwrap_or(0) as usize;
        if len < NLMSG_HDRLEN || at + len > buf.len() {
            return Err(WireError(format!(
                "message length {len} at offset {at} outside the {}-byte datagram",
                buf.len()
            )));
        }
        out.push(Message {
            kind: u16_at(buf, at + 4).unwrap_or(0),
            flags: u16_at(buf, at + 6).unwrap_or(0),
            seq: u32_at(buf, at + 8).unwrap_or(0),
            payload: &buf[at + NLMSG_HDRLEN..at + len],
        });
        at += align4(len);
    }
    Ok(out)
}

/// The errno of an `NLMSG_ERROR` payload: 0 is an acknowledgement, otherwise a positive errno.
pub fn error_code(payload: &[u8]) -> Result<i32, WireError> {
    let raw = u32_at(payload, 0).ok_or_else(|| WireError("short NLMSG_ERROR".into()))?;
    Ok((raw as i32).saturating_neg())
}

/// The route attributes (type, value) in `buf`.
pub fn attributes(buf: &[u8]) -> Result<Vec<(u16, &[u8])>, WireError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= buf.len() {
        let len = u16_at(buf, at).unwrap_or(0) as usize;
        let kind = u16_at(buf, at + 2).unwrap_or(0) & 0x3fff;
        if len < 4 || at + len > buf.len() {
            return Err(WireError(format!("attribute length {len} at offset {at}")));
        }
        out.push((kind, &buf[at + 4..at + len]));
        at += align4(len);
    }
    Ok(out)
}

fn ip_from(family: u8, b: &[u8]) -> Option<IpAddr> {
    match family {
        AF_INET => <[u8; 4]>::try_from(b)
            .ok()
            .map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        AF_INET6 => <[u8; 16]>::try_from(b)
            .ok()
            .map(|a| IpAddr::V6(Ipv6Addr::from(a))),
        _ => None,
    }
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// An interface, from RTM_NEWLINK.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Link {
    pub index: u32,
    pub name: String,
    pub flags: u32,
    pub operstate: u8,
    pub mac: Vec<u8>,
}

impl Link {
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
            && self.operstate != IF_OPER_DOWN
            && self.operstate != IF_OPER_LOWERLAYERDOWN
    }
}

pub fn parse_link(payload: &[u8]) -> Result<Link, WireError> {
    if payload.len() < 16 {
        return Err(WireError("short ifinfomsg".into()));
    }
    let mut link = Link {
        index: u32_at(payload, 4).unwrap_or(0),
        flags: u32_at(payload, 8).unwrap_or(0),
        ..Link::default()
    };
    for (kind, v) in attributes(&payload[16..])? {
        match kind {
            IFLA_IFNAME => link.name = cstr(v),
            IFLA_ADDRESS => link.mac = v.to_vec(),
            IFLA_OPERSTATE => link.operstate = v.first().copied().unwrap_or(0),
            _ => {}
        }
    }
    Ok(link)
}

/// An address, from RTM_NEWADDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    pub family: u8,
    pub prefix_len: u8,
    pub flags: u32,
    pub scope: u8,
    pub index: u32,
    /// The interface's own address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6).
    pub ip: IpAddr,
    pub broadcast: Option<Ipv4Addr>,
    pub label: Option<String>,
}

pub fn parse_addr(payload: &[u8]) -> Result<Addr, WireError> {
    if payload.len() < 8 {
        return Err(WireError("short ifaddrmsg".into()));
    }
    let family = payload[0];
    let (mut address, mut local, mut broadcast, mut label) = (None, None, None, None);
    let mut flags = u32::from(payload[2]);
    for (kind, v) in attributes(&payload[8..])? {
        match kind {
            IFA_ADDRESS => address = ip_from(family, v),
            IFA_LOCAL => local = ip_from(family, v),
            IFA_BROADCAST => {
                if let Some(IpAddr::V4(b)) = ip_from(family, v) {
                    broadcast = Some(b)
                }
            }
            IFA_LABEL => label = Some(cstr(v)),
            IFA_FLAGS => flags = u32_at(v, 0).unwrap_or(flags),
            _ => {}
        }
    }
    let ip = local
        .or(address)
        .ok_or_else(|| WireError("address without IFA_LOCAL or IFA_ADDRESS".into()))?;
    Ok(Addr {
        family,
        prefix_len: payload[1],
        flags,
        scope: payload[3],
        index: u32_at(payload, 4).unwrap_or(0),
        ip,
        broadcast,
        label,
    })
}

/// A route, from RTM_NEWROUTE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub family: u8,
    pub dst_len: u8,
    pub table: u32,
    pub scope: u8,
    pub kind: u8,
    /// None for the default route.
    pub dst: Option<IpAddr>,
    pub oif: Option<u32>,
    pub gateway: Option<IpAddr>,
    pub metric: u32,
    pub prefsrc: Option<IpAddr>,
}

pub fn parse_route(payload: &[u8]) -> Result<Route, WireError> {
    if payload.len() < 12 {
        return Err(WireError("short rtmsg".into()));
    }
    let family = payload[0];
    let mut r = Route {
        family,
        dst_len: payload[1],
        table: u32::from(payload[4]),
        scope: payload[6],
        kind: payload[7],
        dst: None,
        oif: None,
        gateway: None,
        metric: 0,
        prefsrc: None,
    };
    for (kind, v) in attributes(&payload[12..])? {
        match kind {
            RTA_DST => r.dst = ip_from(family, v),
            RTA_OIF => r.oif = u32_at(v, 0),
            RTA_GATEWAY => r.gateway = ip_from(family, v),
            RTA_PRIORITY => r.metric = u32_at(v, 0).unwrap_or(0),
            RTA_PREFSRC => r.prefsrc = ip_from(family, v),
            RTA_TABLE => r.table = u32_at(v, 0).unwrap_or(r.table),
            _ => {}
        }
    }
    Ok(r)
}

/// A complete netlink message: header (length filled in) and body.
pub fn message(kind: u16, flags: u16, seq: u32, body: &[u8]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + body.len();
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as u32).to_ne_bytes());
    m.extend_from_slice(&kind.to_ne_bytes());
    m.extend_from_slice(&flags.to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(body);
    m
}

fn push_attr(b: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = 4 + value.len();
    b.extend_from_slice(&(len as u16).to_ne_bytes());
    b.extend_from_slice(&kind.to_ne_bytes());
    b.extend_from_slice(value);
    b.resize(align4(b.len()), 0);
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

pub fn family_of(ip: IpAddr) -> u8 {
    if ip.is_ipv4() {
        AF_INET
    } else {
        AF_INET6
    }
}

/// The body of a dump request (RTM_GETLINK/GETADDR/GETROUTE) for one family (0: all).
pub fn dump_body(kind: u16, family: u8) -> Vec<u8> {
    match kind {
        RTM_GETLINK => {
            let mut b = vec![0u8; 16];
            b[0] = family;
            b
        }
        RTM_GETROUTE => {
            let mut b = vec![0u8; 12];
            b[0] = family;
            b
        }
        _ => {
            let mut b = vec![0u8; 8];
            b[0] = family;
            b
        }
    }
}

/// What to add or delete: the address and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrSpec {
    pub ip: IpAddr,
    pub prefix_len: u8,
    pub index: u32,
    pub broadcast: Option<Ipv4Addr>,
    pub label: Option<String>,
    /// IFA_F_* flags (nodad, noprefixroute).
    pub flags: u32,
    /// IPv6 preferred lifetime in seconds; None for forever.
    pub preferred_lft: Option<u32>,
}

/// The ifaddrmsg and attributes of RTM_NEWADDR/RTM_DELADDR for `spec`.
pub fn addr_body(spec: &AddrSpec) -> Vec<u8> {
    let family = family_of(spec.ip);
    let scope = match spec.ip {
        IpAddr::V4(a) if a.is_loopback() => RT_SCOPE_HOST,
        _ => 0,
    };
    let mut b = vec![family, spec.prefix_len, (spec.flags & 0xff) as u8, scope];
    b.extend_from_slice(&spec.index.to_ne_bytes());
    let ip = ip_bytes(spec.ip);
    push_attr(&mut b, IFA_LOCAL, &ip);
    push_attr(&mut b, IFA_ADDRESS, &ip);
    if let Some(brd) = spec.broadcast {
        push_attr(&mut b, IFA_BROADCAST, &brd.octets());
    }
    if let Some(label) = &spec.label {
        let mut l = label.as_bytes().to_vec();
        l.push(0);
        push_attr(&mut b, IFA_LABEL, &l);
    }
    if spec.flags > 0xff {
        push_attr(&mut b, IFA_FLAGS, &spec.flags.to_ne_bytes());
    }
    if let Some(lft) = spec.preferred_lft {
        let mut ci = Vec::with_capacity(16);
        ci.extend_from_slice(&lft.to_ne_bytes());
        ci.extend_from_slice(&u32::MAX.to_ne_bytes()); // valid: forever
        ci.extend_from_slice(&[0u8; 8]);
        push_attr(&mut b, IFA_CACHEINFO, &ci);
    }
    b
}

const IFAL_ADDRESS: u16 = 1;
const IFAL_LABEL: u16 = 2;

/// The ifaddrlblmsg and attributes of RTM_NEWADDRLABEL/RTM_DELADDRLABEL for the /128 policy
/// `ip addrlabel add prefix IP label LABEL` creates.
pub fn addrlabel_body(ip: Ipv6Addr, label: u32) -> Vec<u8> {
    let mut b = vec![AF_INET6, 0, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    push_attr(&mut b, IFAL_ADDRESS, &ip.octets());
    push_attr(&mut b, IFAL_LABEL, &label.to_ne_bytes());
    b
}

const IFLA_EXT_MASK: u16 = 29;
const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;

/// The body of RTM_GETLINK for one interface by name, without statistics.
pub fn link_by_name_body(name: &str) -> Vec<u8> {
    let mut b = vec![0u8; 16];
    let mut n = name.as_bytes().to_vec();
    n.push(0);
    push_attr(&mut b, IFLA_IFNAME, &n);
    push_attr(
        &mut b,
        IFLA_EXT_MASK,
        &RTEXT_FILTER_SKIP_STATS.to_ne_bytes(),
    );
    b
}

/// The ifinfomsg of RTM_NEWLINK that sets IFF_UP on interface `index`.
pub fn link_up_body(index: u32) -> Vec<u8> {
    let mut b = vec![0u8; 16];
    b[4..8].copy_from_slice(&index.to_ne_bytes());
    b[8..12].copy_from_slice(&IFF_UP.to_ne_bytes());
    b[12..16].copy_from_slice(&IFF_UP.to_ne_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr_payload(
        family: u8,
        plen: u8,
        flags: u8,
        idx: u32,
        attrs: &[(u16, Vec<u8>)],
    ) -> Vec<u8> {
        let mut b = vec![family, plen, flags, 0];
        b.extend_from_slice(&idx.to_ne_bytes());
        for (k, v) in attrs {
            push_attr(&mut b, *k, v);
        }
        b
    }

    #[test]
    fn split_walks_aligned_messages_and_rejects_overruns() {
        let mut buf = message(RTM_NEWADDR, NLM_F_MULTI, 7, &[1, 2, 3]);
        buf.resize(align4(buf.len()), 0);
        buf.extend(message(NLMSG_DONE, NLM_F_MULTI, 7, &0u32.to_ne_bytes()));
        let msgs = split(&buf).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].kind, RTM_NEWADDR);
        assert_eq!(msgs[0].payload, &[1, 2, 3]);
        assert_eq!(msgs[1].kind, NLMSG_DONE);
        assert_eq!(msgs[1].seq, 7);

        let mut bad = message(RTM_NEWADDR, 0, 1, &[0; 8]);
        bad[0] = 200;
        assert!(split(&bad).is_err());
    }

    #[test]
    fn error_code_is_positive_errno() {
        assert_eq!(error_code(&(-17i32).to_ne_bytes()).unwrap(), 17);
        assert_eq!(error_code(&0i32.to_ne_bytes()).unwrap(), 0);
        assert!(error_code(&[1]).is_err());
    }

    #[test]
    fn parses_ipv4_address_with_label_and_broadcast() {
        let p = addr_payload(
            AF_INET,
            24,
            IFA_F_SECONDARY as u8,
            3,
            &[
                (IFA_ADDRESS, vec![10, 0, 0, 5]),
                (IFA_LOCAL, vec![10, 0, 0, 5]),
                (IFA_BROADCAST, vec![10, 0, 0, 255]),
                (IFA_LABEL, b"eth0:vip\0".to_vec()),
                (IFA_FLAGS, 0x201u32.to_ne_bytes().to_vec()),
            ],
        );
        let a = parse_addr(&p).unwrap();
        assert_eq!(a.ip, "10.0.0.5".parse::<IpAddr>().unwrap());
        assert_eq!(a.prefix_len, 24);
        assert_eq!(a.index, 3);
        assert_eq!(a.broadcast, Some(Ipv4Addr::new(10, 0, 0, 255)));
        assert_eq!(a.label.as_deref(), Some("eth0:vip"));
        assert_eq!(a.flags, 0x201);
    }

    #[test]
    fn parses_ipv6_tentative_address() {
        let ip: Ipv6Addr = "fd00::5".parse().unwrap();
        let p = addr_payload(
            AF_INET6,
            64,
            IFA_F_TENTATIVE as u8,
            4,
            &[(IFA_ADDRESS, ip.octets().to_vec())],
        );
        let a = parse_addr(&p).unwrap();
        assert_eq!(a.ip, IpAddr::V6(ip));
        assert!(a.flags & IFA_F_TENTATIVE != 0);
        assert!(parse_addr(&addr_payload(AF_INET6, 64, 0, 4, &[])).is_err());
        assert!(parse_addr(&[10, 64]).is_err());
    }

    #[test]
    fn parses_link_name_state_and_mac() {
        let mut p = vec![0u8; 16];
        p[4..8].copy_from_slice(&5u32.to_ne_bytes());
        p[8..12].copy_from_slice(&(IFF_UP | 0x1000).to_ne_bytes());
        push_attr(&mut p, IFLA_IFNAME, b"veth0\0");
        push_attr(&mut p, IFLA_ADDRESS, &[2, 0, 0, 0, 0, 1]);
        push_attr(&mut p, IFLA_OPERSTATE, &[6]);
        let l = parse_link(&p).unwrap();
        assert_eq!(l.index, 5);
        assert_eq!(l.name, "veth0");
        assert_eq!(l.mac, vec![2, 0, 0, 0, 0, 1]);
        assert!(l.is_up());
        let mut down = l.clone();
        down.operstate = IF_OPER_LOWERLAYERDOWN;
        assert!(!down.is_up());
    }

    #[test]
    fn parses_route() {
        let mut p = vec![AF_INET, 24, 0, 0, 254, 2, RT_SCOPE_LINK, RTN_UNICAST];
        p.extend_from_slice(&0u32.to_ne_bytes());
        push_attr(&mut p, RTA_DST, &[10, 1, 2, 0]);
        push_attr(&mut p, RTA_OIF, &7u32.to_ne_bytes());
        push_attr(&mut p, RTA_PRIORITY, &100u32.to_ne_bytes());
        push_attr(&mut p, RTA_PREFSRC, &[10, 1, 2, 1]);
        let r = parse_route(&p).unwrap();
        assert_eq!(r.dst, Some("10.1.2.0".parse().unwrap()));
        assert_eq!(r.dst_len, 24);
        assert_eq!(r.oif, Some(7));
        assert_eq!(r.metric, 100);
        assert_eq!(r.table, RT_TABLE_MAIN);
        assert_eq!(r.scope, RT_SCOPE_LINK);
        assert_eq!(r.prefsrc, Some("10.1.2.1".parse().unwrap()));
    }

    #[test]
    fn addr_body_round_trips_through_the_parser() {
        let spec = AddrSpec {
            ip: "10.0.0.7".parse().unwrap(),
            prefix_len: 24,
            index: 9,
            broadcast: Some(Ipv4Addr::new(10, 0, 0, 255)),
            label: Some("eth0:x".into()),
            flags: IFA_F_NOPREFIXROUTE,
            preferred_lft: None,
        };
        let body = addr_body(&spec);
        let a = parse_addr(&body).unwrap();
        assert_eq!(a.ip, spec.ip);
        assert_eq!(a.prefix_len, 24);
        assert_eq!(a.index, 9);
        assert_eq!(a.broadcast, spec.broadcast);
        assert_eq!(a.label.as_deref(), Some("eth0:x"));
        assert_eq!(a.flags, IFA_F_NOPREFIXROUTE);

        let v6 = AddrSpec {
            ip: "fd00::7".parse().unwrap(),
            prefix_len: 64,
            index: 2,
            broadcast: None,
            label: None,
            flags: IFA_F_NODAD,
            preferred_lft: Some(0),
        };
        let body = addr_body(&v6);
        assert_eq!(body[0], AF_INET6);
        assert_eq!(body[2], IFA_F_NODAD as u8);
        let attrs = attributes(&body[8..]).unwrap();
        let ci = attrs.iter().find(|(k, _)| *k == IFA_CACHEINFO).unwrap().1;
        assert_eq!(u32_at(ci, 0), Some(0));
        assert_eq!(u32_at(ci, 4), Some(u32::MAX));
        assert!(!attrs.iter().any(|(k, _)| *k == IFA_FLAGS));
    }

    #[test]
    fn link_by_name_request_carries_the_name() {
        let b = link_by_name_body("eth0");
        let attrs = attributes(&b[16..]).unwrap();
        assert_eq!(attrs[0], (IFLA_IFNAME, &b"eth0\0"[..]));
        assert_eq!(attrs[1].0, IFLA_EXT_MASK);
    }

    #[test]
    fn addrlabel_request_layout() {
        let ip: Ipv6Addr = "fd00::10".parse().unwrap();
        let b = addrlabel_body(ip, 99);
        assert_eq!(&b[..4], &[AF_INET6, 0, 128, 0]);
        let attrs = attributes(&b[12..]).unwrap();
        assert_eq!(attrs[0], (IFAL_ADDRESS, &ip.octets()[..]));
        assert_eq!(attrs[1], (IFAL_LABEL, &99u32.to_ne_bytes()[..]));
    }

    #[test]
    fn garbage_never_panics() {
        // Deterministic random input: every parser must reject or accept, never panic.
        let mut rng = rustha_testkit::XorShift::new(0x9e37_79b9);
        for len in 0..200usize {
            let bytes = rng.bytes(len);
            let _ = split(&bytes);
            let _ = attributes(&bytes);
            let _ = parse_link(&bytes);
            let _ = parse_addr(&bytes);
            let _ = parse_route(&bytes);
            let _ = error_code(&bytes);
            let _ = crate::packets::Arp::parse(&bytes);
            let _ = rustha_support::proc::Stat::parse(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn link_up_sets_flag_and_change_mask() {
        let b = link_up_body(4);
        assert_eq!(u32_at(&b, 4), Some(4));
        assert_eq!(u32_at(&b, 8), Some(IFF_UP));
        assert_eq!(u32_at(&b, 12), Some(IFF_UP));
    }
}
