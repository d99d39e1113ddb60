//! A small blocking IPMI-over-LAN client: one UDP socket, one session, retransmission with a
//! bounded retry budget. Every wait is bounded by a [`Deadline`].

use crate::crypto::{self, AuthAlg, RakpInput, SessionKeys};
use crate::msg::{self, AuthType, ChassisControl, ChassisStatus, Privilege, Request, Response};
use crate::packet::{self, Security, V15Packet, V20Packet};
use crate::rmcpplus::{self, CipherSuite, OpenSessionResponse, Rakp2, Rakp4};
use crate::ParseError;
use rustha_support::{Deadline, Secret};
use std::net::UdpSocket;
use std::time::{Duration, Instant};

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
}

#[derive(Debug, Clone, thiserror::Error)]
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

/// What a reply handler decided about one received datagram.
enum Accept<T> {
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

/// A session-setup reply (Open Session Response, RAKP 2, RAKP 4): an RMCP+ packet of payload type
/// `ty` (`what` names it) whose payload `parse` turns into the answer (`Some`) or finds to belong
/// to another request (`None`).
fn setup_reply<T>(
    buf: &[u8],
    ty: u8,
    what: &str,
    parse: impl FnOnce(&[u8]) -> Result<Option<T>, ParseError>,
) -> Accept<T> {
    let p = match V20Packet::parse(buf) {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    if p.payload_type != ty {
        return Accept::Bad(format!("not {what}"));
    }
    match parse(&p.payload) {
        Ok(Some(r)) => Accept::Done(r),
        Ok(None) => Accept::Ignore,
        Err(e) => e.into(),
    }
}

struct Transport {
    sock: UdpSocket,
    peer: String,
    retry_interval: Duration,
    max_interval: Duration,
    max_retries: u32,
}

impl Transport {
    fn connect(cfg: &Config, deadline: &Deadline) -> Result<Self, Error> {
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

    /// Send what `build` makes (called again for every retransmission) until `accept` takes a
    /// reply, the retry budget is spent or `deadline` passes.
    fn exchange<S, T>(
        &self,
        what: &str,
        state: &mut S,
        mut build: impl FnMut(&mut S) -> Vec<u8>,
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
            let pkt = build(state);
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

enum State {
    /// Outside a session.
    None { ipmi20: bool },
    V15 {
        auth: AuthType,
        session_id: u32,
        seq: u32,
    },
    V20 {
        suite: CipherSuite,
        keys: SessionKeys,
        bmc_sid: u32,
        console_sid: u32,
        seq: u32,
    },
}

/// An IPMI session with one BMC.
pub struct Session {
    t: Transport,
    cfg: Config,
    state: State,
    rq_seq: u8,
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

fn random<const N: usize>() -> Result<[u8; N], Error> {
    crypto::random_bytes::<N>()
        .map_err(|e| err(ErrorKind::Network, format!("cannot get random bytes: {e}")))
}

fn random_nonzero_u32() -> Result<u32, Error> {
    Ok(u32::from_le_bytes(random::<4>()?).max(1))
}

/// Status codes of Open Session / RAKP that mean "this cipher suite is not available".
fn is_suite_rejection(status: u8) -> bool {
    matches!(status, 0x03..=0x07 | 0x10 | 0x11)
}

impl Session {
    /// Open a session: IPMI 1.5 challenge/activate or RMCP+ Open Session and RAKP 1–4, then Set
    /// Session Privilege Level. All of it bounded by `deadline`.
    pub fn open(cfg: Config, deadline: &Deadline) -> Result<Session, Error> {
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
        let t = Transport::connect(&cfg, deadline)?;
        let ipmi20 = matches!(cfg.interface, Interface::LanPlus { .. });
        let mut s = Session {
            t,
            cfg,
            state: State::None { ipmi20 },
            rq_seq: 0,
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

    fn next_rq_seq(&mut self) -> u8 {
        self.rq_seq = (self.rq_seq + 1) & 0x3f;
        self.rq_seq
    }

    // ---------------- IPMI 1.5 ----------------

    fn open_v15(&mut self, want: Option<AuthType>, deadline: &Deadline) -> Result<(), Error> {
        let caps = self.command(
            &msg::get_channel_auth_caps(self.cfg.privilege, false),
            deadline,
        )?;
        if caps.completion != 0 {
            return Err(err(
                ErrorKind::Protocol,
                format!(
                    "Get Channel Authentication Capabilities failed: {}",
                    msg::completion_text(caps.completion)
                ),
            ));
        }
        let caps = msg::AuthCaps::parse(&caps.data)
            .map_err(|e| err(ErrorKind::Protocol, e.to_string()))?;
        let auth = match want {
            Some(AuthType::Md2) => {
                return Err(err(ErrorKind::Cipher, "auth type md2 is not supported; use md5"))
            }
            Some(a) if caps.supports(a) => a,
            Some(a) => {
                return Err(err(
                    ErrorKind::Cipher,
                    format!(
                        "the BMC does not offer auth type {} for privilege {} (it offers: {})",
                        a.name(),
                        self.cfg.privilege.name(),
                        offered_auth(&caps)
                    ),
                ))
            }
            None => [AuthType::Md5, AuthType::Password, AuthType::None]
                .into_iter()
                .find(|a| caps.supports(*a))
                .ok_or_else(|| {
                    err(
                        ErrorKind::Cipher,
                        format!(
                            "the BMC offers no auth type we support for privilege {} (md5, password, none)",
                            self.cfg.privilege.name()
                        ),
                    )
                })?,
        };
        let user = self.cfg.username.clone().into_bytes();
        let ch = self.command(&msg::get_session_challenge(auth, &user), deadline)?;
        match ch.completion {
            0 => {}
            0x81 | 0x82 => {
                return Err(err(
                    ErrorKind::Auth,
                    format!(
                    "login refused: the BMC does not know user {:?} (Get Session Challenge: {})",
                    self.cfg.username,
                    msg::completion_text(ch.completion)
                ),
                ))
            }
            cc => {
                return Err(err(
                    ErrorKind::Protocol,
                    format!(
                        "Get Session Challenge failed: {} ({cc:02X}h)",
                        msg::completion_text(cc)
                    ),
                ))
            }
        }
        let ch =
            msg::Challenge::parse(&ch.data).map_err(|e| err(ErrorKind::Protocol, e.to_string()))?;
        let out_seq = random_nonzero_u32()?;
        let req = msg::activate_session(auth, self.cfg.privilege, &ch.challenge, out_seq);
        let rq_seq = self.next_rq_seq();
        let body = req.encode(msg::BMC_ADDR, msg::CONSOLE_ADDR, rq_seq);
        let pw = self.cfg.password.clone();
        let temp = ch.temp_session_id;
        let r = self.t.exchange(
            "Activate Session",
            &mut (),
            |_| packet::encode_v15(auth, pw.expose().as_bytes(), temp, 0, &body),
            |_, buf| {
                let p = match V15Packet::parse(buf) {
                    Ok(p) => p,
                    Err(e) => return e.into(),
                };
                match Response::parse(&p.msg) {
                    Ok(r) if r.answers(&req, rq_seq) => Accept::Done(r),
                    Ok(_) => Accept::Ignore,
                    Err(e) => e.into(),
                }
            },
            deadline,
        );
        let r = match r {
            Ok(r) => r,
            Err(e) if e.kind == ErrorKind::Timeout => {
                // BMCs drop an Activate Session whose AuthCode does not verify.
                return Err(err(
                    ErrorKind::Auth,
                    format!(
                        "login refused: no answer to Activate Session for user {:?} with auth {} (wrong password?)",
                        self.cfg.username,
                        auth.name()
                    ),
                ));
            }
            Err(e) => return Err(e),
        };
        match r.completion {
            0 => {}
            0x81..=0x85 if r.completion != 0x83 => {
                return Err(err(
                    ErrorKind::Auth,
                    format!(
                        "login refused for user {:?}: {} (Activate Session)",
                        self.cfg.username,
                        msg::completion_text(r.completion)
                    ),
                ))
            }
            cc => {
                return Err(err(
                    ErrorKind::Protocol,
                    format!(
                        "Activate Session failed: {} ({cc:02X}h)",
                        msg::completion_text(cc)
                    ),
                ))
            }
        }
        let a =
            msg::Activated::parse(&r.data).map_err(|e| err(ErrorKind::Protocol, e.to_string()))?;
        let auth = AuthType::from_u8(a.auth).unwrap_or(auth);
        self.state = State::V15 {
            auth,
            session_id: a.session_id,
            seq: a.inbound_seq.max(1),
        };
        self.auth = Some(auth);
        tracing::debug!(
            "IPMI 1.5 session {:08x} open with auth {}",
            a.session_id,
            auth.name()
        );
        Ok(())
    }

    // ---------------- IPMI 2.0 ----------------

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
        let candidates: Vec<CipherSuite> = match cipher {
            Some(id) => vec![CipherSuite::from_id(id).ok_or_else(|| {
                err(
                    ErrorKind::Config,
                    format!(
                        "cipher suite {id} is not supported; expected one of 0, 1, 2, 3, 6, 7, 8, 15, 16, 17"
                    ),
                )
            })?],
            None => {
                // Bounded separately: a BMC that ignores the session-less query (sent in IPMI 1.5
                // framing, as ipmitool does) still gets the rest of the budget for the suites
                // tried blind.
                let discovery = deadline.capped(Duration::from_millis(1500));
                let offered = match self.cipher_suites(&discovery) {
                    Ok(list) => {
                        tracing::debug!(
                            "BMC offers cipher suites {:?}",
                            list.iter().map(|r| r.id).collect::<Vec<_>>()
                        );
                        Some(list)
                    }
                    Err(e)
                        if matches!(e.kind, ErrorKind::Protocol | ErrorKind::Command)
                            || matches!(e.kind, ErrorKind::Timeout | ErrorKind::Garbage)
                                && !deadline.expired() =>
                    {
                        tracing::debug!("cannot list cipher suites ({e}); trying 3, 17, 2, 1");
                        None
                    }
                    Err(e) => return Err(e),
                };
                match offered {
                    Some(list) => {
                        let c: Vec<CipherSuite> = rmcpplus::SUPPORTED_BY_STRENGTH
                            .iter()
                            .filter_map(|&id| CipherSuite::from_id(id))
                            .filter(|s| {
                                list.iter().any(|r| {
                                    r.auth == s.auth as u8
                                        && r.integrity.unwrap_or(0) == s.integrity as u8
                                        && r.conf.unwrap_or(0) == s.conf as u8
                                })
                            })
                            .collect();
                        if c.is_empty() {
                            return Err(err(
                                ErrorKind::Cipher,
                                format!(
                                    "the BMC offers no cipher suite we support (it offers {:?}; we support 1, 2, 3, 6, 7, 8, 15, 16, 17 and 0 only when asked for with cipher=0)",
                                    list.iter().map(|r| r.id).collect::<Vec<_>>()
                                ),
                            ));
                        }
                        c
                    }
                    // Blind: suite 3 first, the one nearly every BMC has (some BMCs do not answer
                    // an Open Session for a suite they lack at all).
                    None => [3u8, 17, 2, 1]
                        .iter()
                        .filter_map(|&id| CipherSuite::from_id(id))
                        .collect(),
                }
            }
        };
        let mut last = None;
        for suite in candidates {
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
        let console_sid = random_nonzero_u32()?;
        let tag = self.next_rq_seq();
        let priv_byte = self.cfg.privilege as u8;
        let osr = rmcpplus::open_session_request(tag, priv_byte, console_sid, &suite);
        let r: OpenSessionResponse = self.t.exchange(
            "Open Session Request",
            &mut (),
            |_| packet::encode_v20(packet::PAYLOAD_OPEN_SESSION_REQ, 0, 0, &osr, None, [0; 16]),
            |_, buf| {
                setup_reply(
                    buf,
                    packet::PAYLOAD_OPEN_SESSION_RSP,
                    "an Open Session Response",
                    |payload| {
                        OpenSessionResponse::parse(payload).map(|r| {
                            (r.tag == tag && (r.console_sid == console_sid || r.status != 0))
                                .then_some(r)
                        })
                    },
                )
            },
            deadline,
        )?;
        if r.status != 0 {
            let text = rmcpplus::status_text(r.status);
            return Err(if is_suite_rejection(r.status) {
                err(
                    ErrorKind::Cipher,
                    format!("the BMC refuses cipher suite {}: {text}", suite.id),
                )
            } else if matches!(r.status, 0x09 | 0x0a) {
                err(
                    ErrorKind::Privilege,
                    format!(
                        "the BMC refuses privilege level {}: {text}",
                        self.cfg.privilege.name()
                    ),
                )
            } else {
                err(ErrorKind::Protocol, format!("Open Session refused: {text}"))
            });
        }
        if (r.auth, r.integrity, r.conf)
            != (suite.auth as u8, suite.integrity as u8, suite.conf as u8)
        {
            return Err(err(
                ErrorKind::Cipher,
                format!(
                    "the BMC answered cipher suite {} with other algorithms (auth {}, integrity {}, confidentiality {})",
                    suite.id, r.auth, r.integrity, r.conf
                ),
            ));
        }
        let bmc_sid = r.bmc_sid;

        // RAKP 1 / 2
        let rm = random::<16>()?;
        let role = 0x10 | priv_byte;
        let user = self.cfg.username.clone().into_bytes();
        let tag = self.next_rq_seq();
        let r1 = rmcpplus::rakp1(tag, bmc_sid, &rm, role, &user);
        let code_len = suite.auth.hmac_len();
        let r2: Rakp2 = self.t.exchange(
            "RAKP Message 1",
            &mut (),
            |_| packet::encode_v20(packet::PAYLOAD_RAKP1, 0, 0, &r1, None, [0; 16]),
            |_, buf| {
                setup_reply(buf, packet::PAYLOAD_RAKP2, "a RAKP Message 2", |payload| {
                    Rakp2::parse(payload, code_len).map(|r| {
                        (r.tag == tag && (r.console_sid == console_sid || r.status != 0))
                            .then_some(r)
                    })
                })
            },
            deadline,
        )?;
        if r2.status != 0 {
            let text = rmcpplus::status_text(r2.status);
            return Err(match r2.status {
                0x0d | 0x0c => err(
                    ErrorKind::Auth,
                    format!(
                        "login refused: the BMC does not know user {:?} ({text})",
                        self.cfg.username
                    ),
                ),
                0x09..=0x0b => err(
                    ErrorKind::Privilege,
                    format!(
                        "user {:?} may not use privilege level {}: {text}",
                        self.cfg.username,
                        self.cfg.privilege.name()
                    ),
                ),
                s if is_suite_rejection(s) => err(
                    ErrorKind::Cipher,
                    format!("the BMC refuses cipher suite {}: {text}", suite.id),
                ),
                _ => err(ErrorKind::Protocol, format!("RAKP 2 refused: {text}")),
            });
        }
        let input = RakpInput {
            console_sid,
            bmc_sid,
            console_rand: rm,
            bmc_rand: r2.bmc_rand,
            bmc_guid: r2.bmc_guid,
            role,
            username: user,
        };
        let kuid = self.cfg.password.expose().as_bytes().to_vec();
        if suite.auth != AuthAlg::None
            && !crypto::ct_eq(&input.rakp2_auth_code(suite.auth, &kuid), &r2.auth_code)
        {
            // Tell the BMC, so that it frees the session slot at once.
            let tag3 = self.next_rq_seq();
            let nack = rmcpplus::rakp3(tag3, 0x0f, bmc_sid, &[]);
            let _ = self.t.sock.send(&packet::encode_v20(
                packet::PAYLOAD_RAKP3,
                0,
                0,
                &nack,
                None,
                [0; 16],
            ));
            return Err(err(
                ErrorKind::Auth,
                format!(
                    "login refused: wrong password for user {:?} (the BMC's RAKP 2 does not verify)",
                    self.cfg.username
                ),
            ));
        }

        // RAKP 3 / 4
        let code3 = input.rakp3_auth_code(suite.auth, &kuid);
        let tag = self.next_rq_seq();
        let r3 = rmcpplus::rakp3(tag, 0, bmc_sid, &code3);
        let icv_len = suite.auth.icv_len();
        let r4: Rakp4 = self.t.exchange(
            "RAKP Message 3",
            &mut (),
            |_| packet::encode_v20(packet::PAYLOAD_RAKP3, 0, 0, &r3, None, [0; 16]),
            |_, buf| {
                setup_reply(buf, packet::PAYLOAD_RAKP4, "a RAKP Message 4", |payload| {
                    Rakp4::parse(payload, icv_len).map(|r| {
                        (r.tag == tag && (r.console_sid == console_sid || r.status != 0))
                            .then_some(r)
                    })
                })
            },
            deadline,
        )?;
        if r4.status != 0 {
            let text = rmcpplus::status_text(r4.status);
            return Err(match r4.status {
                0x0f | 0x02 => err(
                    ErrorKind::Auth,
                    format!(
                        "login refused: the BMC rejected our RAKP 3 for user {:?} ({text}: wrong password?)",
                        self.cfg.username
                    ),
                ),
                0x09..=0x0b => err(
                    ErrorKind::Privilege,
                    format!("privilege level {} refused: {text}", self.cfg.privilege.name()),
                ),
                _ => err(ErrorKind::Protocol, format!("RAKP 4 refused: {text}")),
            });
        }
        let kg = self.cfg.kg.clone().unwrap_or_else(|| kuid.clone());
        let sik = input.sik(suite.auth, &kg);
        if suite.auth != AuthAlg::None
            && !crypto::ct_eq(&input.rakp4_icv(suite.auth, &sik), &r4.icv)
        {
            return Err(err(
                ErrorKind::Kg,
                if self.cfg.kg.is_some() {
                    "login refused: the BMC key (hexadecimal_kg) does not match the BMC's (RAKP 4 does not verify)".to_string()
                } else {
                    "login refused: the BMC requires a BMC key (hexadecimal_kg) (RAKP 4 does not verify)".to_string()
                },
            ));
        }
        let keys = SessionKeys::derive(suite.auth, sik, &kuid);
        self.state = State::V20 {
            suite,
            keys,
            bmc_sid,
            console_sid,
            seq: 0,
        };
        self.suite = Some(suite);
        tracing::debug!(
            "RMCP+ session {bmc_sid:08x} open with cipher suite {}",
            suite.id
        );
        Ok(())
    }

    // ---------------- commands ----------------

    /// Send one IPMI request (in the session if one is open) and return the BMC's response, with
    /// retransmissions. Bridged to `target` when configured.
    pub fn command(&mut self, req: &Request, deadline: &Deadline) -> Result<Response, Error> {
        let bridged = self.cfg.target.filter(|&t| {
            t != msg::BMC_ADDR && matches!(self.state, State::V15 { .. } | State::V20 { .. })
        });
        match bridged {
            None => self.raw_command(req, deadline),
            Some(t) => {
                let inner_seq = self.next_rq_seq();
                let inner = req.encode(t, msg::BMC_ADDR, inner_seq);
                let outer = msg::send_message(&inner);
                let r = self.raw_command(&outer, deadline)?;
                if r.completion != 0 {
                    return Err(err(
                        ErrorKind::Command,
                        format!(
                            "bridging to target {t:02X}h failed: Send Message: {} ({:02X}h)",
                            msg::completion_text(r.completion),
                            r.completion
                        ),
                    ));
                }
                let ir = msg::parse_bridged(&r.data, req, inner_seq).map_err(|e| {
                    err(
                        ErrorKind::Protocol,
                        format!("bridged response from target {t:02X}h: {e}"),
                    )
                })?;
                Ok(ir)
            }
        }
    }

    fn raw_command(&mut self, req: &Request, deadline: &Deadline) -> Result<Response, Error> {
        let rq_seq = self.next_rq_seq();
        let body = req.encode(msg::BMC_ADDR, msg::CONSOLE_ADDR, rq_seq);
        let pw = self.cfg.password.clone();
        let what = command_name(req);
        let build = |st: &mut State| -> Vec<u8> {
            match st {
                State::None { ipmi20: false } => {
                    packet::encode_v15(AuthType::None, b"", 0, 0, &body)
                }
                State::None { ipmi20: true } => {
                    // Session-less requests go in IPMI 1.5 framing even for lanplus, as ipmitool
                    // sends them: BMCs (ipmi_sim among them) do not all answer the RMCP+ form.
                    packet::encode_v15(AuthType::None, b"", 0, 0, &body)
                }
                State::V15 {
                    auth,
                    session_id,
                    seq,
                } => {
                    let s = *seq;
                    *seq = seq.wrapping_add(1).max(1);
                    packet::encode_v15(*auth, pw.expose().as_bytes(), *session_id, s, &body)
                }
                State::V20 {
                    suite,
                    keys,
                    bmc_sid,
                    seq,
                    ..
                } => {
                    *seq = seq.wrapping_add(1).max(1);
                    let iv = crypto::random_bytes::<16>().unwrap_or_else(|_| {
                        // getrandom does not fail on Linux ≥ 3.17 once booted; never send a
                        // fixed IV, though: derive one from the clock and sequence.
                        let t = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_nanos() as u64)
                            .unwrap_or(0)
                            ^ u64::from(*seq);
                        let mut iv = [0u8; 16];
                        iv[..8].copy_from_slice(&t.to_le_bytes());
                        iv
                    });
                    packet::encode_v20(
                        packet::PAYLOAD_IPMI,
                        *bmc_sid,
                        *seq,
                        &body,
                        Some(Security {
                            keys,
                            integrity: suite.integrity,
                            conf: suite.conf,
                        }),
                        iv,
                    )
                }
            }
        };
        let accept = |st: &State, buf: &[u8]| -> Accept<Response> {
            let payload = match st {
                State::None { ipmi20: true } if !packet::is_rmcpp(buf) => {
                    match V15Packet::parse(buf) {
                        Ok(p) if p.session_id == 0 => p.msg,
                        Ok(_) => {
                            return Accept::Bad("session ID outside a session is not 0".into())
                        }
                        Err(e) => return e.into(),
                    }
                }
                State::None { ipmi20: false } | State::V15 { .. } => {
                    let p = match V15Packet::parse(buf) {
                        Ok(p) => p,
                        Err(e) => return e.into(),
                    };
                    if let State::V15 {
                        session_id, auth, ..
                    } = st
                    {
                        if p.session_id != *session_id {
                            return Accept::Bad("session ID is not ours".into());
                        }
                        if *auth == AuthType::Md5 && p.auth == AuthType::Md5 as u8 {
                            let want = crypto::md5_auth_code(
                                pw.expose().as_bytes(),
                                p.session_id,
                                &p.msg,
                                p.seq,
                            );
                            if !p.auth_code.is_some_and(|c| crypto::ct_eq(&c, &want)) {
                                return Accept::Bad("AuthCode does not verify".into());
                            }
                        }
                    } else if p.session_id != 0 {
                        return Accept::Bad("session ID outside a session is not 0".into());
                    }
                    p.msg
                }
                State::None { ipmi20: true } => {
                    let p = match V20Packet::parse(buf) {
                        Ok(p) => p,
                        Err(e) => return e.into(),
                    };
                    if p.payload_type != packet::PAYLOAD_IPMI || p.encrypted || p.authenticated {
                        return Accept::Bad("not a session-less IPMI payload".into());
                    }
                    p.payload
                }
                State::V20 {
                    suite,
                    keys,
                    console_sid,
                    ..
                } => {
                    let p = match V20Packet::parse(buf) {
                        Ok(p) => p,
                        Err(e) => return e.into(),
                    };
                    if p.payload_type != packet::PAYLOAD_IPMI {
                        return Accept::Bad("not an IPMI payload".into());
                    }
                    if p.session_id != *console_sid {
                        return Accept::Bad("session ID is not ours".into());
                    }
                    match p.open(
                        buf,
                        Security {
                            keys,
                            integrity: suite.integrity,
                            conf: suite.conf,
                        },
                    ) {
                        Ok(v) => v,
                        Err(e) => return e.into(),
                    }
                }
            };
            match Response::parse(&payload) {
                Ok(r) if r.answers(req, rq_seq) => Accept::Done(r),
                Ok(_) => Accept::Ignore,
                Err(e) => e.into(),
            }
        };
        self.t
            .exchange(what, &mut self.state, build, accept, deadline)
    }

    /// A command that must succeed (completion code 00h); returns its data.
    fn checked(&mut self, req: &Request, deadline: &Deadline) -> Result<Vec<u8>, Error> {
        let r = self.command(req, deadline)?;
        match r.completion {
            0 => Ok(r.data),
            0xd4 => Err(err(
                ErrorKind::Privilege,
                format!(
                    "{} refused: insufficient privilege (session runs as {}; the command needs operator or higher)",
                    command_name(req),
                    self.cfg.privilege.name()
                ),
            )),
            cc => Err(err(
                ErrorKind::Command,
                format!(
                    "{} failed: {} ({cc:02X}h)",
                    command_name(req),
                    msg::completion_text(cc)
                ),
            )),
        }
    }

    pub fn chassis_status(&mut self, deadline: &Deadline) -> Result<ChassisStatus, Error> {
        let d = self.checked(&msg::get_chassis_status(), deadline)?;
        ChassisStatus::parse(&d).map_err(|e| err(ErrorKind::Protocol, e.to_string()))
    }

    pub fn chassis_control(
        &mut self,
        op: ChassisControl,
        deadline: &Deadline,
    ) -> Result<(), Error> {
        self.checked(&msg::chassis_control(op), deadline)
            .map(|_| ())
    }

    /// Close the session (best effort, bounded by `deadline`). Idempotent.
    pub fn close(&mut self, deadline: &Deadline) {
        let sid = match self.state {
            State::V15 { session_id, .. } => session_id,
            State::V20 { bmc_sid, .. } => bmc_sid,
            State::None { .. } => return,
        };
        let saved_target = self.cfg.target.take();
        let saved_retries = self.t.max_retries;
        self.t.max_retries = self.t.max_retries.min(1);
        if let Err(e) = self.raw_command(&msg::close_session(sid), deadline) {
            tracing::debug!("Close Session: {e}");
        }
        self.t.max_retries = saved_retries;
        self.cfg.target = saved_target;
        self.state = State::None {
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

fn offered_auth(c: &msg::AuthCaps) -> String {
    let v: Vec<&str> = [
        AuthType::None,
        AuthType::Md2,
        AuthType::Md5,
        AuthType::Password,
    ]
    .into_iter()
    .filter(|a| c.supports(*a))
    .map(AuthType::name)
    .collect();
    if v.is_empty() {
        "nothing".into()
    } else {
        v.join(", ")
    }
}

fn command_name(req: &Request) -> &'static str {
    match (req.netfn, req.cmd) {
        (msg::NETFN_CHASSIS, msg::CMD_GET_CHASSIS_STATUS) => "Get Chassis Status",
        (msg::NETFN_CHASSIS, msg::CMD_CHASSIS_CONTROL) => "Chassis Control",
        (msg::NETFN_APP, msg::CMD_GET_CHANNEL_AUTH_CAPS) => {
            "Get Channel Authentication Capabilities"
        }
        (msg::NETFN_APP, msg::CMD_GET_SESSION_CHALLENGE) => "Get Session Challenge",
        (msg::NETFN_APP, msg::CMD_ACTIVATE_SESSION) => "Activate Session",
        (msg::NETFN_APP, msg::CMD_SET_SESSION_PRIV) => "Set Session Privilege Level",
        (msg::NETFN_APP, msg::CMD_CLOSE_SESSION) => "Close Session",
        (msg::NETFN_APP, msg::CMD_GET_CHANNEL_CIPHER_SUITES) => "Get Channel Cipher Suites",
        (msg::NETFN_APP, msg::CMD_SEND_MESSAGE) => "Send Message",
        _ => "IPMI command",
    }
}
