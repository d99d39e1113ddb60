// SPDX-License-Identifier: GPL-2.0-or-later
//! Address arithmetic and the stock `findif` logic, as pure functions.
//!
//! findif picks the interface and prefix for an address from the routing table: among the
//! link-scope routes of the main table that contain the address (and the whole requested prefix,
//! when `cidr_netmask` is given), the one with the longest prefix wins; default, unreachable,
//! blackhole and other non-unicast routes never match.

use crate::rtnl::{
    Route, RTN_LOCAL, RTN_UNICAST, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_TABLE_LOCAL, RT_TABLE_MAIN,
};
use std::net::{IpAddr, Ipv4Addr};

/// The number of bits in an address of `ip`'s family.
pub fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Whether `ip` lies in `net`/`len` (same family).
pub fn contains(net: IpAddr, len: u8, ip: IpAddr) -> bool {
    if net.is_ipv4() != ip.is_ipv4() {
        return false;
    }
    let width = u32::from(max_prefix(ip));
    let len = u32::from(len).min(width);
    if len == 0 {
        return true;
    }
    let shift = width - len;
    (bits(net) >> shift) == (bits(ip) >> shift)
}

/// The broadcast address of `ip`/`prefix` with the host bits set (`+`) or cleared (`-`).
pub fn broadcast(ip: Ipv4Addr, prefix: u8, set_host_bits: bool) -> Ipv4Addr {
    let host = if prefix >= 32 { 0 } else { u32::MAX >> prefix };
    let ip = u32::from(ip);
    Ipv4Addr::from(if set_host_bits { ip | host } else { ip & !host })
}

/// `cidr_netmask` as findif accepts it: 1..=max decimal (at most three digits), or an IPv4
/// dotted-quad netmask (converted). The error says what was expected.
pub fn parse_netmask(s: &str, max: u8) -> Result<u8, String> {
    let s = s.trim();
    if s.contains('.') && max == 32 {
        let q: Ipv4Addr = s
            .parse()
            .map_err(|_| format!("cidr_netmask {s:?} is not a prefix length (1-{max})"))?;
        let m = u32::from(q);
        if m.leading_ones() + m.trailing_zeros() != 32 || m == 0 {
            return Err(format!(
                "cidr_netmask {s:?} is not a valid netmask (its one bits must be contiguous)"
            ));
        }
        return Ok(m.leading_ones() as u8);
    }
    let ok = !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    match s.parse::<u8>() {
        Ok(n) if ok && (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "Invalid netmask specification [{s}]: expected a prefix length from 1 to {max}"
        )),
    }
}

/// The route findif would choose for `ip` (optionally a whole `prefix`, optionally only via
/// interface `oif`).
pub fn select_route(
    routes: &[Route],
    ip: IpAddr,
    prefix: Option<u8>,
    oif: Option<u32>,
) -> Option<&Route> {
    let want = prefix.unwrap_or(max_prefix(ip));
    let candidates = routes.iter().filter(|r| {
        r.table == RT_TABLE_MAIN
            && r.kind == RTN_UNICAST
            && r.dst_len > 0
            && r.dst_len <= want
            && r.oif.is_some()
            && (oif.is_none() || r.oif == oif)
            && (ip.is_ipv6() || r.scope == RT_SCOPE_LINK)
            && r.dst.is_some_and(|d| contains(d, r.dst_len, ip))
    });
    let best = candidates.fold(None::<&Route>, |best, r| match best {
        Some(b)
            if (b.dst_len, std::cmp::Reverse(b.metric))
                >= (r.dst_len, std::cmp::Reverse(r.metric)) =>
        {
            Some(b)
        }
        _ => Some(r),
    });
    if best.is_some() || !ip.is_ipv4() {
        return best;
    }
    // 127.x: findif falls back to the local table's host-scope network routes.
    match ip {
        IpAddr::V4(a) if a.is_loopback() => routes.iter().find(|r| {
            r.table == RT_TABLE_LOCAL
                && r.kind == RTN_LOCAL
                && r.scope == RT_SCOPE_HOST
                && r.dst_len > 0
                && r.dst_len < 32
                && r.dst_len <= want
                && (oif.is_none() || r.oif == oif)
                && r.dst.is_some_and(|d| contains(d, r.dst_len, ip))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtnl::{AF_INET, AF_INET6};

    fn route(dst: &str, len: u8, oif: u32, metric: u32) -> Route {
        let dst: IpAddr = dst.parse().unwrap();
        Route {
            family: if dst.is_ipv4() { AF_INET } else { AF_INET6 },
            dst_len: len,
            table: RT_TABLE_MAIN,
            scope: if dst.is_ipv4() { RT_SCOPE_LINK } else { 0 },
            kind: RTN_UNICAST,
            dst: Some(dst),
            oif: Some(oif),
            gateway: None,
            metric,
            prefsrc: None,
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn containment() {
        assert!(contains(ip("10.1.0.0"), 16, ip("10.1.200.3")));
        assert!(!contains(ip("10.1.0.0"), 16, ip("10.2.0.3")));
        assert!(contains(ip("fd00:1::"), 64, ip("fd00:1::5")));
        assert!(!contains(ip("fd00:1::"), 64, ip("fd00:2::5")));
        assert!(!contains(ip("10.0.0.0"), 8, ip("fd00::1")));
        assert!(contains(ip("0.0.0.0"), 0, ip("1.2.3.4")));
    }

    #[test]
    fn broadcast_plus_and_minus() {
        let a = Ipv4Addr::new(192, 168, 85, 3);
        assert_eq!(broadcast(a, 27, true), Ipv4Addr::new(192, 168, 85, 31));
        assert_eq!(broadcast(a, 27, false), Ipv4Addr::new(192, 168, 85, 0));
        assert_eq!(broadcast(a, 32, true), a);
        assert_eq!(broadcast(a, 0, true), Ipv4Addr::BROADCAST);
    }

    #[test]
    fn netmask_forms() {
        assert_eq!(parse_netmask("24", 32), Ok(24));
        assert_eq!(parse_netmask("255.255.255.0", 32), Ok(24));
        assert_eq!(parse_netmask("128", 128), Ok(128));
        for bad in ["33", "0", "", "abc", "2x", "0024", "-1"] {
            let e = parse_netmask(bad, 32).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
        assert!(parse_netmask("129", 128).is_err());
        assert!(parse_netmask("255.0.255.0", 32)
            .unwrap_err()
            .contains("contiguous"));
    }

    #[test]
    fn longest_matching_prefix_wins_then_lowest_metric() {
        let routes = vec![
            route("10.0.0.0", 8, 1, 0),
            route("10.1.0.0", 16, 2, 100),
            route("10.1.0.0", 16, 3, 50),
            route("10.2.0.0", 16, 4, 0),
        ];
        let r = select_route(&routes, ip("10.1.2.3"), None, None).unwrap();
        assert_eq!(r.oif, Some(3));
        // A requested /12 rules out the /16 routes: they do not contain the whole prefix.
        let r = select_route(&routes, ip("10.1.2.3"), Some(12), None).unwrap();
        assert_eq!(r.oif, Some(1));
        // Restricted to one interface.
        let r = select_route(&routes, ip("10.1.2.3"), None, Some(2)).unwrap();
        assert_eq!(r.dst_len, 16);
        assert!(select_route(&routes, ip("10.1.2.3"), None, Some(4)).is_none());
        assert!(select_route(&routes, ip("11.0.0.1"), None, None).is_none());
    }

    #[test]
    fn default_unreachable_gateway_and_other_tables_never_match() {
        let mut default = route("0.0.0.0", 0, 1, 0);
        default.dst = None;
        let mut unreachable = route("10.9.0.0", 16, 1, 0);
        unreachable.kind = 7;
        let mut via_gateway = route("10.8.0.0", 16, 1, 0);
        via_gateway.scope = 0;
        let mut other_table = route("10.7.0.0", 16, 1, 0);
        other_table.table = 100;
        let routes = vec![default, unreachable, via_gateway, other_table];
        for a in ["10.9.0.1", "10.8.0.1", "10.7.0.1", "1.1.1.1"] {
            assert!(select_route(&routes, ip(a), None, None).is_none(), "{a}");
        }
        // IPv6 routes have universe scope and still match.
        let v6 = vec![route("fd00:1::", 64, 5, 256)];
        assert_eq!(
            select_route(&v6, ip("fd00:1::9"), Some(80), None).map(|r| r.oif),
            Some(Some(5))
        );
        assert!(select_route(&v6, ip("fd00:1::9"), Some(48), None).is_none());
    }

    #[test]
    fn loopback_falls_back_to_the_local_table() {
        let mut lo = route("127.0.0.0", 8, 1, 0);
        lo.table = RT_TABLE_LOCAL;
        lo.kind = RTN_LOCAL;
        lo.scope = RT_SCOPE_HOST;
        let routes = vec![lo];
        assert_eq!(
            select_route(&routes, ip("127.0.0.7"), None, None).map(|r| r.dst_len),
            Some(8)
        );
    }
}
