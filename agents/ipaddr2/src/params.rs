// SPDX-License-Identifier: GPL-2.0-or-later
//! The parameters of IPaddr2 and IPaddr, each declared once (name per agent, default, whether
//! it identifies the address, reloadable, descriptions, parser), and [`Config`]: what they mean
//! together (clone numbers, families), still without a system call.
//!
//! Identifying parameters (ip, nic, cidr_netmask, network_namespace, unique_clone_address)
//! name the address; when one is invalid, nothing this agent started can be on the host, so
//! stop succeeds without acting and a monitor finds it stopped. Every other parameter only
//! shapes how the address is added and announced: when one is invalid, stop and monitor use
//! its default (start, validate-all and reload-agent refuse it).

use crate::findif;
use rustha_ocf::params::parse;
use rustha_ocf::{params, Error, Kind, Meta, Parameter, Result};
use rustha_support::text::shown;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// `nic`: the base interface and, from `eth0:label`, a label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nic {
    pub base: Option<String>,
    pub label: Option<String>,
}

/// `cidr_netmask` as given: prefix bits (checked against the address family in [`Config`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Netmask(pub u8);

/// `broadcast`: none, an address, or derived from the prefix (`+` sets, `-` clears host bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broadcast {
    Unset,
    Addr(Ipv4Addr),
    HostBitsSet,
    HostBitsCleared,
}

/// Parse an address the way findif's checks accept it: IPv4 in dotted quad (first octet not
/// 0), IPv6 in any RFC 4291 form.
pub fn parse_ip(s: &str) -> std::result::Result<IpAddr, String> {
    let s = s.trim();
    let expected = || "an IPv4 address (dotted quad) or an IPv6 address".to_string();
    if s.contains(':') {
        return s
            .parse::<Ipv6Addr>()
            .map(IpAddr::V6)
            .map_err(|_| expected());
    }
    match s.parse::<Ipv4Addr>() {
        Ok(a) if a.octets()[0] != 0 => Ok(IpAddr::V4(a)),
        _ => Err(expected()),
    }
}

fn parse_nic(s: &str) -> std::result::Result<Nic, String> {
    let s = s.trim();
    let (base, label) = match s.split_once(':') {
        Some((b, l)) => (b, Some(l)),
        None => (s, None),
    };
    if base.len() > 15 || base.contains(['/', ' ', '\t', '\n']) || base == "." || base == ".." {
        return Err("an interface name of at most 15 characters".to_string());
    }
    Ok(Nic {
        base: Some(base.to_string()).filter(|b| !b.is_empty()),
        label: label.map(str::to_string).filter(|l| !l.is_empty()),
    })
}

fn parse_netmask(s: &str) -> std::result::Result<Option<Netmask>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    // The family is not known here: up to 128; Config checks IPv4 against 32.
    findif::parse_netmask(s, if s.contains('.') { 32 } else { 128 })
        .map(|n| Some(Netmask(n)))
        .map_err(|_| {
            "a prefix length (1-32 for IPv4, 1-128 for IPv6) or a dotted-quad netmask".to_string()
        })
}

fn parse_broadcast(s: &str) -> std::result::Result<Broadcast, String> {
    match s.trim() {
        "" => Ok(Broadcast::Unset),
        "+" => Ok(Broadcast::HostBitsSet),
        "-" => Ok(Broadcast::HostBitsCleared),
        b => b
            .parse::<Ipv4Addr>()
            .map(Broadcast::Addr)
            .map_err(|_| "an IPv4 address, '+' or '-'".to_string()),
    }
}

fn parse_millis(s: &str) -> std::result::Result<Duration, String> {
    parse::positive_u32(s)
        .map(|n| Duration::from_millis(u64::from(n)))
        .map_err(|_| "a positive number of milliseconds".to_string())
}

fn parse_arp_sender(s: &str) -> std::result::Result<(), String> {
    match s.trim() {
        "" | "send_arp" | "iputils_arping" | "libnet_arping" | "ipoibarping" => Ok(()),
        _ => Err("send_arp, iputils_arping, libnet_arping or ipoibarping".to_string()),
    }
}

/// send_arp_opts: `-A` (announce with ARP replies) is understood, other options ignored.
fn parse_arp_reply(s: &str) -> std::result::Result<bool, String> {
    Ok(s.split_whitespace().any(|o| o == "-A"))
}

fn parse_preferred_lft(s: &str) -> std::result::Result<Option<u32>, String> {
    let expected = || "'forever' or a number of seconds".to_string();
    match s.trim() {
        "" => Err(expected()),
        "forever" => Ok(None),
        s => match s.strip_suffix("sec").unwrap_or(s).parse::<u32>() {
            Ok(n) if n < u32::MAX => Ok(Some(n)),
            _ => Err(expected()),
        },
    }
}

fn parse_namespace(s: &str) -> std::result::Result<Option<String>, String> {
    let s = s.trim();
    if s.contains('/') || s == "." || s == ".." || s.contains('\0') {
        return Err("the name of a namespace in /var/run/netns".to_string());
    }
    Ok(Some(s.to_string()).filter(|s| !s.is_empty()))
}

fn parse_label_value(s: &str) -> std::result::Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .map_err(|_| "a non-negative integer".to_string())
}

const NO_CLUSTERIP: &str =
    "Used only by the CLUSTERIP clone mode, which this agent does not support.";

params! {
    /// The parameters of `ocf:rustha:IPaddr2` (and `IPaddr`, with its old names and defaults).
    #[derive(PartialEq, Eq)]
    pub struct Params {
        pub ip: IpAddr = Parameter::new("ip", Kind::String, "IPv4 or IPv6 address")
            .required()
            .unique()
            .identifies()
            .example("192.168.1.10")
            .long(
                "The IPv4 (dotted quad notation) or IPv6 address (colon hexadecimal notation), \
                 for example IPv4 \"192.168.1.1\" or IPv6 \"2001:db8:DC28:0:0:FC57:D4C8:1FFF\".",
            )
            => parse_ip,
        pub nic: Nic = Parameter::new("nic", Kind::String, "Network interface")
            .identifies()
            .example("eth0")
            .variant("IPaddr", &Parameter::new("nic", Kind::String, "Network interface")
                .identifies()
                .example("eth0")
                .long(
                    "The base network interface on which the IP address will be brought online. \
                     If left empty, it is determined from the routing table.",
                ))
            .long(
                "The base network interface on which the IP address will be brought online. If \
                 left empty, it is determined from the routing table. Do not specify an alias \
                 interface in the form eth0:1 here; use iflabel for a label (nic=eth0:label is \
                 accepted but deprecated).",
            )
            => parse_nic,
        pub cidr_netmask: Option<Netmask> = Parameter::new("cidr_netmask", Kind::String, "CIDR netmask")
            .identifies()
            .default("")
            .example("24")
            .old_names(&[Parameter::new("netmask", Kind::String, "Netmask (old name)")
                .long("An old name of cidr_netmask, accepted for compatibility.")])
            .long(
                "The netmask for the interface in CIDR format (e.g., 24 and not 255.255.255.0; a \
                 dotted quad is converted, with a warning). If unspecified, it is determined from \
                 the routing table.",
            )
            => parse_netmask,
        pub broadcast: Broadcast = Parameter::new("broadcast", Kind::String, "Broadcast address")
            .default("")
            .long(
                "Broadcast address associated with the IP. The special symbols '+' and '-' derive \
                 it by setting or resetting the host bits of the interface prefix.",
            )
            => parse_broadcast,
        pub iflabel: Option<String> = Parameter::new("iflabel", Kind::String, "Interface label")
            .default("")
            .long(
                "An additional label for the address, appended to the interface name. The kernel \
                 allows labels up to 15 characters including the interface name and the colon \
                 (e.g. eth0:foobar1234).",
            )
            => parse::optional,
        pub lvs_support: bool = Parameter::new("lvs_support", Kind::Boolean, "Enable support for LVS DR")
            .default("false")
            .long(
                "Enable support for LVS Direct Routing configurations: a conflicting /32 address \
                 on the loopback device is removed on start and restored on stop. IPv4 only.",
            )
            => parse::boolean,
        pub local_stop_script: () = Parameter::new("local_stop_script", Kind::String, "Script called when stopping")
            .only_in(&["IPaddr"])
            .reloadable()
            .default("")
            .long("Accepted for compatibility and ignored (deprecated in the stock agent).")
            => parse::ignored,
        pub local_start_script: () = Parameter::new("local_start_script", Kind::String, "Script called when starting")
            .only_in(&["IPaddr"])
            .reloadable()
            .default("")
            .long("Accepted for compatibility and ignored (deprecated in the stock agent).")
            => parse::ignored,
        pub lvs_ipv6_addrlabel: bool = Parameter::new("lvs_ipv6_addrlabel", Kind::Boolean, "Enable adding IPv6 address label.")
            .only_in(&["IPaddr2"])
            .default("false")
            .long(
                "IPv6 only: add an address label policy (as 'ip addrlabel add prefix IP/128 label \
                 VALUE') on start and remove it on stop, so that traffic from the interface does \
                 not pick this address as its source (RFC 3484); LVS-DR health checks to the real \
                 servers need this.",
            )
            => parse::boolean,
        pub lvs_ipv6_addrlabel_value: u32 = Parameter::new("lvs_ipv6_addrlabel_value", Kind::Integer, "IPv6 address label value.")
            .only_in(&["IPaddr2"])
            .default("99")
            .long("The IPv6 address label value used when lvs_ipv6_addrlabel is enabled.")
            => parse_label_value,
        pub mac: () = Parameter::new("mac", Kind::String, "Cluster IP MAC address")
            .only_in(&["IPaddr2"])
            .default("")
            .long(NO_CLUSTERIP)
            => parse::ignored,
        pub clusterip_hash: () = Parameter::new("clusterip_hash", Kind::String, "Cluster IP hashing function")
            .only_in(&["IPaddr2"])
            .default("sourceip-sourceport")
            .long(NO_CLUSTERIP)
            => parse::ignored,
        pub unique_clone_address: bool = Parameter::new("unique_clone_address", Kind::Boolean, "Create a unique address for cloned instances")
            .only_in(&["IPaddr2"])
            .identifies()
            .default("false")
            .long(
                "If true, add the clone ID to the last octet of ip to create a unique address per \
                 clone instance (requires the meta attribute globally-unique=true).",
            )
            => parse::boolean,
        pub arp_interval: Duration = Parameter::new("arp_interval", Kind::Integer, "ARP/NA packet interval in ms")
            .reloadable()
            .default("200")
            .variant("IPaddr", &Parameter::new("ARP_INTERVAL_MS", Kind::Integer, "milliseconds between gratuitous ARPs")
                .reloadable()
                .default("500")
                .long("Milliseconds between the gratuitous ARP packets sent on start."))
            .long("The interval between unsolicited ARP (IPv4) or NA (IPv6) packets in milliseconds.")
            => parse_millis,
        pub arp_count: u32 = Parameter::new("arp_count", Kind::Integer, "ARP/NA packet count sent during initialization")
            .reloadable()
            .default("5")
            .variant("IPaddr", &Parameter::new("ARP_REPEAT", Kind::Integer, "repeat count")
                .reloadable()
                .default("10")
                .long("How many gratuitous ARP packets to send on start."))
            .long("Number of unsolicited ARP (IPv4) or NA (IPv6) packets to send on start.")
            => parse::positive_u32,
        pub arp_count_refresh: u32 = Parameter::new("arp_count_refresh", Kind::Integer, "ARP packet count sent during monitoring")
            .only_in(&["IPaddr2"])
            .reloadable()
            .default("0")
            .long(
                "For IPv4, number of unsolicited ARP packets to send during monitoring, to \
                 mitigate stuck ARP caches after a split brain.",
            )
            => parse::u32,
        /// None: the family decides (background for IPv4, not for IPv6).
        pub arp_bg: Option<bool> = Parameter::new("arp_bg", Kind::Boolean, "ARP/NA from background")
            .reloadable()
            .default("")
            .variant("IPaddr", &Parameter::new("ARP_BACKGROUND", Kind::Boolean, "run in background")
                .reloadable()
                .default("yes")
                .long("Whether to send the gratuitous ARP packets in the background."))
            .long(
                "Whether to send the ARP (IPv4) or NA (IPv6) packets in the background, after \
                 start has returned (stop ends the sender). The default is true for IPv4 and \
                 false for IPv6.",
            )
            => parse::optional_boolean,
        pub arp_netmask: () = Parameter::new("ARP_NETMASK", Kind::String, "netmask for ARP")
            .only_in(&["IPaddr"])
            .reloadable()
            .default("ffffffffffff")
            .long("Accepted for compatibility; the packets always go to the broadcast MAC.")
            => parse::ignored,
        pub arp_sender: () = Parameter::new("arp_sender", Kind::String, "ARP sender")
            .only_in(&["IPaddr2"])
            .reloadable()
            .default("")
            .long(
                "Accepted for compatibility: send_arp, ipoibarping, iputils_arping or \
                 libnet_arping. This agent always sends the packets itself on a packet socket.",
            )
            => parse_arp_sender,
        /// send_arp_opts has `-A`: announce with ARP replies.
        pub arp_reply: bool = Parameter::new("send_arp_opts", Kind::String, "Options for ARP sender")
            .only_in(&["IPaddr2"])
            .reloadable()
            .default("")
            .long(
                "Accepted for compatibility. '-A' (ARP replies instead of requests) and '-U' are \
                 understood; other options are ignored.",
            )
            => parse_arp_reply,
        pub flush_routes: bool = Parameter::new("flush_routes", Kind::Boolean, "Flush kernel routing table on stop")
            .only_in(&["IPaddr2"])
            .reloadable()
            .default("false")
            .long("Flush the kernel's routing cache on stop, so local applications stop using the address.")
            => parse::boolean,
        pub run_arping: bool = Parameter::new("run_arping", Kind::Boolean, "Run arping for IPv4 collision detection check")
            .only_in(&["IPaddr2"])
            .reloadable()
            .default("false")
            .long(
                "For IPv4, probe the segment for the address (ARP duplicate address detection) \
                 before adding it, and refuse to start when another host answers.",
            )
            => parse::boolean,
        pub nodad: bool = Parameter::new("nodad", Kind::Boolean, "Use nodad flag")
            .only_in(&["IPaddr2"])
            .default("false")
            .long("For IPv6, do not perform Duplicate Address Detection when adding the address.")
            => parse::boolean,
        pub noprefixroute: bool = Parameter::new("noprefixroute", Kind::Boolean, "Use noprefixroute flag")
            .only_in(&["IPaddr2"])
            .default("false")
            .long("Do not create a prefix route for the address (see 'man ip-address').")
            => parse::boolean,
        /// IPv6 preferred lifetime in seconds; None for forever.
        pub preferred_lft: Option<u32> = Parameter::new("preferred_lft", Kind::String, "IPv6 preferred lifetime")
            .only_in(&["IPaddr2"])
            .default("forever")
            .long(
                "For IPv6, the preferred lifetime of the address in seconds, or 'forever'; 0 \
                 keeps the address from being chosen as a source address (RFC 4862 section \
                 5.5.4).",
            )
            => parse_preferred_lft,
        pub network_namespace: Option<String> = Parameter::new("network_namespace", Kind::String, "Network namespace to use")
            .identifies()
            .default("")
            .long(
                "The network namespace to operate within (a name under /var/run/netns). The \
                 namespace must already exist, and the interface must be within it.",
            )
            => parse_namespace,
        pub check_link_status: bool = Parameter::new("check_link_status", Kind::Boolean, "Check link status")
            .reloadable()
            .default("true")
            .long(
                "Consider the resource stopped (monitor returns OCF_NOT_RUNNING) when the \
                 interface is down or has no carrier (state DOWN or LOWERLAYERDOWN).",
            )
            => parse::boolean,
    }
}

/// What the parameters mean together, for one invocation: the address (with the clone number
/// of unique_clone_address), its family's checks, the features in effect. No system calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub ip: IpAddr,
    /// The base interface, if given.
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
    pub arp_reply: bool,
    pub flush_routes: bool,
    pub run_arping: bool,
    pub nodad: bool,
    pub noprefixroute: bool,
    pub preferred_lft: Option<u32>,
    pub network_namespace: Option<String>,
    pub check_link_status: bool,
}

/// Why the parameters do not make a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// They cannot name an address this agent could have added (CLUSTERIP mode, a prefix too
    /// long for the family, ...): nothing can be running.
    Unidentified(String),
    /// A feature that cannot work with the rest (lvs_support with IPv6, ...): start refuses it;
    /// stop and monitor act without the feature.
    Feature(String),
}

impl ConfigError {
    pub fn reason(&self) -> &str {
        match self {
            ConfigError::Unidentified(r) | ConfigError::Feature(r) => r,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Error {
        Error::configured(e.reason().to_string())
    }
}

impl Config {
    /// The configuration for start, validate-all and reload-agent: every problem is an error.
    pub fn strict(p: &Params, meta: &Meta) -> Result<Config> {
        let (config, _) = Config::new(p, meta, true).map_err(Error::from)?;
        Ok(config)
    }

    /// The configuration for stop and monitor: features that cannot work are left out (with a
    /// warning); `Err` only when nothing can be identified.
    pub fn lenient(p: &Params, meta: &Meta) -> std::result::Result<Config, ConfigError> {
        let (config, problems) = Config::new(p, meta, false)?;
        for e in problems {
            tracing::warn!("{}; left out for this action", e.reason());
        }
        Ok(config)
    }

    /// The configuration with the problems of its features (those features disabled); with
    /// `strict`, the first problem is the error.
    fn new(
        p: &Params,
        meta: &Meta,
        strict: bool,
    ) -> std::result::Result<(Config, Vec<ConfigError>), ConfigError> {
        use ConfigError::{Feature, Unidentified};
        let mut problems = Vec::new();
        let mut problem = |e: ConfigError| {
            if strict {
                Err(e)
            } else {
                problems.push(e);
                Ok(())
            }
        };
        let clone_max = match meta.get("clone_max").map(str::trim) {
            None | Some("") => 1,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(Unidentified(format!(
                        "invalid meta attribute clone_max \"{}\": expected a positive integer",
                        shown(s)
                    )))
                }
            },
        };
        let mut lvs_support = p.lvs_support;
        if lvs_support && clone_max > 1 {
            problem(Feature(
                "LVS and load sharing do not go together well".into(),
            ))?;
            lvs_support = false;
        }
        let unique_clone = p.unique_clone_address;
        if unique_clone && !meta.globally_unique() {
            return Err(Unidentified(
                "unique_clone_address makes sense only with meta globally_unique set".into(),
            ));
        }
        if clone_max > 1 && !unique_clone {
            return Err(Unidentified(format!(
                "the CLUSTERIP clone mode (clone-max={clone_max} without unique_clone_address) is not supported by ocf:rustha:IPaddr2; use a primitive, or unique_clone_address=true with globally-unique=true"
            )));
        }
        let mut ip = p.ip;
        if unique_clone {
            let clone = meta.clone_number().unwrap_or(0);
            if let IpAddr::V4(a) = ip {
                let o = a.octets();
                let last = u32::from(o[3]) + clone;
                if last > 255 {
                    return Err(Unidentified(format!(
                        "unique_clone_address: {a} plus clone number {clone} leaves the last octet's range"
                    )));
                }
                ip = IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], last as u8));
            }
        }
        let mut ipv6_addrlabel = p.lvs_ipv6_addrlabel.then_some(p.lvs_ipv6_addrlabel_value);
        match ip {
            IpAddr::V4(_) if ipv6_addrlabel.is_some() => {
                problem(Feature("IPv4 does not support lvs_ipv6_addrlabel".into()))?;
                ipv6_addrlabel = None;
            }
            IpAddr::V6(_) if lvs_support => {
                problem(Feature("IPv6 does not support lvs_support".into()))?;
                lvs_support = false;
            }
            _ => {}
        }
        let label = p.nic.label.clone().or_else(|| p.iflabel.clone());
        if let IpAddr::V6(a) = ip {
            if p.nic.base.is_none() && (a.segments()[0] & 0xffc0) == 0xfe80 {
                return Err(Unidentified(format!(
                    "'nic' parameter is mandatory for a link local address [{a}]"
                )));
            }
        }
        let prefix = match p.cidr_netmask {
            Some(Netmask(n)) if n > findif::max_prefix(ip) => {
                return Err(Unidentified(format!(
                    "invalid cidr_netmask \"{n}\": expected a prefix length from 1 to {}",
                    findif::max_prefix(ip)
                )))
            }
            m => m.map(|Netmask(n)| n),
        };
        let broadcast = match (ip, p.broadcast) {
            (IpAddr::V6(_), b) => {
                if b != Broadcast::Unset {
                    tracing::debug!("broadcast ignored for an IPv6 address");
                }
                Broadcast::Unset
            }
            (_, b) => b,
        };
        Ok((
            Config {
                ip,
                nic: p.nic.base.clone(),
                label,
                prefix,
                broadcast,
                lvs_support,
                ipv6_addrlabel,
                arp_interval: p.arp_interval,
                arp_count: p.arp_count,
                arp_count_refresh: p.arp_count_refresh,
                arp_bg: p.arp_bg.unwrap_or(ip.is_ipv4()),
                arp_reply: p.arp_reply,
                flush_routes: p.flush_routes,
                run_arping: p.run_arping,
                nodad: p.nodad,
                noprefixroute: p.noprefixroute,
                preferred_lft: p.preferred_lft,
                network_namespace: p.network_namespace.clone(),
                check_link_status: p.check_link_status,
            },
            problems,
        ))
    }
}

/// heartbeat v1 positional form: `ip[/bits[/nic-or-broadcast[/broadcast]]]`, e.g.
/// `10.0.0.5/24/eth0/10.0.0.255` or `192.168.85.3/27/192.168.85.16` (third field an address:
/// the broadcast). Without a broadcast, heartbeat used the subnet's highest address (`+`).
pub fn positional(args: &[String]) -> Result<Vec<(&'static str, String)>> {
    let [arg] = args else {
        return Err(Error::new(
            rustha_ocf::Code::ErrArgs,
            format!(
                "expected one positional argument ip[/bits[/nic][/broadcast]] before the action, got \"{}\"",
                shown(&args.join(" "))
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
            format!(
                "legacy argument \"{}\" is not of the form ip[/bits[/nic][/broadcast]]",
                shown(arg)
            ),
        ));
    }
    let mut out = vec![("ip", fields[0].to_string())];
    let bits = fields.get(1).filter(|b| !b.is_empty());
    if let Some(bits) = bits {
        out.push(("cidr_netmask", bits.to_string()));
    }
    let mut broadcast = None;
    if let Some(third) = fields.get(2).filter(|f| !f.is_empty()) {
        if third.parse::<Ipv4Addr>().is_ok() {
            broadcast = Some(third.to_string());
        } else {
            out.push(("nic", third.to_string()));
        }
    }
    if let Some(brd) = fields.get(3).filter(|f| !f.is_empty()) {
        broadcast = Some(brd.to_string());
    }
    match broadcast {
        Some(b) => out.push(("broadcast", b)),
        // The subnet's highest address, within the given prefix (not the base address's).
        None if bits.is_some() && !fields[0].contains(':') => {
            out.push(("broadcast", "+".to_string()))
        }
        None => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustha_ocf::params::{check_declarations, parse, Mode, RawValues};
    use std::collections::BTreeMap;

    fn meta(pairs: &[(&str, &str)]) -> Meta {
        Meta::from_pairs(pairs.iter().copied())
    }

    fn raw(pairs: &[(&str, &str)]) -> RawValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect()
    }

    fn params_of(agent: &str, pairs: &[(&str, &str)]) -> std::result::Result<Params, String> {
        parse::<Params>(agent, &raw(pairs), Mode::Strict)
            .map(|(p, _)| p)
            .map_err(|r| r.to_string())
    }

    fn config(pairs: &[(&str, &str)], m: &[(&str, &str)]) -> std::result::Result<Config, String> {
        let p = params_of("IPaddr2", pairs)?;
        Config::strict(&p, &meta(m)).map_err(|e| e.reason)
    }

    #[test]
    fn declarations_are_consistent() {
        check_declarations::<Params>("IPaddr2").unwrap();
        check_declarations::<Params>("IPaddr").unwrap();
    }

    #[test]
    fn defaults_follow_the_stock_agent() {
        let c = config(&[("ip", "10.0.0.5")], &[]).unwrap();
        assert_eq!(c.ip, "10.0.0.5".parse::<IpAddr>().unwrap());
        assert_eq!(
            (c.nic.as_deref(), c.prefix, c.broadcast),
            (None, None, Broadcast::Unset)
        );
        assert_eq!(c.arp_interval, Duration::from_millis(200));
        assert_eq!((c.arp_count, c.arp_count_refresh), (5, 0));
        assert!(c.arp_bg, "arp_bg defaults to true for IPv4");
        assert!(c.check_link_status);
        assert_eq!(c.preferred_lft, None);
        let c6 = config(&[("ip", "fd00::5")], &[]).unwrap();
        assert!(!c6.arp_bg, "arp_bg defaults to false for IPv6");
    }

    #[test]
    fn nic_label_netmask_broadcast() {
        let c = config(
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
        assert_eq!(c.nic.as_deref(), Some("eth0"));
        assert_eq!(c.label.as_deref(), Some("web"));
        assert_eq!(c.prefix, Some(24));
        assert_eq!(c.broadcast, Broadcast::HostBitsSet);
        assert!(c.arp_reply);
        assert_eq!(c.preferred_lft, Some(30));
        let c = config(
            &[
                ("ip", "10.0.0.5"),
                ("iflabel", "vip"),
                ("broadcast", "10.0.0.255"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(c.label.as_deref(), Some("vip"));
        assert_eq!(c.broadcast, Broadcast::Addr(Ipv4Addr::new(10, 0, 0, 255)));
    }

    #[test]
    fn bad_values_come_first_in_the_reason() {
        let starts = |pairs: &[(&str, &str)], prefix: &str| {
            let e = config(pairs, &[]).unwrap_err();
            assert!(
                e.starts_with(prefix),
                "{e:?} does not start with {prefix:?}"
            );
        };
        starts(&[("ip", "10.0.0.256")], "invalid ip \"10.0.0.256\"");
        starts(&[("ip", "0.1.2.3")], "invalid ip \"0.1.2.3\"");
        starts(&[("ip", "fd00::g")], "invalid ip \"fd00::g\"");
        starts(
            &[("ip", "10.0.0.5"), ("cidr_netmask", "33")],
            "invalid cidr_netmask \"33\"",
        );
        starts(
            &[("ip", "10.0.0.5"), ("cidr_netmask", "129")],
            "invalid cidr_netmask \"129\"",
        );
        starts(
            &[("ip", "10.0.0.5"), ("broadcast", "x")],
            "invalid broadcast \"x\"",
        );
        starts(
            &[("ip", "10.0.0.5"), ("arp_count", "0")],
            "invalid arp_count \"0\"",
        );
        starts(
            &[("ip", "10.0.0.5"), ("preferred_lft", "soon")],
            "invalid preferred_lft \"soon\"",
        );
        starts(&[("ip", "fe80::1")], "'nic' parameter is mandatory");
        starts(
            &[("ip", "10.0.0.5"), ("nic", "a-very-long-interface")],
            "invalid nic \"a-very-long-interface\"",
        );
        starts(
            &[("ip", "10.0.0.5"), ("arp_sender", "x")],
            "invalid arp_sender \"x\"",
        );
        starts(
            &[("ip", "10.0.0.5"), ("network_namespace", "../x")],
            "invalid network_namespace",
        );
    }

    #[test]
    fn clone_modes() {
        let e = config(&[("ip", "10.0.0.5")], &[("clone_max", "2")]).unwrap_err();
        assert!(e.contains("CLUSTERIP"));
        let e = config(&[("ip", "10.0.0.5")], &[("clone_max", "x")]).unwrap_err();
        assert!(e.starts_with("invalid meta attribute clone_max \"x\""));
        let uca = [
            ("ip", "10.0.0.5"),
            ("unique_clone_address", "true"),
            ("lvs_support", "1"),
        ];
        assert!(config(&uca[..2], &[("clone_max", "3"), ("clone", "2")])
            .unwrap_err()
            .contains("globally_unique"));
        let m = [
            ("clone_max", "3"),
            ("clone", "2"),
            ("globally_unique", "true"),
        ];
        assert!(config(&uca, &m).unwrap_err().contains("LVS"));
        let p = params_of("IPaddr2", &uca).unwrap();
        let c = Config::lenient(&p, &meta(&m)).unwrap();
        assert_eq!(c.ip, "10.0.0.7".parse::<IpAddr>().unwrap());
        assert!(!c.lvs_support, "stop and monitor act without the feature");
    }

    #[test]
    fn ipaddr_names_and_defaults() {
        let p = params_of(
            "IPaddr",
            &[
                ("ip", "10.0.0.5"),
                ("ARP_INTERVAL_MS", "50"),
                ("ARP_REPEAT", "2"),
                ("ARP_BACKGROUND", "no"),
            ],
        )
        .unwrap();
        let c = Config::strict(&p, &meta(&[])).unwrap();
        assert_eq!(
            (c.arp_interval, c.arp_count, c.arp_bg),
            (Duration::from_millis(50), 2, false)
        );
        let p = params_of("IPaddr", &[("ip", "10.0.0.5")]).unwrap();
        let c = Config::strict(&p, &meta(&[])).unwrap();
        assert_eq!(
            (c.arp_interval, c.arp_count, c.arp_bg),
            (Duration::from_millis(500), 10, true)
        );
        // A bad value is reported under the name it was given as.
        let e = params_of("IPaddr", &[("ip", "10.0.0.5"), ("ARP_REPEAT", "0")]).unwrap_err();
        assert_eq!(e, "invalid ARP_REPEAT \"0\": expected a positive integer");
        // IPaddr2's names mean nothing to IPaddr.
        let p = params_of("IPaddr", &[("ip", "10.0.0.5"), ("arp_count", "0")]).unwrap();
        assert_eq!(p.arp_count, 10);
    }

    #[test]
    fn legacy_positional_argument() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let pairs = |v: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            v.iter().map(|(k, v)| (*k, v.to_string())).collect()
        };
        assert_eq!(
            positional(&s(&["10.0.0.5/24/eth0/10.0.0.255"])).unwrap(),
            pairs(&[
                ("ip", "10.0.0.5"),
                ("cidr_netmask", "24"),
                ("nic", "eth0"),
                ("broadcast", "10.0.0.255")
            ])
        );
        assert_eq!(
            positional(&s(&["192.168.85.3/27/192.168.85.16"])).unwrap(),
            pairs(&[
                ("ip", "192.168.85.3"),
                ("cidr_netmask", "27"),
                ("broadcast", "192.168.85.16")
            ])
        );
        assert_eq!(
            positional(&s(&["10.0.0.5"])).unwrap(),
            pairs(&[("ip", "10.0.0.5")])
        );
        assert_eq!(
            positional(&s(&["IPaddr::192.168.85.3/27"])).unwrap()[0],
            ("ip", "192.168.85.3".to_string())
        );
        assert_eq!(
            positional(&s(&["fd00::5/64/eth0"])).unwrap(),
            pairs(&[("ip", "fd00::5"), ("cidr_netmask", "64"), ("nic", "eth0")])
        );
        assert_eq!(
            positional(&s(&["10.0.0.5//eth1"])).unwrap()[1],
            ("nic", "eth1".to_string())
        );
        for bad in [&["a/b/c/d/e"][..], &["x", "y"], &["/24"]] {
            assert_eq!(
                positional(&s(bad)).unwrap_err().code,
                rustha_ocf::Code::ErrArgs,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn heartbeat_broadcast_is_the_highest_address_of_the_given_prefix() {
        // issue 9 item 12: `IPaddr 10.1.2.16/28/eth0` means broadcast 10.1.2.31.
        let s = vec!["10.1.2.16/28/eth0".to_string()];
        let pairs: BTreeMap<_, _> = positional(&s).unwrap().into_iter().collect();
        assert_eq!(pairs.get("broadcast").map(String::as_str), Some("+"));
        let p = params_of(
            "IPaddr",
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let c = Config::strict(&p, &meta(&[])).unwrap();
        assert_eq!(c.broadcast, Broadcast::HostBitsSet);
        assert_eq!(
            findif::broadcast(Ipv4Addr::new(10, 1, 2, 16), c.prefix.unwrap(), true),
            Ipv4Addr::new(10, 1, 2, 31)
        );
    }
}
