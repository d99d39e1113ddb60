// SPDX-License-Identifier: GPL-2.0-or-later
//! A TNAP connection: send `NN:S`, read until the EOM line, every step bounded by a deadline.

use rustha_fence::text::{secs, shown};
use rustha_support::Deadline;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use tnap::Request;

/// The longest reply we accept.
const MAX_REPLY: usize = 64 * 1024;

pub struct Client {
    stream: TcpStream,
    peer: String,
    host: String,
    port: u16,
    /// A reply came over this connection already (so a close now is the device's idle close).
    used: bool,
}

/// What kind of failure talking TNAP to the device was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The address does not resolve.
    Resolve,
    /// No TCP connection (refused, unreachable).
    Connect,
    /// No connection or no complete reply within the login or shell timeout.
    Timeout,
    /// The device closed or reset the connection, or sent a reply without EOM.
    Protocol,
}

/// A TNAP failure: its kind and one line naming the device and the command. The agent maps it
/// to a Fence API error where it meets the runtime (`impl From<client::Error> for FenceError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

fn err(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error {
        kind,
        message: message.into(),
    }
}

/// How a request failed: `Unsent` when the device had closed the connection before it took the
/// command (nothing was received: safe to reconnect and send again).
enum Failure {
    Unsent(Error),
    Other(Error),
}

/// Resolve `host:port`, bounded by the deadline (a hanging resolver cannot outlive it).
fn resolve(host: &str, port: u16, deadline: &Deadline) -> Result<Vec<SocketAddr>, Error> {
    use rustha_support::net::ResolveError;
    rustha_support::net::resolve(host, port, deadline).map_err(|e| match e {
        ResolveError::NoAddress => err(
            ErrorKind::Resolve,
            format!("ip '{}' resolves to no address", shown(host)),
        ),
        ResolveError::Failed(e) => err(
            ErrorKind::Resolve,
            format!(
            "ip '{}' cannot be resolved: {e} (expected the Node Assassin's address or host name)",
            shown(host)
        ),
        ),
        ResolveError::Timeout => err(
            ErrorKind::Timeout,
            format!(
                "ip '{}' could not be resolved within the login timeout",
                shown(host)
            ),
        ),
    })
}

impl Client {
    /// Connect within `deadline` (the login timeout).
    pub fn connect(host: &str, port: u16, deadline: &Deadline) -> Result<Client, Error> {
        // `[::1]` as an admin writes an IPv6 address next to a port: the address is inside.
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let peer = if host.contains(':') {
            format!("[{}]:{port}", shown(host))
        } else {
            format!("{}:{port}", shown(host))
        };
        let addrs = resolve(host, port, deadline)?;
        let mut last = None;
        for a in addrs {
            let left = deadline.remaining();
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(&a, left) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(Client {
                        stream,
                        peer,
                        host: host.to_string(),
                        port,
                        used: false,
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => err(
                ErrorKind::Connect,
                format!(
                    "cannot connect to Node Assassin at {peer}: connection refused (check ip and ipport)"
                ),
            ),
            Some(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => err(
                ErrorKind::Timeout,
                format!(
                    "cannot connect to Node Assassin at {peer}: no answer within the login timeout"
                ),
            ),
            Some(e) => err(
                ErrorKind::Connect,
                format!("cannot connect to Node Assassin at {peer}: {e}"),
            ),
            None => err(
                ErrorKind::Timeout,
                format!(
                    "cannot connect to Node Assassin at {peer}: no answer within the login timeout"
                ),
            ),
        })
    }

    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// Send `req` and return the whole reply (up to and including its EOM line).
    /// `timeout` is what `deadline` was derived from, for messages. A device that closed the
    /// connection since the last reply gets a new connection and the command once more.
    pub fn request(
        &mut self,
        req: Request,
        deadline: &Deadline,
        timeout: Duration,
    ) -> Result<String, Error> {
        let r = match self.attempt(req, deadline, timeout) {
            Ok(r) => Ok(r),
            Err(Failure::Other(e)) => Err(e),
            Err(Failure::Unsent(e)) if !self.used => Err(e),
            Err(Failure::Unsent(e)) => {
                tracing::debug!("{e}; reconnecting once");
                *self = Client::connect(&self.host, self.port, deadline)?;
                match self.attempt(req, deadline, timeout) {
                    Ok(r) => Ok(r),
                    Err(Failure::Other(e) | Failure::Unsent(e)) => Err(e),
                }
            }
        };
        if r.is_ok() {
            self.used = true;
        }
        r
    }

    fn attempt(
        &mut self,
        req: Request,
        deadline: &Deadline,
        limit: Duration,
    ) -> Result<String, Failure> {
        tracing::debug!("sending {req} to {}", self.peer);
        let peer = self.peer.clone();
        let msg = move |kind, what: String| err(kind, format!("Node Assassin at {peer} {what}"));
        let fail = |what: String| Failure::Other(msg(ErrorKind::Protocol, what));
        let timeout = |what: String| Failure::Other(msg(ErrorKind::Timeout, what));
        let unsent = |what: String| Failure::Unsent(msg(ErrorKind::Protocol, what));
        self.stream
            .set_write_timeout(Some(deadline.remaining().max(Duration::from_millis(1))))
            .map_err(|e| fail(format!("socket error: {e}")))?;
        self.stream
            .write_all(req.encode().as_bytes())
            .map_err(|e| {
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
                ) {
                    unsent(format!(
                        "reset the connection before taking '{req}' (the device refused service)"
                    ))
                } else {
                    unsent(format!("did not take command '{req}': {e}"))
                }
            })?;
        let _ = self.stream.flush();
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            if let Some(end) = tnap::find_eom(&buf) {
                buf.truncate(end);
                let text = String::from_utf8_lossy(&buf).into_owned();
                tracing::debug!("reply from {}: {:?}", self.peer, text);
                return Ok(text);
            }
            if buf.len() > MAX_REPLY {
                return Err(fail(format!(
                    "sent more than {} KiB without EOM after '{req}' (corrupt reply)",
                    MAX_REPLY / 1024
                )));
            }
            let left = deadline.remaining();
            if left.is_zero() {
                return Err(timeout(no_eom(&req, &buf, limit)));
            }
            self.stream
                .set_read_timeout(Some(left))
                .map_err(|e| fail(format!("socket error: {e}")))?;
            match self.stream.read(&mut chunk) {
                Ok(0) if buf.is_empty() => {
                    return Err(unsent(format!(
                        "closed the connection without answering '{req}'"
                    )))
                }
                Ok(0) => {
                    return Err(fail(format!(
                        "closed the connection before EOM after '{req}' (reply truncated after {} bytes)",
                        buf.len()
                    )))
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return Err(timeout(no_eom(&req, &buf, limit)))
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
                    ) =>
                {
                    let what = format!(
                        "reset the connection while answering '{req}' (the device refused service)"
                    );
                    return Err(if buf.is_empty() { unsent(what) } else { fail(what) });
                }
                Err(e) => {
                    return Err(fail(format!(
                        "connection failed while reading the reply to '{req}': {e}"
                    )))
                }
            }
        }
    }
}

fn no_eom(req: &Request, buf: &[u8], timeout: Duration) -> String {
    if buf.is_empty() {
        format!(
            "did not answer '{req}' within shell_timeout ({})",
            secs(timeout)
        )
    } else {
        format!(
            "sent no EOM line within shell_timeout ({}) after '{req}' ({} bytes without EOM: truncated or corrupt reply)",
            secs(timeout),
            buf.len()
        )
    }
}
