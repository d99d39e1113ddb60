// SPDX-License-Identifier: GPL-2.0-or-later
//! IPMI over LAN for fence agents: IPMI 1.5 (RMCP, `lan`) and IPMI 2.0 (RMCP+, `lanplus`).
//!
//! - [`msg`]: IPMI messages and the commands a fence agent needs (chassis status and control,
//!   session management, cipher suite discovery), encoders and parsers without I/O.
//! - [`packet`]: RMCP packets with IPMI 1.5 and RMCP+ session headers, integrity trailers and
//!   encryption, without I/O.
//! - [`rmcpplus`]: Open Session and RAKP 1–4 payloads, cipher suites.
//! - [`crypto`]: AuthCodes, RAKP key derivation, HMAC integrity, AES-CBC-128.
//! - [`client`]: a small blocking UDP client: session setup (IPMI 1.5 and RMCP+ handshakes as
//!   state machines without I/O, randomness injected), retransmission with a bounded retry
//!   budget (driven by [`rustha_support::Deadline`]), chassis commands, Close Session.

pub mod client;
pub mod crypto;
pub mod msg;
pub mod packet;
pub mod rmcpplus;

pub use client::{Config, Error, ErrorKind, Interface, OsRandom, Random, Session};
pub use msg::{AuthType, ChassisControl, ChassisStatus, Privilege};
pub use rmcpplus::CipherSuite;

/// A packet or payload that does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {what}: {why}")]
pub struct ParseError {
    pub what: &'static str,
    pub why: &'static str,
}

impl ParseError {
    pub const fn new(what: &'static str, why: &'static str) -> Self {
        ParseError { what, why }
    }
}
