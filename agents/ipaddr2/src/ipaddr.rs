// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:IPaddr`: the legacy name of IPaddr2, with IPaddr's parameter names
//! (ARP_INTERVAL_MS, ARP_REPEAT, ARP_BACKGROUND) and the same behaviour.

fn main() -> std::process::ExitCode {
    rustha_ocf::run(&ipaddr2::IPADDR)
}
