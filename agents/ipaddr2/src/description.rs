// SPDX-License-Identifier: GPL-2.0-or-later
//! The names, texts and actions of IPaddr2 and its legacy name IPaddr (their parameters are
//! declared in [`crate::params`]).

use rustha_ocf::{ActionSpec, Description};

const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("start", 20),
    ActionSpec::new("stop", 20),
    ActionSpec::new("status", 20).interval(10).depth(0),
    ActionSpec::new("monitor", 20).interval(10).depth(0),
    ActionSpec::new("meta-data", 5),
    ActionSpec::new("validate-all", 20),
    ActionSpec::new("reload-agent", 20),
];

pub static IPADDR2: Description = Description {
    name: "IPaddr2",
    version: "1.0",
    shortdesc: "Manages virtual IPv4 and IPv6 addresses (Linux specific version)",
    longdesc: "\
This Linux-specific resource manages IP alias IP addresses (IPv4 and IPv6). It can add an IP \
alias, or remove one. It talks to the kernel over netlink (no ip(8) subprocess) and sends the \
unsolicited ARP (IPv4) or neighbour advertisement (IPv6) packets itself.

When nic or cidr_netmask is not given, they are taken from the routing table as the stock \
findif does: the matching link-scope route with the longest prefix (lowest metric on a tie), \
ignoring default, unreachable and blackhole routes.

When the specified IP address gets assigned to a respective interface, the resource agent \
sends unsolicited ARP (IPv4) or NA (IPv6) packets to inform neighboring machines about the \
change. This is controlled for both IPv4 and IPv6 by the shared arp_* parameters.

The CLUSTERIP clone mode (a clone with clone-max > 1 without unique_clone_address) is not \
supported by this agent and is refused with OCF_ERR_CONFIGURED.

ip, nic, cidr_netmask, network_namespace and unique_clone_address identify the address. When \
another parameter is invalid, stop and monitor still act (with its default), so an invalid \
value never leaves the address behind or hides it; start, validate-all and reload-agent refuse \
it with OCF_ERR_CONFIGURED.

A change of only reloadable parameters (the ARP/NA settings, run_arping, flush_routes, \
check_link_status) is applied with reload-agent (OCF 1.1): the new values are checked and used \
from the next start, monitor or stop, without removing the address.",
    actions: ACTIONS,
    see_also: &["ocf_rustha_IPaddr(7)", "ip-address(8)"],
};

/// The legacy agent: the parameters of `ocf:heartbeat:IPaddr`, served by the same code.
pub static IPADDR: Description = Description {
    name: "IPaddr",
    version: "1.0",
    shortdesc: "Manages virtual IPv4 addresses (portable version)",
    longdesc: "\
The legacy name of IPaddr2, accepting the parameter names of ocf:heartbeat:IPaddr \
(ARP_INTERVAL_MS, ARP_REPEAT, ARP_BACKGROUND). The address is managed exactly as by IPaddr2: \
an additional address on the interface (with iflabel as its label), not an alias interface.

heartbeat v1 form: IPaddr ip[/bits[/nic][/broadcast]] ACTION. Without a broadcast, the \
highest address of the given prefix is used, as heartbeat documented.",
    actions: ACTIONS,
    see_also: &["ocf_rustha_IPaddr2(7)", "ip-address(8)"],
};
