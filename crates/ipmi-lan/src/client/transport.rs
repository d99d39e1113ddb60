// SPDX-License-Identifier: GPL-2.0-or-later
//! The only I/O of a session: one connected UDP socket, and the retransmission loop that sends a
//! request until a reply is accepted, the retry budget is spent or the deadline passes.

use super::error::{err, Error, ErrorKind};
use super::Config;
use crate::ParseError;
use rustha_support::Deadline;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

/// What a reply handler decided about one received datagram.
pub(crate) enum Accept<T> {
    Done(T),
    /// Not ours (an old retransmission's answer): keep waiting.
    Ignore,
    /// Malformed: keep waiting, remember why.
    Bad(String),
}

impl<T> From<ParseError> for Accept<T> {
    fn from(e: ParseError) -> Self {
        Accept::Bad(e.to_string())
    }
}

pub(crate) struct Transport {
    sock: UdpSocket,
    pub peer: String,
    retry_interval: Duration,
    max_interval: Duration,
    pub max_retries: u32,
}

impl Transport {
    pub fn connect(cfg: &Config, deadline: &Deadline) -> Result<Self, Error> {
        let peer = if cfg.host.contains(':') && !cfg.host.starts_with('[') {
            format!("[{}]:{}", cfg.host, cfg.port)
        } else {
            format!("{}:{}", cfg.host, cfg.port)
        };
        let addr = resolve(&cfg.host, cfg.port, deadline)?;
        let local = if addr.is_ipv6() {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        };
        let sock = UdpSocket::bind(local)
            .and_then(|s| s.connect(addr).map(|_| s))
            .map_err(|e| {
                err(
                    ErrorKind::Network,
                    format!("cannot open a UDP socket to {peer}: {e}"),
                )
            })?;
        Ok(Transport {
            sock,
            peer,
            retry_interval: cfg.retry_interval.max(Duration::from_millis(10)),
            max_interval: cfg.max_interval.max(cfg.retry_interval),
            max_retries: cfg.max_retries,
        })
    }

    /// Send one packet, expecting no answer (best effort).
    pub fn send_once(&self, pkt: &[u8]) {
        let _ = self.sock.send(pkt);
    }

    /// Send what `build` makes (called again for every retransmission; its error ends the
    /// exchange) until `accept` takes a reply, the retry budget is spent or `deadline` passes.
    pub fn exchange<S, T>(
        &self,
        what: &str,
        state: &mut S,
        mut build: impl FnMut(&mut S) -> Result<Vec<u8>, Error>,
        mut accept: impl FnMut(&S, &[u8]) -> Accept<T>,
        deadline: &Deadline,
    ) -> Result<T, Error> {
        let started = Instant::now();
        let mut wait = self.retry_interval;
        let mut sent = 0u32;
        let mut refused = 0u32;
        let mut last_bad: Option<String> = None;
        let mut buf = [0u8; 1024];
        while !deadline.expired() && sent <= self.max_retries {
            let pkt = build(state)?;
            sent += 1;
            match self.sock.send(&pkt) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => refused += 1,
                Err(e) => {
                    return Err(err(
                        ErrorKind::Network,
                        format!("cannot send {what} to {}: {e}", self.peer),
                    ))
                }
            }
            let attempt = deadline.capped(wait);
            loop {
                let left = attempt.remaining();
                if left.is_zero() {
                    break;
                }
                if self.sock.set_read_timeout(Some(left)).is_err() {
                    break;
                }
                match self.sock.recv(&mut buf) {
                    Ok(n) => match accept(state, &buf[..n]) {
                        Accept::Done(v) => return Ok(v),
                        Accept::Ignore => {}
                        Accept::Bad(why) => {
                            tracing::debug!("ignoring a reply to {what}: {why}");
                            last_bad = Some(why);
                        }
                    },
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                    {
                        break
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                        refused += 1;
                        attempt.sleep(left);
                        break;
                    }
                    Err(e) => {
                        return Err(err(
                            ErrorKind::Network,
                            format!("cannot receive from {}: {e}", self.peer),
                        ))
                    }
                }
            }
            if refused >= 2 {
                break;
            }
            if sent <= self.max_retries {
                tracing::debug!("no usable answer to {what} within {wait:?}; retransmitting");
            }
            wait = (wait * 2).min(self.max_interval);
        }
        let took = started.elapsed().as_secs_f64();
        Err(if let Some(why) = last_bad {
            err(
                ErrorKind::Garbage,
                format!(
                    "BMC {} answered {what} only with unusable packets ({why}); gave up after {sent} tries in {took:.1} s",
                    self.peer
                ),
            )
        } else if refused > 0 {
            err(
                ErrorKind::Network,
                format!(
                    "nothing answers IPMI at {} (connection refused: UDP port closed)",
                    self.peer
                ),
            )
        } else {
            err(
                ErrorKind::Timeout,
                format!(
                    "BMC {} did not answer {what} ({sent} tries in {took:.1} s)",
                    self.peer
                ),
            )
        })
    }
}

/// Resolve `host` (an address literal, `[v6]`, or a name), bounded by `deadline`.
fn resolve(host: &str, port: u16, deadline: &Deadline) -> Result<std::net::SocketAddr, Error> {
    use rustha_support::net::ResolveError;
    match rustha_support::net::resolve(host, port, deadline) {
        Ok(addrs) => addrs.into_iter().next().ok_or_else(|| {
            err(
                ErrorKind::Network,
                format!("BMC address {host:?} resolves to nothing"),
            )
        }),
        Err(ResolveError::Timeout) => Err(err(
            ErrorKind::Timeout,
            format!("cannot resolve BMC address {host:?}: no answer from the name service in time"),
        )),
        Err(ResolveError::NoAddress) => Err(err(
            ErrorKind::Network,
            format!("BMC address {host:?} resolves to nothing"),
        )),
        Err(ResolveError::Failed(e)) => Err(err(
            ErrorKind::Network,
            format!("cannot resolve BMC address {host:?}: {e}"),
        )),
    }
}
