//! `ocf:rustha:IPaddr2` (and the legacy name `IPaddr`): a virtual IPv4/IPv6 address managed over
//! netlink, a drop-in for `ocf:heartbeat:IPaddr2`.
//!
//! - [`params`]: the typed parameters, checked as the stock agent checks them;
//! - [`findif`]: address arithmetic and the route selection of the stock findif;
//! - [`rtnl`] (wire format) and [`netlink`] (the socket): links, addresses, routes;
//! - [`packets`] (wire format) and [`sender`] (the sockets): gratuitous ARP, unsolicited NA,
//!   ARP duplicate address probes;
//! - [`agent`]: start, stop, monitor, validate-all; [`state`]: what outlives one invocation.

pub mod agent;
pub mod findif;
pub mod netlink;
pub mod packets;
pub mod params;
pub mod rtnl;
pub mod sender;
pub mod state;

pub use agent::handle;
pub use params::legacy;
