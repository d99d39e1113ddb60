//! IPaddr2 (and its legacy name IPaddr): a virtual IPv4/IPv6 address, a drop-in for
//! `ocf:heartbeat:IPaddr2` with the same parameter names, defaults and meanings.

use crate::{Action, Agent, Kind, Parameter};

const LONGDESC: &str = "\
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

A change of only reloadable parameters (the ARP/NA settings, run_arping, flush_routes, \
check_link_status) is applied with reload-agent (OCF 1.1): the new values are checked and used \
from the next start, monitor or stop, without removing the address.";

const ACTIONS: &[Action] = &[
    Action::new("start", 20),
    Action::new("stop", 20),
    Action::new("status", 20).interval(10).depth(0),
    Action::new("monitor", 20).interval(10).depth(0),
    Action::new("meta-data", 5),
    Action::new("validate-all", 20),
    Action::new("reload-agent", 20),
];

const IP: Parameter = Parameter::new("ip", Kind::String, "IPv4 or IPv6 address")
    .required()
    .unique()
    .long(
        "The IPv4 (dotted quad notation) or IPv6 address (colon hexadecimal notation), \
         for example IPv4 \"192.168.1.1\" or IPv6 \"2001:db8:DC28:0:0:FC57:D4C8:1FFF\".",
    );

const NIC: Parameter = Parameter::new("nic", Kind::String, "Network interface").long(
    "The base network interface on which the IP address will be brought online. If left \
     empty, it is determined from the routing table. Do not specify an alias interface in the \
     form eth0:1 here; use iflabel for a label (nic=eth0:label is accepted but deprecated).",
);

const CIDR_NETMASK: Parameter = Parameter::new("cidr_netmask", Kind::String, "CIDR netmask")
    .default("")
    .long(
        "The netmask for the interface in CIDR format (e.g., 24 and not 255.255.255.0; a \
         dotted quad is converted, with a warning). If unspecified, it is determined from the \
         routing table.",
    );

const NETMASK: Parameter = Parameter::new("netmask", Kind::String, "Netmask (old name)")
    .deprecated_for("cidr_netmask")
    .long("An old name of cidr_netmask, accepted for compatibility.");

const BROADCAST: Parameter = Parameter::new("broadcast", Kind::String, "Broadcast address")
    .default("")
    .long(
        "Broadcast address associated with the IP. The special symbols '+' and '-' derive \
         it by setting or resetting the host bits of the interface prefix.",
    );

const IFLABEL: Parameter = Parameter::new("iflabel", Kind::String, "Interface label")
    .default("")
    .long(
        "An additional label for the address, appended to the interface name. The kernel \
         allows labels up to 15 characters including the interface name and the colon \
         (e.g. eth0:foobar1234).",
    );

const LVS_SUPPORT: Parameter =
    Parameter::new("lvs_support", Kind::Boolean, "Enable support for LVS DR")
        .default("false")
        .long(
            "Enable support for LVS Direct Routing configurations: a conflicting /32 address \
             on the loopback device is removed on start and restored on stop. IPv4 only.",
        );

const LVS_IPV6_ADDRLABEL: Parameter = Parameter::new(
    "lvs_ipv6_addrlabel",
    Kind::Boolean,
    "Enable adding IPv6 address label.",
)
.default("false")
.long(
    "IPv6 only: add an address label policy (as 'ip addrlabel add prefix IP/128 label VALUE') \
     on start and remove it on stop, so that traffic from the interface does not pick this \
     address as its source (RFC 3484); LVS-DR health checks to the real servers need this.",
);

const LVS_IPV6_ADDRLABEL_VALUE: Parameter = Parameter::new(
    "lvs_ipv6_addrlabel_value",
    Kind::Integer,
    "IPv6 address label value.",
)
.default("99")
.long("The IPv6 address label value used when lvs_ipv6_addrlabel is enabled.");

const MAC: Parameter = Parameter::new("mac", Kind::String, "Cluster IP MAC address")
    .default("")
    .long("Used only by the CLUSTERIP clone mode, which this agent does not support.");

const CLUSTERIP_HASH: Parameter = Parameter::new(
    "clusterip_hash",
    Kind::String,
    "Cluster IP hashing function",
)
.default("sourceip-sourceport")
.long("Used only by the CLUSTERIP clone mode, which this agent does not support.");

const UNIQUE_CLONE_ADDRESS: Parameter = Parameter::new(
    "unique_clone_address",
    Kind::Boolean,
    "Create a unique address for cloned instances",
)
.default("false")
.long(
    "If true, add the clone ID to the last octet of ip to create a unique address per clone \
     instance (requires the meta attribute globally-unique=true).",
);

const ARP_INTERVAL: Parameter = Parameter::new(
    "arp_interval",
    Kind::Integer,
    "ARP/NA packet interval in ms",
)
.reloadable()
.default("200")
.long("The interval between unsolicited ARP (IPv4) or NA (IPv6) packets in milliseconds.");

const ARP_COUNT: Parameter = Parameter::new(
    "arp_count",
    Kind::Integer,
    "ARP/NA packet count sent during initialization",
)
.reloadable()
.default("5")
.long("Number of unsolicited ARP (IPv4) or NA (IPv6) packets to send on start.");

const ARP_COUNT_REFRESH: Parameter = Parameter::new(
    "arp_count_refresh",
    Kind::Integer,
    "ARP packet count sent during monitoring",
)
.reloadable()
.default("0")
.long(
    "For IPv4, number of unsolicited ARP packets to send during monitoring, to mitigate stuck \
     ARP caches after a split brain.",
);

const ARP_BG: Parameter = Parameter::new("arp_bg", Kind::Boolean, "ARP/NA from background")
    .reloadable()
    .default("")
    .long(
        "Whether to send the ARP (IPv4) or NA (IPv6) packets in the background, after start \
         has returned (stop ends the sender). The default is true for IPv4 and false for IPv6.",
    );

const ARP_SENDER: Parameter = Parameter::new("arp_sender", Kind::String, "ARP sender")
    .reloadable()
    .default("")
    .long(
        "Accepted for compatibility: send_arp, ipoibarping, iputils_arping or libnet_arping. \
         This agent always sends the packets itself on a packet socket.",
    );

const SEND_ARP_OPTS: Parameter =
    Parameter::new("send_arp_opts", Kind::String, "Options for ARP sender")
        .reloadable()
        .default("")
        .long(
            "Accepted for compatibility. '-A' (ARP replies instead of requests) and '-U' are \
         understood; other options are ignored.",
        );

const FLUSH_ROUTES: Parameter = Parameter::new(
    "flush_routes",
    Kind::Boolean,
    "Flush kernel routing table on stop",
)
.reloadable()
.default("false")
.long("Flush the kernel's routing cache on stop, so local applications stop using the address.");

const RUN_ARPING: Parameter = Parameter::new(
    "run_arping",
    Kind::Boolean,
    "Run arping for IPv4 collision detection check",
)
.reloadable()
.default("false")
.long(
    "For IPv4, probe the segment for the address (ARP duplicate address detection) before \
     adding it, and refuse to start when another host answers.",
);

const NODAD: Parameter = Parameter::new("nodad", Kind::Boolean, "Use nodad flag")
    .default("false")
    .long("For IPv6, do not perform Duplicate Address Detection when adding the address.");

const NOPREFIXROUTE: Parameter =
    Parameter::new("noprefixroute", Kind::Boolean, "Use noprefixroute flag")
        .default("false")
        .long("Do not create a prefix route for the address (see 'man ip-address').");

const PREFERRED_LFT: Parameter =
    Parameter::new("preferred_lft", Kind::String, "IPv6 preferred lifetime")
        .default("forever")
        .long(
            "For IPv6, the preferred lifetime of the address in seconds, or 'forever'; 0 keeps \
             the address from being chosen as a source address (RFC 4862 section 5.5.4).",
        );

const NETWORK_NAMESPACE: Parameter = Parameter::new(
    "network_namespace",
    Kind::String,
    "Network namespace to use",
)
.default("")
.long(
    "The network namespace to operate within (a name under /var/run/netns). The \
             namespace must already exist, and the interface must be within it.",
);

const CHECK_LINK_STATUS: Parameter =
    Parameter::new("check_link_status", Kind::Boolean, "Check link status")
        .reloadable()
        .default("true")
        .long(
            "Consider the resource stopped (monitor returns OCF_NOT_RUNNING) when the interface \
             is down or has no carrier (state DOWN or LOWERLAYERDOWN).",
        );

pub static IPADDR2: Agent = Agent {
    name: "IPaddr2",
    version: "1.0",
    shortdesc: "Manages virtual IPv4 and IPv6 addresses (Linux specific version)",
    longdesc: LONGDESC,
    parameters: &[
        IP,
        NIC,
        CIDR_NETMASK,
        NETMASK,
        BROADCAST,
        IFLABEL,
        LVS_SUPPORT,
        LVS_IPV6_ADDRLABEL,
        LVS_IPV6_ADDRLABEL_VALUE,
        MAC,
        CLUSTERIP_HASH,
        UNIQUE_CLONE_ADDRESS,
        ARP_INTERVAL,
        ARP_COUNT,
        ARP_COUNT_REFRESH,
        ARP_BG,
        ARP_SENDER,
        SEND_ARP_OPTS,
        FLUSH_ROUTES,
        RUN_ARPING,
        NODAD,
        NOPREFIXROUTE,
        PREFERRED_LFT,
        NETWORK_NAMESPACE,
        CHECK_LINK_STATUS,
    ],
    actions: ACTIONS,
};

/// The legacy agent: the parameters of `ocf:heartbeat:IPaddr`, served by the same code.
pub static IPADDR: Agent = Agent {
    name: "IPaddr",
    version: "1.0",
    shortdesc: "Manages virtual IPv4 addresses (portable version)",
    longdesc: "\
The legacy name of IPaddr2, accepting the parameter names of ocf:heartbeat:IPaddr \
(ARP_INTERVAL_MS, ARP_REPEAT, ARP_BACKGROUND). The address is managed exactly as by IPaddr2: \
an additional address on the interface (with iflabel as its label), not an alias interface.",
    parameters: &[
        IP,
        Parameter::new("nic", Kind::String, "Network interface").long(
            "The base network interface on which the IP address will be brought online. If \
             left empty, it is determined from the routing table.",
        ),
        CIDR_NETMASK,
        NETMASK,
        BROADCAST,
        IFLABEL,
        LVS_SUPPORT,
        Parameter::new(
            "local_stop_script",
            Kind::String,
            "Script called when stopping",
        )
        .reloadable()
        .default("")
        .long("Accepted for compatibility and ignored (deprecated in the stock agent)."),
        Parameter::new(
            "local_start_script",
            Kind::String,
            "Script called when starting",
        )
        .reloadable()
        .default("")
        .long("Accepted for compatibility and ignored (deprecated in the stock agent)."),
        Parameter::new(
            "ARP_INTERVAL_MS",
            Kind::Integer,
            "milliseconds between gratuitous ARPs",
        )
        .reloadable()
        .default("500")
        .long("Milliseconds between the gratuitous ARP packets sent on start."),
        Parameter::new("ARP_REPEAT", Kind::Integer, "repeat count")
            .reloadable()
            .default("10")
            .long("How many gratuitous ARP packets to send on start."),
        Parameter::new("ARP_BACKGROUND", Kind::Boolean, "run in background")
            .reloadable()
            .default("yes")
            .long("Whether to send the gratuitous ARP packets in the background."),
        Parameter::new("ARP_NETMASK", Kind::String, "netmask for ARP")
            .reloadable()
            .default("ffffffffffff")
            .long("Accepted for compatibility; the packets always go to the broadcast MAC."),
        NETWORK_NAMESPACE,
        CHECK_LINK_STATUS,
    ],
    actions: ACTIONS,
};

pub static AGENTS: &[&Agent] = &[&IPADDR2, &IPADDR];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{xml, OcfVersion};

    fn reloadable(a: &Agent) -> Vec<&'static str> {
        a.parameters
            .iter()
            .filter(|p| p.reloadable)
            .map(|p| p.name)
            .collect()
    }

    #[test]
    fn only_parameters_read_afresh_by_each_action_are_reloadable() {
        assert_eq!(
            reloadable(&IPADDR2),
            [
                "arp_interval",
                "arp_count",
                "arp_count_refresh",
                "arp_bg",
                "arp_sender",
                "send_arp_opts",
                "flush_routes",
                "run_arping",
                "check_link_status"
            ]
        );
        assert_eq!(
            reloadable(&IPADDR),
            [
                "local_stop_script",
                "local_start_script",
                "ARP_INTERVAL_MS",
                "ARP_REPEAT",
                "ARP_BACKGROUND",
                "ARP_NETMASK",
                "check_link_status"
            ]
        );
        // What the address on the host is made of must restart the resource when it changes.
        for a in AGENTS {
            for name in [
                "ip",
                "nic",
                "cidr_netmask",
                "netmask",
                "broadcast",
                "iflabel",
                "lvs_support",
                "lvs_ipv6_addrlabel",
                "nodad",
                "noprefixroute",
                "preferred_lft",
                "network_namespace",
                "unique_clone_address",
            ] {
                if let Some(p) = a.parameter(name) {
                    assert!(!p.reloadable, "{} {name} must not be reloadable", a.name);
                }
            }
        }
    }

    #[test]
    fn reload_agent_is_announced_to_ocf_1_1_callers_only() {
        for a in AGENTS {
            assert!(a.action("reload-agent").is_some(), "{}", a.name);
            let v11 = xml::render(a, OcfVersion::V1_1);
            assert!(v11.contains("<action name=\"reload-agent\" timeout=\"20s\" />"));
            assert!(v11.contains(
                "<parameter name=\"check_link_status\" unique=\"0\" required=\"0\" reloadable=\"1\">"
            ));
            assert!(v11.contains("<parameter name=\"cidr_netmask\" unique=\"0\" required=\"0\">"));
            let v10 = xml::render(a, OcfVersion::V1_0);
            assert!(!v10.contains("<action name=\"reload-agent\""), "{}", a.name);
            assert!(!v10.contains("reloadable="), "{}", a.name);
        }
        assert!(xml::render(&IPADDR2, OcfVersion::V1_1).contains(
            "<parameter name=\"arp_count\" unique=\"0\" required=\"0\" reloadable=\"1\">"
        ));
    }
}
