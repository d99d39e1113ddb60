// SPDX-License-Identifier: GPL-2.0-or-later
//! `ocf:rustha:IPaddr2` (and the legacy name `IPaddr`): a virtual IPv4/IPv6 address managed over
//! netlink, a drop-in for `ocf:heartbeat:IPaddr2`.
//!
//! - [`params`]: the parameters, declared once, and [`params::Config`], what they mean
//!   together (pure: no system call);
//! - [`description`]: names, texts and actions of IPaddr2 and IPaddr;
//! - [`agent`]: start, stop, monitor, validate-all, reload-agent (the system tier);
//! - [`findif`]: address arithmetic and the route selection of the stock findif;
//! - [`rtnl`] (wire format) and [`netlink`] (the socket): links, addresses, routes;
//! - [`packets`] (wire format) and [`sender`] (the sockets): gratuitous ARP, unsolicited NA,
//!   ARP duplicate address probes;
//! - [`state`]: what outlives one invocation (the background sender, the saved loopback).
//!
//! Module dependencies go one way: agent → state → sender → packets; agent → netlink → rtnl;
//! params → findif → rtnl (`cargo test -p rustha-ocf --test module_cycles` checks it).

pub mod agent;
pub mod description;
pub mod findif;
pub mod netlink;
pub mod packets;
pub mod params;
pub mod rtnl;
pub mod sender;
pub mod state;

pub use agent::{IPADDR, IPADDR2};
