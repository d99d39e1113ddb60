//! The typed parameters of one invocation, checked the way the stock agent checks them, each
//! failure naming the bad value and what was expected.

use crate::findif;
use ocf_metadata::{parse_bool, Values};
use rustha_ocf::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// `broadcast`: none, an address, or derived from the prefix (`+` sets, `-` clears host bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broadcast {
    Unset,
    Addr(Ipv4Addr),
    HostBitsSet,
    HostBitsCleared,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub ip: IpAddr,
    /// The base interface (`nic` without a `:label`), if given.
    pub nic: Option<String>,
    /// The label suffix (from `nic=eth0:label` or `iflabel`), without the interface name.
    pub label: Option<String>,
    pub prefix: Option<u8>,
    pub broadcast: Broadcast,
    pub lvs_support: bool,
    /// IPv6 with lvs_ipv6_addrlabel: the label for the address's /128 policy.
    pub ipv6_addrlabel: Option<u32>,
    pub arp_interval: Duration,
    pub arp_count: u32,
    pub arp_count_refresh: u32,
    pub arp_bg: bool,
    /// send_arp_opts=-A: announce with ARP replies.
    pub arp_reply: bool,
    pub flush_routes: bool,
    pub run_arping: bool,
    pub nodad: bool,
    pub noprefixroute: bool,
    /// IPv6 preferred lifetime in seconds; None for forever.
    pub preferred_lft: Option<u32>,
    pub network_namespace: Option<String>,
    pub check_link_status: bool,
}

/// The first of `names` that has a value (IPaddr's old names next to IPaddr2's).
fn first<'a>(v: &'a Values, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| v.get(n)).map(str::trim)
}

fn flag(v: &Values, names: &[&str], default: bool) -> bool {
    first(v, names).and_then(parse_bool).unwrap_or(default)
}

/// A positive integer under the first of `names` that has a value; an error names the
/// parameter the value came from (IPaddr's ARP_REPEAT, not arp_count).
fn positive(v: &Values, names: &[&str], default: u32, what: &str) -> Result<u32> {
    let Some((name, raw)) = names
        .iter()
        .find_map(|n| v.get(n).map(|s| (*n, s.trim())))
        .filter(|(_, raw)| !raw.is_empty())
    else {
        return Ok(default);
    };
    match raw.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::configured(format!(
            "Invalid {name} [{raw}]: expected a positive integer ({what})"
        ))),
    }
}

/// Parse an address the way findif's checks accept it: IPv4 in dotted quad (first octet not
/// 0), IPv6 in any RFC 4291 form.
pub fn parse_ip(s: &str) -> Result<IpAddr> {
    let s = s.trim();
    let bad = || {
        Error::configured(format!(
            "IP address [{s}] not valid: expected an IPv4 address (dotted quad) or an IPv6 address"
        ))
    };
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().map(IpAddr::V6).map_err(|_| bad());
    }
    match s.parse::<Ipv4Addr>() {
        Ok(a) if a.octets()[0] != 0 => Ok(IpAddr::V4(a)),
        _ => Err(bad()),
    }
}

impl Params {
    /// Read and check the parameters; `meta` looks up Pacemaker's meta attributes (clone_max,
    /// clone, globally_unique).
    pub fn from_values<'m>(v: &Values, meta: impl Fn(&str) -> Option<&'m str>) -> Result<Params> {
        let clone_max = match meta("clone_max").map(str::trim) {
            None | Some("") => 1,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(Error::configured(format!(
                        "Invalid meta-attribute clone_max [{s}], should be positive integer"
                    )))
                }
            },
        };
        let lvs_support = flag(v, &["lvs_support"], false);
        if lvs_support && clone_max > 1 {
            return Err(Error::configured(
                "LVS and load sharing do not go together well",
            ));
        }
        let unique_clone = flag(v, &["unique_clone_address"], false);
        if unique_clone
            && !meta("globally_unique")
                .and_then(parse_bool)
                .unwrap_or(false)
        {
            return Err(Error::configured(
                "unique_clone_address makes sense only with meta globally_unique set",
            ));
        }
        if clone_max > 1 && !unique_clone {
            return Err(Error::configured(format!(
                "the CLUSTERIP clone mode (clone-max={clone_max} without unique_clone_address) is not supported by ocf:rustha:IPaddr2; use a primitive resource, or unique_clone_address=true with globally-unique=true"
            )));
        }

        let mut ip = parse_ip(v.str("ip"))?;
        if unique_clone {
            let clone: u32 = meta("clone")
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(0);
            if let IpAddr::V4(a) = ip {
                let o = a.octets();
                let last = u32::from(o[3]) + clone;
                if last > 255 {
                    return Err(Error::configured(format!(
                        "unique_clone_address: {a} plus clone number {clone} leaves the last octet's range"
                    )));
                }
                ip = IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], last as u8));
            }
        }

        let lvs_ipv6_addrlabel = flag(v, &["lvs_ipv6_addrlabel"], false);
        match ip {
            IpAddr::V4(_) if lvs_ipv6_addrlabel => {
                return Err(Error::configured(
                    "IPv4 does not support lvs_ipv6_addrlabel",
                ))
            }
            IpAddr::V6(_) if lvs_support => {
                return Err(Error::configured("The IPv6 does not support lvs_support"))
            }
            _ => {}
        }
        let ipv6_addrlabel = if lvs_ipv6_addrlabel {
            let raw = v.str("lvs_ipv6_addrlabel_value").trim();
            match raw.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    return Err(Error::configured(format!(
                        "Invalid lvs_ipv6_addrlabel_value [{raw}], should be positive integer"
                    )))
                }
            }
        } else {
            None
        };

        let (mut nic, mut label) = (None, None);
        let raw_nic = v.str("nic").trim();
        if let Some((base, l)) = raw_nic.split_once(':') {
            nic = Some(base.to_string()).filter(|n| !n.is_empty());
            label = Some(l.to_string()).filter(|l| !l.is_empty());
        } else if !raw_nic.is_empty() {
            nic = Some(raw_nic.to_string());
        }
        if label.is_none() {
            label = v
                .get("iflabel")
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty());
        }
        if let Some(n) = &nic {
            if n.len() > 15 || n.contains(['/', ' ']) {
                return Err(Error::configured(format!(
                    "Invalid interface name [{n}]: expected an interface name of at most 15 characters"
                )));
            }
        }
        if let IpAddr::V6(a) = ip {
            if nic.is_none() && (a.segments()[0] & 0xffc0) == 0xfe80 {
                return Err(Error::configured(format!(
                    "'nic' parameter is mandatory for a link local address [{a}]"
                )));
            }
        }

        let prefix = match v
            .get("cidr_netmask")
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                Some(findif::parse_netmask(s, findif::max_prefix(ip)).map_err(Error::configured)?)
            }
        };

        let broadcast = match (ip, v.get("broadcast").map(str::trim).unwrap_or("")) {
            (_, "") => Broadcast::Unset,
            (IpAddr::V6(_), b) => {
                tracing::debug!("broadcast {b} ignored for an IPv6 address");
                Broadcast::Unset
            }
            (_, "+") => Broadcast::HostBitsSet,
            (_, "-") => Broadcast::HostBitsCleared,
            (_, b) => match b.parse::<Ipv4Addr>() {
                Ok(a) => Broadcast::Addr(a),
                Err(_) => {
                    return Err(Error::configured(format!(
                        "Invalid broadcast address [{b}]: expected an IPv4 address, '+' or '-'"
                    )))
                }
            },
        };

        let arp_interval = positive(v, &["arp_interval", "ARP_INTERVAL_MS"], 200, "milliseconds")?;
        let arp_count = positive(v, &["arp_count", "ARP_REPEAT"], 5, "packets")?;
        let refresh_raw = v.str("arp_count_refresh").trim();
        let arp_count_refresh = if refresh_raw.is_empty() {
            0
        } else {
            refresh_raw.parse::<u32>().map_err(|_| {
                Error::configured(format!(
                    "Invalid arp_count_refresh [{refresh_raw}]: expected a number of packets (0 or more)"
                ))
            })?
        };
        let arp_bg = flag(v, &["arp_bg", "ARP_BACKGROUND"], ip.is_ipv4());
        match v.str("arp_sender").trim() {
            "" | "send_arp" | "iputils_arping" | "libnet_arping" | "ipoibarping" => {}
            other => {
                return Err(Error::configured(format!(
                    "unrecognized arp_sender value: {other} (expected send_arp, iputils_arping, libnet_arping or ipoibarping)"
                )))
            }
        }
        let arp_reply = v.str("send_arp_opts").split_whitespace().any(|o| o == "-A");

        let preferred_lft = match v.str("preferred_lft").trim() {
            "" if v.is_given("preferred_lft") => {
                return Err(Error::configured(
                    "Empty value is invalid for OCF_RESKEY_preferred_lft",
                ))
            }
            "" | "forever" => None,
            s => {
                let secs = s.strip_suffix("sec").unwrap_or(s);
                match secs.parse::<u32>() {
                    Ok(n) if n < u32::MAX => Some(n),
                    _ => {
                        return Err(Error::configured(format!(
                            "Invalid preferred_lft [{s}]: expected 'forever' or a number of seconds"
                        )))
                    }
                }
            }
        };

        Ok(Params {
            ip,
            nic,
            label,
            prefix,
            broadcast,
            lvs_support,
            ipv6_addrlabel,
            arp_interval: Duration::from_millis(u64::from(arp_interval)),
            arp_count,
            arp_count_refresh,
            arp_bg,
            arp_reply,
            flush_routes: flag(v, &["flush_routes"], false),
            run_arping: flag(v, &["run_arping"], false),
            nodad: flag(v, &["nodad"], false),
            noprefixroute: flag(v, &["noprefixroute"], false),
            preferred_lft,
            network_namespace: v
                .get("network_namespace")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            check_link_status: flag(v, &["check_link_status"], true),
        })
    }
}

/// heartbeat v1 positional form: `ip[/bits[/nic-or-broadcast[/broadcast]]]`, e.g.
/// `10.0.0.5/24/eth0/10.0.0.255` or `192.168.85.3/27/192.168.85.16` (third field an address:
/// the broadcast).
pub fn legacy(positional: &[String]) -> Result<Vec<(&'static str, String)>> {
    let [arg] = positional else {
        return Err(Error::new(
            rustha_ocf::Code::ErrArgs,
            format!(
                "expected one positional argument ip[/bits[/nic][/broadcast]] before the action, got {:?}",
                positional.join(" ")
            ),
        ));
    };
    // haresources spelling `IPaddr2::10.0.0.5/24`, should the resource name come along.
    let arg = ["IPaddr2::", "IPaddr::"]
        .iter()
        .find_map(|p| arg.strip_prefix(p))
        .unwrap_or(arg);
    let fields: Vec<&str> = arg.split('/').collect();
    if fields.len() > 4 || fields[0].is_empty() {
        return Err(Error::new(
            rustha_ocf::Code::ErrArgs,
            format!("legacy argument {arg:?} is not of the form ip[/bits[/nic][/broadcast]]"),
        ));
    }
    let mut out = vec![("ip", fields[0].to_string())];
    if let Some(bits) = fields.get(1).filter(|b| !b.is_empty()) {
        out.push(("cidr_netmask", bits.to_string()));
    }
    if let Some(third) = fields.get(2).filter(|f| !f.is_empty()) {
        if third.parse::<Ipv4Addr>().is_ok() {
            out.push(("broadcast", third.to_string()));
        } else {
            out.push(("nic", third.to_string()));
        }
    }
    if let Some(brd) = fields.get(3).filter(|f| !f.is_empty()) {
        out.push(("broadcast", brd.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocf_metadata::agents::ipaddr2::{IPADDR, IPADDR2};

    fn params(raw: &[(&str, &str)], meta: &[(&str, &str)]) -> Result<Params> {
        let v = Values::parse(&IPADDR2, raw.iter().copied())?;
        Params::from_values(&v, |k| meta.iter().find(|(n, _)| *n == k).map(|(_, v)| *v))
    }

    fn reason(raw: &[(&str, &str)], meta: &[(&str, &str)]) -> String {
        let e = params(raw, meta).unwrap_err();
        assert_eq!(e.code, rustha_ocf::Code::ErrConfigured, "{e}");
        e.reason
    }

    #[test]
    fn defaults_follow_the_stock_agent() {
        let p = params(&[("ip", "10.0.0.5")], &[]).unwrap();
        assert_eq!(p.ip, "10.0.0.5".parse::<IpAddr>().unwrap());
        assert_eq!(
            (p.nic.as_deref(), p.prefix, p.broadcast),
            (None, None, Broadcast::Unset)
        );
        assert_eq!(p.arp_interval, Duration::from_millis(200));
        assert_eq!((p.arp_count, p.arp_count_refresh), (5, 0));
        assert!(p.arp_bg, "arp_bg defaults to true for IPv4");
        assert!(p.check_link_status);
        assert_eq!(p.preferred_lft, None);
        let p6 = params(&[("ip", "fd00::5")], &[]).unwrap();
        assert!(!p6.arp_bg, "arp_bg defaults to false for IPv6");
    }

    #[test]
    fn nic_label_netmask_broadcast() {
        let p = params(
            &[
                ("ip", "10.0.0.5"),
                ("nic", "eth0:web"),
                ("iflabel", "ignored"),
                ("netmask", "255.255.255.0"),
                ("broadcast", "+"),
                ("send_arp_opts", "-A -c 3"),
                ("preferred_lft", "30"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(p.nic.as_deref(), Some("eth0"));
        assert_eq!(p.label.as_deref(), Some("web"));
        assert_eq!(p.prefix, Some(24));
        assert_eq!(p.broadcast, Broadcast::HostBitsSet);
        assert!(p.arp_reply);
        assert_eq!(p.preferred_lft, Some(30));
        let p = params(
            &[
                ("ip", "10.0.0.5"),
                ("iflabel", "vip"),
                ("broadcast", "10.0.0.255"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(p.label.as_deref(), Some("vip"));
        assert_eq!(p.broadcast, Broadcast::Addr(Ipv4Addr::new(10, 0, 0, 255)));
    }

    #[test]
    fn bad_values_name_the_value() {
        assert!(reason(&[("ip", "10.0.0.256")], &[]).contains("[10.0.0.256]"));
        assert!(reason(&[("ip", "0.1.2.3")], &[]).contains("[0.1.2.3]"));
        assert!(reason(&[("ip", "fd00::g")], &[]).contains("[fd00::g]"));
        assert!(reason(&[("ip", "10.0.0.5"), ("cidr_netmask", "33")], &[]).contains("[33]"));
        assert!(reason(&[("ip", "10.0.0.5"), ("broadcast", "x")], &[]).contains("[x]"));
        assert!(reason(&[("ip", "10.0.0.5"), ("arp_count", "0")], &[]).contains("arp_count [0]"));
        assert!(reason(&[("ip", "10.0.0.5"), ("preferred_lft", "")], &[]).contains("preferred_lft"));
        assert!(reason(&[("ip", "fe80::1")], &[]).contains("link local"));
        assert!(
            reason(&[("ip", "10.0.0.5"), ("nic", "a-very-long-interface")], &[])
                .contains("a-very-long-interface")
        );
    }

    #[test]
    fn clone_modes() {
        assert!(reason(&[("ip", "10.0.0.5")], &[("clone_max", "2")]).contains("CLUSTERIP"));
        assert!(reason(&[("ip", "10.0.0.5")], &[("clone_max", "x")]).contains("clone_max [x]"));
        assert!(reason(
            &[("ip", "10.0.0.5"), ("lvs_support", "true")],
            &[("clone_max", "2")]
        )
        .contains("LVS"));
        let uca = [("ip", "10.0.0.5"), ("unique_clone_address", "true")];
        assert!(reason(&uca, &[("clone_max", "3"), ("clone", "2")]).contains("globally_unique"));
        let p = params(
            &uca,
            &[
                ("clone_max", "3"),
                ("clone", "2"),
                ("globally_unique", "true"),
            ],
        )
        .unwrap();
        assert_eq!(p.ip, "10.0.0.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipaddr_names() {
        let v = Values::parse(
            &IPADDR,
            [
                ("ip", "10.0.0.5"),
                ("ARP_INTERVAL_MS", "50"),
                ("ARP_REPEAT", "2"),
                ("ARP_BACKGROUND", "no"),
            ],
        )
        .unwrap();
        let p = Params::from_values(&v, |_| None).unwrap();
        assert_eq!(p.arp_interval, Duration::from_millis(50));
        assert_eq!(p.arp_count, 2);
        assert!(!p.arp_bg);
        // IPaddr's defaults: 500 ms, 10 packets, background.
        let v = Values::parse(&IPADDR, [("ip", "10.0.0.5")]).unwrap();
        let p = Params::from_values(&v, |_| None).unwrap();
        assert_eq!(
            (p.arp_interval, p.arp_count, p.arp_bg),
            (Duration::from_millis(500), 10, true)
        );
        // A bad value is reported under the name it was given as.
        let v = Values::parse(&IPADDR, [("ip", "10.0.0.5"), ("ARP_REPEAT", "0")]).unwrap();
        let e = Params::from_values(&v, |_| None).unwrap_err();
        assert_eq!(e.code, rustha_ocf::Code::ErrConfigured);
        assert_eq!(
            e.reason,
            "Invalid ARP_REPEAT [0]: expected a positive integer (packets)"
        );
    }

    #[test]
    fn legacy_positional_argument() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            legacy(&s(&["10.0.0.5/24/eth0/10.0.0.255"])).unwrap(),
            vec![
                ("ip", "10.0.0.5".to_string()),
                ("cidr_netmask", "24".to_string()),
                ("nic", "eth0".to_string()),
                ("broadcast", "10.0.0.255".to_string())
            ]
        );
        assert_eq!(
            legacy(&s(&["192.168.85.3/27/192.168.85.16"])).unwrap(),
            vec![
                ("ip", "192.168.85.3".to_string()),
                ("cidr_netmask", "27".to_string()),
                ("broadcast", "192.168.85.16".to_string())
            ]
        );
        assert_eq!(
            legacy(&s(&["10.0.0.5"])).unwrap(),
            vec![("ip", "10.0.0.5".to_string())]
        );
        assert_eq!(
            legacy(&s(&["IPaddr::192.168.85.3/27"])).unwrap()[0],
            ("ip", "192.168.85.3".to_string())
        );
        assert_eq!(
            legacy(&s(&["fd00::5/64/eth0"])).unwrap()[2],
            ("nic", "eth0".to_string())
        );
        assert_eq!(
            legacy(&s(&["10.0.0.5//eth1"])).unwrap()[1],
            ("nic", "eth1".to_string())
        );
        for bad in [&["a/b/c/d/e"][..], &["x", "y"], &["/24"]] {
            assert_eq!(
                legacy(&s(bad)).unwrap_err().code,
                rustha_ocf::Code::ErrArgs,
                "{bad:?}"
            );
        }
    }
}
