// SPDX-License-Identifier: GPL-2.0-or-later
//! What can go wrong in a session, coarsely classified: fence agents choose their message and
//! exit code from the kind.

/// What went wrong, coarsely: fence agents choose their message and exit code from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad configuration (too long a password, unknown cipher suite, …).
    Config,
    /// Name resolution or socket failure, or nothing listening (ICMP port unreachable).
    Network,
    /// The BMC never answered.
    Timeout,
    /// Only malformed or unverifiable packets came back.
    Garbage,
    /// Wrong user name or password.
    Auth,
    /// The BMC key (Kg) does not match.
    Kg,
    /// The requested cipher suite or auth type is not available.
    Cipher,
    /// The user may not have the requested privilege, or a command needs more.
    Privilege,
    /// A command failed with a completion code.
    Command,
    /// The BMC broke the protocol.
    Protocol,
    /// The system's random number generator failed: no session ID, nonce or AES IV could be
    /// drawn, and a predictable one is never used instead.
    Random,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub(crate) fn err(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error {
        kind,
        message: message.into(),
    }
}
