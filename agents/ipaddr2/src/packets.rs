// SPDX-License-Identifier: GPL-2.0-or-later
//! Wire formats of the announcements and probes: ARP (RFC 826, RFC 5227) and the ICMPv6
//! neighbour advertisement (RFC 4861), built and parsed without I/O.

use std::net::{Ipv4Addr, Ipv6Addr};

pub const ARP_REQUEST: u16 = 1;
pub const ARP_REPLY: u16 = 2;
/// The length of an Ethernet/IPv4 ARP packet (without the Ethernet header).
pub const ARP_LEN: usize = 28;

/// An Ethernet/IPv4 ARP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arp {
    pub op: u16,
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

impl Arp {
    pub fn encode(&self) -> [u8; ARP_LEN] {
        let mut p = [0u8; ARP_LEN];
        p[0..2].copy_from_slice(&1u16.to_be_bytes()); // Ethernet
        p[2..4].copy_from_slice(&0x0800u16.to_be_bytes()); // IPv4
        p[4] = 6;
        p[5] = 4;
        p[6..8].copy_from_slice(&self.op.to_be_bytes());
        p[8..14].copy_from_slice(&self.sender_mac);
        p[14..18].copy_from_slice(&self.sender_ip.octets());
        p[18..24].copy_from_slice(&self.target_mac);
        p[24..28].copy_from_slice(&self.target_ip.octets());
        p
    }

    /// Parse an ARP packet (Ethernet header already stripped); None for anything else.
    pub fn parse(p: &[u8]) -> Option<Arp> {
        if p.len() < ARP_LEN || p[0..2] != [0, 1] || p[2..4] != [8, 0] || p[4] != 6 || p[5] != 4 {
            return None;
        }
        let mac = |at: usize| -> [u8; 6] { p[at..at + 6].try_into().unwrap_or([0; 6]) };
        let ip = |at: usize| Ipv4Addr::new(p[at], p[at + 1], p[at + 2], p[at + 3]);
        Some(Arp {
            op: u16::from_be_bytes([p[6], p[7]]),
            sender_mac: mac(8),
            sender_ip: ip(14),
            target_mac: mac(18),
            target_ip: ip(24),
        })
    }
}

/// A gratuitous ARP announcing that `ip` is at `mac`: a request (sender = target = ip, as
/// send_arp sends it), or with `reply` an unsolicited reply (send_arp_opts=-A).
pub fn gratuitous_arp(mac: [u8; 6], ip: Ipv4Addr, reply: bool) -> Arp {
    Arp {
        op: if reply { ARP_REPLY } else { ARP_REQUEST },
        sender_mac: mac,
        sender_ip: ip,
        target_mac: if reply { mac } else { [0xff; 6] },
        target_ip: ip,
    }
}

/// An ARP probe for `ip` (RFC 5227: sender address 0.0.0.0), as `arping -D` sends it.
pub fn arp_probe(mac: [u8; 6], ip: Ipv4Addr) -> Arp {
    Arp {
        op: ARP_REQUEST,
        sender_mac: mac,
        sender_ip: Ipv4Addr::UNSPECIFIED,
        target_mac: [0; 6],
        target_ip: ip,
    }
}

/// Whether `answer` shows another host using `ip` (a reply or announcement from a MAC not ours).
pub fn is_conflict(answer: &Arp, ip: Ipv4Addr, our_mac: [u8; 6]) -> bool {
    answer.sender_ip == ip && answer.sender_mac != our_mac
}

/// The ICMPv6 part of an unsolicited neighbour advertisement for `target` at `mac`: Override
/// flag set, with the target link-layer address option. The checksum is left zero: the kernel
/// fills it in for ICMPv6 raw sockets.
pub fn neighbour_advertisement(target: Ipv6Addr, mac: [u8; 6]) -> [u8; 32] {
    let mut p = [0u8; 32];
    p[0] = 136; // Neighbor Advertisement
    p[4] = 0x20; // O (override); not a router, not solicited
    p[8..24].copy_from_slice(&target.octets());
    p[24] = 2; // Target Link-Layer Address
    p[25] = 1; // length in units of 8 octets
    p[26..32].copy_from_slice(&mac);
    p
}

/// The MAC address bytes of an interface, if it has an Ethernet-sized one.
pub fn mac6(bytes: &[u8]) -> Option<[u8; 6]> {
    bytes.try_into().ok()
}

/// A MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn fmt_mac(m: &[u8]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0a];

    #[test]
    fn gratuitous_request_layout() {
        let ip = Ipv4Addr::new(10, 251, 0, 10);
        let p = gratuitous_arp(MAC, ip, false).encode();
        assert_eq!(
            p.to_vec(),
            [
                vec![0, 1, 8, 0, 6, 4, 0, 1],
                MAC.to_vec(),
                vec![10, 251, 0, 10],
                vec![0xff; 6],
                vec![10, 251, 0, 10],
            ]
            .concat()
        );
        let r = gratuitous_arp(MAC, ip, true);
        assert_eq!(r.op, ARP_REPLY);
        assert_eq!(r.target_mac, MAC);
    }

    #[test]
    fn parse_round_trip_and_rejects_other_protocols() {
        let a = arp_probe(MAC, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(Arp::parse(&a.encode()), Some(a));
        assert_eq!(a.sender_ip, Ipv4Addr::UNSPECIFIED);
        let mut other = a.encode();
        other[3] = 0xdd; // not IPv4
        assert_eq!(Arp::parse(&other), None);
        assert_eq!(Arp::parse(&a.encode()[..20]), None);
    }

    #[test]
    fn conflicts_are_other_macs_claiming_the_address() {
        let ip = Ipv4Addr::new(10, 0, 0, 1);
        let theirs = gratuitous_arp([2, 0, 0, 0, 0, 0xb], ip, true);
        assert!(is_conflict(&theirs, ip, MAC));
        assert!(!is_conflict(&gratuitous_arp(MAC, ip, true), ip, MAC));
        assert!(!is_conflict(&theirs, Ipv4Addr::new(10, 0, 0, 2), MAC));
    }

    #[test]
    fn neighbour_advertisement_layout() {
        let t: Ipv6Addr = "fd00::10".parse().unwrap();
        let p = neighbour_advertisement(t, MAC);
        assert_eq!(p[0], 136);
        assert_eq!(p[1], 0);
        assert_eq!(&p[2..4], &[0, 0]);
        assert_eq!(p[4], 0x20);
        assert_eq!(&p[8..24], &t.octets());
        assert_eq!(&p[24..26], &[2, 1]);
        assert_eq!(&p[26..32], &MAC);
    }
}
