// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:IPaddr2`: manages a virtual IPv4 or IPv6 address (see `man ocf_rustha_IPaddr2`).
//!
//! start: find the interface and prefix (nic, cidr_netmask, or the routing table), bring the
//! link up, optionally probe for a duplicate (run_arping), add the address (broadcast, label,
//! nodad, noprefixroute, preferred_lft), wait for IPv6 DAD, announce it (arp_count packets,
//! arp_interval apart, in the background with arp_bg).
//! stop: end the background sender, remove the address from the interface.
//! monitor: the address on the interface with the prefix (and the link up with
//! check_link_status); anywhere else is a failure with a reason.

fn main() -> std::process::ExitCode {
    rustha_ocf::run(&ipaddr2::IPADDR2)
}
