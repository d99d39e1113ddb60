// SPDX-License-Identifier: GPL-2.0-or-later
//! A small blocking IPMI-over-LAN client: one UDP socket, one session, retransmission with a
//! bounded retry budget. Every wait is bounded by a [`Deadline`].
//!
//! The layers, each in its own module: `error` (what went wrong), `random` (injected session
//! randomness), `transport` (the socket and the retransmission loop: the only I/O), `framing`
//! (how a message travels outside or inside a session), `v15` and `v20` (session setup as state
//! machines without I/O), `commands` (IPMI commands in a session). [`Session`] drives them.

mod commands;
mod error;
mod framing;
mod login;
mod random;
mod transport;
mod v15;
mod v20;

pub use error::{Error, ErrorKind};
pub use random::{OsRandom, Random};

use crate::msg::{self, AuthType, Privilege};
use crate::rmcpplus::CipherSuite;
use error::err;
use framing::Framing;
use login::{Outgoing, RqSeq, Step};
use rustha_support::{Deadline, Secret};
use std::time::Duration;
use transport::Transport;

/// Which IPMI LAN protocol to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    /// IPMI 1.5 (`-I lan`); `auth` None picks the strongest type the BMC offers.
    Lan { auth: Option<AuthType> },
    /// IPMI 2.0 RMCP+ (`-I lanplus`); `cipher` None asks the BMC for its cipher suites and picks
    /// the strongest one we implement.
    LanPlus { cipher: Option<u8> },
}

/// How to reach and log in to a BMC.
#[derive(Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Secret,
    /// The BMC key (Kg) for RMCP+, raw bytes (at most 20).
    pub kg: Option<Vec<u8>>,
    pub interface: Interface,
    pub privilege: Privilege,
    /// Bridge requests to this IPMB address (ipmitool `-t`); None or 20h: the BMC itself.
    pub target: Option<u8>,
    /// Wait for the first reply this long before retransmitting; doubles per retry.
    pub retry_interval: Duration,
    /// Upper bound of the retransmission interval.
    pub max_interval: Duration,
    /// Retransmissions per request after the first send.
    pub max_retries: u32,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("kg", &self.kg.as_ref().map(|_| "****"))
            .field("interface", &self.interface)
            .field("privilege", &self.privilege)
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn new(host: impl Into<String>, interface: Interface) -> Self {
        Config {
            host: host.into(),
            port: 623,
            username: String::new(),
            password: Secret::default(),
            kg: None,
            interface,
            privilege: Privilege::Administrator,
            target: None,
            retry_interval: Duration::from_millis(300),
            max_interval: Duration::from_secs(2),
            max_retries: 4,
        }
    }
}

/// An IPMI session with one BMC.
pub struct Session {
    t: Transport,
    cfg: Config,
    state: Framing,
    rq_seq: RqSeq,
    rng: Box<dyn Random>,
    /// The cipher suite in use (lanplus).
    pub suite: Option<CipherSuite>,
    /// The IPMI 1.5 auth type in use (lan).
    pub auth: Option<AuthType>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("peer", &self.t.peer)
            .field("suite", &self.suite.map(|s| s.id))
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// Refuse what IPMI cannot carry before anything is sent.
fn check_config(cfg: &Config) -> Result<(), Error> {
    if cfg.username.len() > 16 {
        return Err(err(
            ErrorKind::Config,
            format!(
                "user name {:?} is {} bytes long; IPMI allows at most 16",
                cfg.username,
                cfg.username.len()
            ),
        ));
    }
    let max_pw = match cfg.interface {
        Interface::Lan { .. } => 16,
        Interface::LanPlus { .. } => 20,
    };
    if cfg.password.expose().len() > max_pw {
        return Err(err(
            ErrorKind::Config,
            format!(
                "the password is {} bytes long; {} allows at most {max_pw}",
                cfg.password.expose().len(),
                if max_pw == 16 {
                    "IPMI 1.5 (lan)"
                } else {
                    "IPMI 2.0 (lanplus)"
                }
            ),
        ));
    }
    if cfg.kg.as_ref().is_some_and(|k| k.len() > 20) {
        return Err(err(
            ErrorKind::Config,
            "the BMC key (hexadecimal_kg) is longer than 20 bytes (40 hex digits)",
        ));
    }
    Ok(())
}

impl Session {
    /// Open a session: IPMI 1.5 challenge/activate or RMCP+ Open Session and RAKP 1–4, then Set
    /// Session Privilege Level. All of it bounded by `deadline`. Randomness from the kernel.
    pub fn open(cfg: Config, deadline: &Deadline) -> Result<Session, Error> {
        Session::open_with_random(cfg, Box::new(OsRandom), deadline)
    }

    /// [`Session::open`] with session randomness from `rng` (tests; a failing source fails the
    /// session with [`ErrorKind::Random`]).
    pub fn open_with_random(
        cfg: Config,
        rng: Box<dyn Random>,
        deadline: &Deadline,
    ) -> Result<Session, Error> {
        check_config(&cfg)?;
        let t = Transport::connect(&cfg, deadline)?;
        let ipmi20 = matches!(cfg.interface, Interface::LanPlus { .. });
        let mut s = Session {
            t,
            cfg,
            state: Framing::None { ipmi20 },
            rq_seq: RqSeq::default(),
            rng,
            suite: None,
            auth: None,
        };
        match s.cfg.interface {
            Interface::Lan { auth } => s.open_v15(auth, deadline)?,
            Interface::LanPlus { cipher } => s.open_v20(cipher, deadline)?,
        }
        if s.cfg.privilege > Privilege::User {
            let p = s.cfg.privilege;
            match s.command(&msg::set_session_privilege(p), deadline) {
                Ok(r) if r.completion == 0 => {}
                Ok(r) if matches!(r.completion, 0x80 | 0x81 | 0xd4) => {
                    s.close(&deadline.capped(Duration::from_millis(500)));
                    return Err(err(
                        ErrorKind::Privilege,
                        format!(
                            "user {:?} may not use privilege level {} on this BMC (Set Session Privilege Level: {})",
                            s.cfg.username,
                            p.name(),
                            msg::completion_text(r.completion)
                        ),
                    ));
                }
                Ok(r) => {
                    s.close(&deadline.capped(Duration::from_millis(500)));
                    return Err(err(
                        ErrorKind::Protocol,
                        format!(
                            "Set Session Privilege Level {} failed: {} ({:02X}h)",
                            p.name(),
                            msg::completion_text(r.completion),
                            r.completion
                        ),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(s)
    }

    /// Send `out` until `accept` takes a reply (the I/O half of a session-setup step).
    fn handshake<T>(
        &self,
        out: &Outgoing,
        accept: impl FnMut(&(), &[u8]) -> transport::Accept<T>,
        deadline: &Deadline,
    ) -> Result<T, Error> {
        self.t.exchange(
            out.what,
            &mut (),
            |_| Ok(out.packet.clone()),
            accept,
            deadline,
        )
    }

    fn open_v15(&mut self, want: Option<AuthType>, deadline: &Deadline) -> Result<(), Error> {
        let (mut login, mut out) = v15::V15Login::start(&self.cfg, want, &mut self.rq_seq);
        loop {
            let r = self
                .handshake(&out, |_, buf| login.accept(buf), deadline)
                .map_err(|e| login.exchange_failed(e, &self.cfg))?;
            match login.advance(r, &self.cfg, &mut *self.rng, &mut self.rq_seq)? {
                Step::Send(next) => out = next,
                Step::Abort { packet, error } => {
                    self.t.send_once(&packet);
                    return Err(error);
                }
                Step::Done((framing, auth)) => {
                    tracing::debug!(
                        "IPMI 1.5 session {:08x} open with auth {}",
                        framing.bmc_session_id().unwrap_or(0),
                        auth.name()
                    );
                    self.state = framing;
                    self.auth = Some(auth);
                    return Ok(());
                }
            }
        }
    }

    /// Ask the BMC (outside a session) which cipher suites it offers.
    pub fn cipher_suites(&mut self, deadline: &Deadline) -> Result<Vec<msg::SuiteRecord>, Error> {
        let mut data = Vec::new();
        for index in 0..64u8 {
            let r = self.command(&msg::get_channel_cipher_suites(index), deadline)?;
            if r.completion != 0 {
                return Err(err(
                    ErrorKind::Protocol,
                    format!(
                        "Get Channel Cipher Suites failed: {} ({:02X}h)",
                        msg::completion_text(r.completion),
                        r.completion
                    ),
                ));
            }
            let chunk = r.data.get(1..).unwrap_or(&[]);
            data.extend_from_slice(chunk);
            if chunk.len() < 16 {
                break;
            }
        }
        msg::parse_cipher_suite_records(&data).map_err(|e| err(ErrorKind::Protocol, e.to_string()))
    }

    fn open_v20(&mut self, cipher: Option<u8>, deadline: &Deadline) -> Result<(), Error> {
        let offered = match cipher {
            Some(_) => None,
            None => {
                // Bounded separately: a BMC that ignores the session-less query (sent in IPMI 1.5
                // framing, as ipmitool does) still gets the rest of the budget for the suites
                // tried blind.
                let discovery = deadline.capped(Duration::from_millis(1500));
                match self.cipher_suites(&discovery) {
                    Ok(list) => {
                        tracing::debug!(
                            "BMC offers cipher suites {:?}",
                            list.iter().map(|r| r.id).collect::<Vec<_>>()
                        );
                        Some(list)
                    }
                    Err(e) if v20::discovery_failure_is_tolerable(&e, deadline.expired()) => {
                        tracing::debug!("cannot list cipher suites ({e}); trying 3, 17, 2, 1");
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let mut last = None;
        for suite in v20::candidates(cipher, offered.as_deref())? {
            match self.open_v20_suite(suite, deadline) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind == ErrorKind::Cipher && cipher.is_none() => {
                    tracing::debug!("cipher suite {} refused: {e}; trying the next", suite.id);
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| err(ErrorKind::Cipher, "no cipher suite to try")))
    }

    fn open_v20_suite(&mut self, suite: CipherSuite, deadline: &Deadline) -> Result<(), Error> {
        let (mut login, mut out) =
            v20::RmcppLogin::start(&self.cfg, suite, &mut *self.rng, &mut self.rq_seq)?;
        loop {
            let reply = self.handshake(&out, |_, buf| login.accept(buf), deadline)?;
            match login.advance(reply, &self.cfg, &mut *self.rng, &mut self.rq_seq)? {
                Step::Send(next) => out = next,
                Step::Abort { packet, error } => {
                    self.t.send_once(&packet);
                    return Err(error);
                }
                Step::Done(framing) => {
                    tracing::debug!(
                        "RMCP+ session {:08x} open with cipher suite {}",
                        framing.bmc_session_id().unwrap_or(0),
                        suite.id
                    );
                    self.state = framing;
                    self.suite = Some(suite);
                    return Ok(());
                }
            }
        }
    }

    /// Close the session (best effort, bounded by `deadline`). Idempotent.
    pub fn close(&mut self, deadline: &Deadline) {
        let Some(sid) = self.state.bmc_session_id() else {
            return;
        };
        let saved_target = self.cfg.target.take();
        let saved_retries = self.t.max_retries;
        self.t.max_retries = self.t.max_retries.min(1);
        if let Err(e) = self.raw_command(&msg::close_session(sid), deadline) {
            tracing::debug!("Close Session: {e}");
        }
        self.t.max_retries = saved_retries;
        self.cfg.target = saved_target;
        self.state = Framing::None {
            ipmi20: matches!(self.cfg.interface, Interface::LanPlus { .. }),
        };
    }

    /// The peer, as `host:port`.
    pub fn peer(&self) -> &str {
        &self.t.peer
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close(&Deadline::after(Duration::from_millis(300)));
    }
}
