// SPDX-License-Identifier: GPL-2.0-or-later
//! What the session-setup state machines share: the requester sequence number, the packet to
//! send next, and what a reply leads to.

use super::error::Error;

/// The IPMB requester sequence number (6 bits), shared by session setup and commands.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RqSeq(u8);

impl RqSeq {
    pub fn next(&mut self) -> u8 {
        self.0 = (self.0 + 1) & 0x3f;
        self.0
    }
}

/// A request of the handshake: sent, and sent again unchanged on retransmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outgoing {
    /// Its name, for messages ("RAKP Message 1").
    pub what: &'static str,
    pub packet: Vec<u8>,
}

/// Where a handshake goes after a reply.
#[derive(Debug)]
pub(crate) enum Step<T> {
    Send(Outgoing),
    Done(T),
    /// Send `packet` once (no answer expected: it tells the BMC to free the session slot),
    /// then fail with `error`.
    Abort {
        packet: Vec<u8>,
        error: Error,
    },
}
