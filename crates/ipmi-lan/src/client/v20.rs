// SPDX-License-Identifier: GPL-2.0-or-later
//! RMCP+ session setup (`lanplus`) without I/O: which cipher suites to try, and for one suite
//! the Open Session and RAKP 1–4 exchange as a state machine (the driver sends `Outgoing`
//! packets, feeds replies to `accept` and accepted ones to `advance`). Randomness (the console
//! session ID, the RAKP nonce) is injected.

use super::error::{err, Error, ErrorKind};
use super::framing::Framing;
use super::login::{Outgoing, RqSeq, Step};
use super::random::{self, Random};
use super::transport::Accept;
use super::Config;
use crate::crypto::{self, AuthAlg, RakpInput, SessionKeys};
use crate::msg::SuiteRecord;
use crate::packet::{self, V20Packet};
use crate::rmcpplus::{self, CipherSuite, OpenSessionResponse, Rakp2, Rakp4};
use crate::ParseError;

/// The suites to try, in order: the one asked for, else those the BMC offers that we implement
/// (strongest first), else (the BMC would not list them) 3, 17, 2, 1 blind.
pub(crate) fn candidates(
    asked: Option<u8>,
    offered: Option<&[SuiteRecord]>,
) -> Result<Vec<CipherSuite>, Error> {
    if let Some(id) = asked {
        return Ok(vec![CipherSuite::from_id(id).ok_or_else(|| {
            err(
                ErrorKind::Config,
                format!(
                    "cipher suite {id} is not supported; expected one of 0, 1, 2, 3, 6, 7, 8, 15, 16, 17"
                ),
            )
        })?]);
    }
    let Some(list) = offered else {
        // Suite 3 first, the one nearly every BMC has (some BMCs do not answer an Open Session
        // for a suite they lack at all).
        return Ok([3u8, 17, 2, 1]
            .iter()
            .filter_map(|&id| CipherSuite::from_id(id))
            .collect());
    };
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
    Ok(c)
}

/// Whether listing the cipher suites failed in a way that still lets suites be tried blind
/// (the BMC ignores or refuses the session-less query, and time is left).
pub(crate) fn discovery_failure_is_tolerable(e: &Error, deadline_expired: bool) -> bool {
    matches!(e.kind, ErrorKind::Protocol | ErrorKind::Command)
        || matches!(e.kind, ErrorKind::Timeout | ErrorKind::Garbage) && !deadline_expired
}

/// Status codes of Open Session / RAKP that mean "this cipher suite is not available".
fn is_suite_rejection(status: u8) -> bool {
    matches!(status, 0x03..=0x07 | 0x10 | 0x11)
}

/// A reply of the handshake, parsed.
#[derive(Debug)]
pub(crate) enum Reply {
    Open(OpenSessionResponse),
    Rakp2(Rakp2),
    Rakp4(Rakp4),
}

enum Stage {
    Open,
    Rakp2 {
        bmc_sid: u32,
        rm: [u8; 16],
        role: u8,
    },
    Rakp4 {
        input: RakpInput,
    },
}

/// One RMCP+ login with one cipher suite.
pub(crate) struct RmcppLogin {
    suite: CipherSuite,
    console_sid: u32,
    /// The tag of the request in flight (its reply carries it back).
    tag: u8,
    stage: Stage,
}

/// A session-setup reply: an RMCP+ packet of payload type `ty` (`what` names it) whose payload
/// `parse` turns into the answer (`Some`) or finds to belong to another request (`None`).
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

fn setup_packet(what: &'static str, payload_type: u8, payload: &[u8]) -> Outgoing {
    Outgoing {
        what,
        packet: packet::encode_v20(payload_type, 0, 0, payload, None, [0; 16]),
    }
}

impl RmcppLogin {
    /// Start with an Open Session Request for `suite`.
    pub fn start(
        cfg: &Config,
        suite: CipherSuite,
        rng: &mut dyn Random,
        seq: &mut RqSeq,
    ) -> Result<(RmcppLogin, Outgoing), Error> {
        let console_sid = random::nonzero_u32(rng, "console session ID")?;
        let tag = seq.next();
        let osr = rmcpplus::open_session_request(tag, cfg.privilege as u8, console_sid, &suite);
        let login = RmcppLogin {
            suite,
            console_sid,
            tag,
            stage: Stage::Open,
        };
        Ok((
            login,
            setup_packet(
                "Open Session Request",
                packet::PAYLOAD_OPEN_SESSION_REQ,
                &osr,
            ),
        ))
    }

    /// Whether a datagram answers the request in flight. A reply with our tag but another
    /// console session ID is an old attempt's, unless it is an error status (the BMC may not
    /// echo the ID then).
    pub fn accept(&self, buf: &[u8]) -> Accept<Reply> {
        let (tag, sid) = (self.tag, self.console_sid);
        let ours = |t: u8, s: u32, status: u8| t == tag && (s == sid || status != 0);
        match self.stage {
            Stage::Open => setup_reply(
                buf,
                packet::PAYLOAD_OPEN_SESSION_RSP,
                "an Open Session Response",
                |p| {
                    OpenSessionResponse::parse(p)
                        .map(|r| ours(r.tag, r.console_sid, r.status).then_some(Reply::Open(r)))
                },
            ),
            Stage::Rakp2 { .. } => {
                setup_reply(buf, packet::PAYLOAD_RAKP2, "a RAKP Message 2", |p| {
                    Rakp2::parse(p, self.suite.auth.hmac_len())
                        .map(|r| ours(r.tag, r.console_sid, r.status).then_some(Reply::Rakp2(r)))
                })
            }
            Stage::Rakp4 { .. } => {
                setup_reply(buf, packet::PAYLOAD_RAKP4, "a RAKP Message 4", |p| {
                    Rakp4::parse(p, self.suite.auth.icv_len())
                        .map(|r| ours(r.tag, r.console_sid, r.status).then_some(Reply::Rakp4(r)))
                })
            }
        }
    }

    /// Take the reply to the request in flight.
    pub fn advance(
        &mut self,
        reply: Reply,
        cfg: &Config,
        rng: &mut dyn Random,
        seq: &mut RqSeq,
    ) -> Result<Step<Framing>, Error> {
        let suite = self.suite;
        match (&self.stage, reply) {
            (Stage::Open, Reply::Open(r)) => {
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
                                cfg.privilege.name()
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
                let rm = random::bytes::<16>(rng, "RAKP console random number")?;
                let role = 0x10 | cfg.privilege as u8;
                self.tag = seq.next();
                let r1 = rmcpplus::rakp1(self.tag, r.bmc_sid, &rm, role, cfg.username.as_bytes());
                self.stage = Stage::Rakp2 {
                    bmc_sid: r.bmc_sid,
                    rm,
                    role,
                };
                Ok(Step::Send(setup_packet(
                    "RAKP Message 1",
                    packet::PAYLOAD_RAKP1,
                    &r1,
                )))
            }
            (&Stage::Rakp2 { bmc_sid, rm, role }, Reply::Rakp2(r2)) => {
                if r2.status != 0 {
                    let text = rmcpplus::status_text(r2.status);
                    return Err(match r2.status {
                        0x0d | 0x0c => err(
                            ErrorKind::Auth,
                            format!(
                                "login refused: the BMC does not know user {:?} ({text})",
                                cfg.username
                            ),
                        ),
                        0x09..=0x0b => err(
                            ErrorKind::Privilege,
                            format!(
                                "user {:?} may not use privilege level {}: {text}",
                                cfg.username,
                                cfg.privilege.name()
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
                    console_sid: self.console_sid,
                    bmc_sid,
                    console_rand: rm,
                    bmc_rand: r2.bmc_rand,
                    bmc_guid: r2.bmc_guid,
                    role,
                    username: cfg.username.clone().into_bytes(),
                };
                let kuid = cfg.password.expose().as_bytes();
                if suite.auth != AuthAlg::None
                    && !crypto::ct_eq(&input.rakp2_auth_code(suite.auth, kuid), &r2.auth_code)
                {
                    // Tell the BMC, so that it frees the session slot at once.
                    let nack = rmcpplus::rakp3(seq.next(), 0x0f, bmc_sid, &[]);
                    return Ok(Step::Abort {
                        packet: setup_packet("RAKP Message 3", packet::PAYLOAD_RAKP3, &nack)
                            .packet,
                        error: err(
                            ErrorKind::Auth,
                            format!(
                                "login refused: wrong password for user {:?} (the BMC's RAKP 2 does not verify)",
                                cfg.username
                            ),
                        ),
                    });
                }
                let code3 = input.rakp3_auth_code(suite.auth, kuid);
                self.tag = seq.next();
                let r3 = rmcpplus::rakp3(self.tag, 0, bmc_sid, &code3);
                self.stage = Stage::Rakp4 { input };
                Ok(Step::Send(setup_packet(
                    "RAKP Message 3",
                    packet::PAYLOAD_RAKP3,
                    &r3,
                )))
            }
            (Stage::Rakp4 { input }, Reply::Rakp4(r4)) => {
                if r4.status != 0 {
                    let text = rmcpplus::status_text(r4.status);
                    return Err(match r4.status {
                        0x0f | 0x02 => err(
                            ErrorKind::Auth,
                            format!(
                                "login refused: the BMC rejected our RAKP 3 for user {:?} ({text}: wrong password?)",
                                cfg.username
                            ),
                        ),
                        0x09..=0x0b => err(
                            ErrorKind::Privilege,
                            format!(
                                "privilege level {} refused: {text}",
                                cfg.privilege.name()
                            ),
                        ),
                        _ => err(ErrorKind::Protocol, format!("RAKP 4 refused: {text}")),
                    });
                }
                let kuid = cfg.password.expose().as_bytes();
                let kg = cfg.kg.as_deref().unwrap_or(kuid);
                let sik = input.sik(suite.auth, kg);
                if suite.auth != AuthAlg::None
                    && !crypto::ct_eq(&input.rakp4_icv(suite.auth, &sik), &r4.icv)
                {
                    return Err(err(
                        ErrorKind::Kg,
                        if cfg.kg.is_some() {
                            "login refused: the BMC key (hexadecimal_kg) does not match the BMC's (RAKP 4 does not verify)"
                        } else {
                            "login refused: the BMC requires a BMC key (hexadecimal_kg) (RAKP 4 does not verify)"
                        },
                    ));
                }
                Ok(Step::Done(Framing::V20 {
                    suite,
                    keys: SessionKeys::derive(suite.auth, sik, kuid),
                    bmc_sid: input.bmc_sid,
                    console_sid: self.console_sid,
                    seq: 0,
                }))
            }
            _ => Err(err(
                ErrorKind::Protocol,
                "internal error: a session-setup reply out of order",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The login against a BMC computed here, message by message, with deterministic
    //! randomness: no socket, no clock.
    use super::*;
    use crate::client::random::testing::Counter;
    use crate::client::Interface;
    use crate::msg::Privilege;
    use crate::packet::Security;
    use rustha_support::Secret;

    fn cfg(password: &str, kg: Option<&[u8]>) -> Config {
        let mut c = Config::new("bmc", Interface::LanPlus { cipher: None });
        c.username = "admin".into();
        c.password = Secret::new(password.to_string());
        c.kg = kg.map(<[u8]>::to_vec);
        c
    }

    /// The BMC's side of the handshake.
    struct Bmc {
        password: &'static [u8],
        kg: Option<&'static [u8]>,
        input: Option<RakpInput>,
        suite: CipherSuite,
        keys: Option<SessionKeys>,
    }

    fn payload(pkt: &[u8], ty: u8) -> Vec<u8> {
        let p = V20Packet::parse(pkt).unwrap();
        assert_eq!(p.payload_type, ty);
        p.payload
    }

    fn reply(ty: u8, payload: &[u8]) -> Vec<u8> {
        packet::encode_v20(ty, 0, 0, payload, None, [0; 16])
    }

    const BMC_SID: u32 = 0x0201;

    impl Bmc {
        fn new(suite: u8, password: &'static [u8], kg: Option<&'static [u8]>) -> Bmc {
            Bmc {
                password,
                kg,
                input: None,
                suite: CipherSuite::from_id(suite).unwrap(),
                keys: None,
            }
        }

        /// The BMC's answer to each request we send.
        fn answer(&mut self, pkt: &[u8]) -> Vec<u8> {
            let p = V20Packet::parse(pkt).unwrap();
            let pl = p.payload;
            match p.payload_type {
                packet::PAYLOAD_OPEN_SESSION_REQ => {
                    let mut r = vec![pl[0], 0, 4, 0];
                    r.extend_from_slice(&pl[4..8]);
                    r.extend_from_slice(&BMC_SID.to_le_bytes());
                    r.extend_from_slice(&pl[8..32]);
                    reply(packet::PAYLOAD_OPEN_SESSION_RSP, &r)
                }
                packet::PAYLOAD_RAKP1 => {
                    let mut rm = [0u8; 16];
                    rm.copy_from_slice(&pl[8..24]);
                    let input = RakpInput {
                        console_sid: 0x0403_0201,
                        bmc_sid: BMC_SID,
                        console_rand: rm,
                        bmc_rand: [0x42; 16],
                        bmc_guid: [0x5a; 16],
                        role: pl[24],
                        username: pl[28..].to_vec(),
                    };
                    let mut r = vec![pl[0], 0, 0, 0];
                    r.extend_from_slice(&input.console_sid.to_le_bytes());
                    r.extend_from_slice(&input.bmc_rand);
                    r.extend_from_slice(&input.bmc_guid);
                    r.extend(input.rakp2_auth_code(self.suite.auth, self.password));
                    self.input = Some(input);
                    reply(packet::PAYLOAD_RAKP2, &r)
                }
                packet::PAYLOAD_RAKP3 => {
                    let input = self.input.as_ref().unwrap();
                    assert_eq!(
                        pl[8..],
                        input.rakp3_auth_code(self.suite.auth, self.password)[..]
                    );
                    let sik = input.sik(self.suite.auth, self.kg.unwrap_or(self.password));
                    let mut r = vec![pl[0], 0, 0, 0];
                    r.extend_from_slice(&input.console_sid.to_le_bytes());
                    r.extend(input.rakp4_icv(self.suite.auth, &sik));
                    self.keys = Some(SessionKeys::derive(self.suite.auth, sik, self.password));
                    reply(packet::PAYLOAD_RAKP4, &r)
                }
                t => panic!("unexpected payload type {t:#x}"),
            }
        }
    }

    /// Run the login to its end: the final step, and every packet we sent.
    fn login(
        cfg: &Config,
        bmc: &mut Bmc,
        rng: &mut Counter,
    ) -> (Result<Step<Framing>, Error>, Vec<Vec<u8>>) {
        let mut seq = RqSeq::default();
        let (mut l, mut out) = match RmcppLogin::start(cfg, bmc.suite, rng, &mut seq) {
            Ok(x) => x,
            Err(e) => return (Err(e), vec![]),
        };
        let mut sent = vec![];
        loop {
            sent.push(out.packet.clone());
            let answer = bmc.answer(&out.packet);
            let Accept::Done(r) = l.accept(&answer) else {
                panic!("reply to {} not accepted", out.what)
            };
            match l.advance(r, cfg, rng, &mut seq) {
                Ok(Step::Send(next)) => out = next,
                other => return (other, sent),
            }
        }
    }

    #[test]
    fn login_derives_the_keys_the_bmc_derives() {
        for id in [3u8, 17, 8, 2, 1, 15] {
            let mut bmc = Bmc::new(id, b"secret", None);
            let (step, sent) = login(&cfg("secret", None), &mut bmc, &mut Counter::new());
            let Ok(Step::Done(mut framing)) = step else {
                panic!("suite {id}: {step:?}")
            };
            assert_eq!(sent.len(), 3, "Open Session, RAKP 1, RAKP 3");
            // The console session ID and the RAKP nonce come from the random source.
            assert_eq!(
                &payload(&sent[0], packet::PAYLOAD_OPEN_SESSION_REQ)[4..8],
                [1, 2, 3, 4]
            );
            let rakp1 = payload(&sent[1], packet::PAYLOAD_RAKP1);
            assert_eq!(rakp1[8..24], (5..=20).collect::<Vec<u8>>()[..]);
            assert_eq!(rakp1[24], 0x10 | Privilege::Administrator as u8);
            // A message sealed in the session opens with the BMC's keys.
            let pkt = framing.seal(b"chassis", b"", &mut Counter::new()).unwrap();
            let keys = bmc.keys.as_ref().unwrap();
            let plain = V20Packet::parse(&pkt)
                .unwrap()
                .open(
                    &pkt,
                    Security {
                        keys,
                        integrity: bmc.suite.integrity,
                        conf: bmc.suite.conf,
                    },
                )
                .unwrap();
            assert_eq!(plain, b"chassis", "suite {id}");
        }
    }

    #[test]
    fn wrong_password_aborts_and_tells_the_bmc() {
        let mut bmc = Bmc::new(17, b"other", None);
        let (step, _) = login(&cfg("secret", None), &mut bmc, &mut Counter::new());
        let Ok(Step::Abort { packet, error }) = step else {
            panic!("{step:?}")
        };
        assert_eq!(error.kind, ErrorKind::Auth);
        assert_eq!(
            error.message,
            "login refused: wrong password for user \"admin\" (the BMC's RAKP 2 does not verify)"
        );
        let nack = payload(&packet, packet::PAYLOAD_RAKP3);
        assert_eq!((nack[1], &nack[4..8]), (0x0f, &BMC_SID.to_le_bytes()[..]));
    }

    #[test]
    fn a_bmc_key_mismatch_is_named() {
        let mut bmc = Bmc::new(3, b"secret", Some(b"kg-of-the-bmc"));
        let (step, _) = login(&cfg("secret", None), &mut bmc, &mut Counter::new());
        let Err(e) = step else { panic!("{step:?}") };
        assert_eq!(e.kind, ErrorKind::Kg);
        assert!(e.message.contains("requires a BMC key"), "{e}");
        let mut bmc = Bmc::new(3, b"secret", Some(b"kg-of-the-bmc"));
        let (step, _) = login(
            &cfg("secret", Some(b"kg-of-the-bmc")),
            &mut bmc,
            &mut Counter::new(),
        );
        assert!(matches!(step, Ok(Step::Done(_))), "{step:?}");
    }

    #[test]
    fn replies_to_other_requests_are_not_taken() {
        let c = cfg("secret", None);
        let suite = CipherSuite::from_id(3).unwrap();
        let mut seq = RqSeq::default();
        let (l, out) = RmcppLogin::start(&c, suite, &mut Counter::new(), &mut seq).unwrap();
        let mut good = Bmc::new(3, b"secret", None).answer(&out.packet);
        assert!(matches!(l.accept(&good), Accept::Done(Reply::Open(_))));
        // An older attempt's tag, then another console session ID: not ours.
        let tag_at = 16;
        good[tag_at] ^= 0x01;
        assert!(matches!(l.accept(&good), Accept::Ignore));
        good[tag_at] ^= 0x01;
        good[16 + 4] ^= 0xff;
        assert!(matches!(l.accept(&good), Accept::Ignore));
        // A RAKP 2 where an Open Session Response is due, and garbage.
        let wrong = reply(packet::PAYLOAD_RAKP2, &[1, 0, 0, 0, 1, 2, 3, 4]);
        assert!(matches!(l.accept(&wrong), Accept::Bad(w) if w == "not an Open Session Response"));
        assert!(matches!(l.accept(b"\x06\x00\xff"), Accept::Bad(_)));
    }

    #[test]
    fn refusals_are_classified() {
        let c = cfg("secret", None);
        let suite = CipherSuite::from_id(17).unwrap();
        for (status, kind, text) in [
            (0x11, ErrorKind::Cipher, "the BMC refuses cipher suite 17: "),
            (
                0x09,
                ErrorKind::Privilege,
                "the BMC refuses privilege level administrator: ",
            ),
            (0x01, ErrorKind::Protocol, "Open Session refused: "),
        ] {
            let mut seq = RqSeq::default();
            let (mut l, _) = RmcppLogin::start(&c, suite, &mut Counter::new(), &mut seq).unwrap();
            // An error status may come with only the tag and status (ipmi_sim).
            let Accept::Done(r) = l.accept(&reply(packet::PAYLOAD_OPEN_SESSION_RSP, &[1, status]))
            else {
                panic!("status {status:#x} not taken")
            };
            let e = l.advance(r, &c, &mut Counter::new(), &mut seq).unwrap_err();
            assert_eq!(e.kind, kind);
            assert!(e.message.starts_with(text), "{e}");
        }
    }

    /// Issue 13 item 11: no session randomness, no session.
    #[test]
    fn a_failing_random_source_fails_the_login() {
        let c = cfg("secret", None);
        let mut bmc = Bmc::new(3, b"secret", None);
        let (step, sent) = login(&c, &mut bmc, &mut Counter::failing_after(0));
        let Err(e) = step else { panic!("{step:?}") };
        assert!(sent.is_empty());
        assert_eq!(e.kind, ErrorKind::Random);
        assert!(e
            .message
            .starts_with("cannot draw random bytes for the console session ID"));
        let (step, sent) = login(&c, &mut bmc, &mut Counter::failing_after(1));
        let Err(e) = step else { panic!("{step:?}") };
        assert_eq!(sent.len(), 1, "stopped before RAKP 1");
        assert!(
            e.message
                .starts_with("cannot draw random bytes for the RAKP console random number"),
            "{e}"
        );
    }

    #[test]
    fn suites_to_try() {
        let ids = |r: Result<Vec<CipherSuite>, Error>| {
            r.unwrap().iter().map(|s| s.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(candidates(Some(17), None)), [17]);
        let e = candidates(Some(4), None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert_eq!(ids(candidates(None, None)), [3, 17, 2, 1]);
        let rec = |id: u8| {
            let s = CipherSuite::from_id(id).unwrap();
            SuiteRecord {
                id,
                auth: s.auth as u8,
                integrity: Some(s.integrity as u8),
                conf: Some(s.conf as u8),
            }
        };
        assert_eq!(
            ids(candidates(None, Some(&[rec(1), rec(3), rec(17)]))),
            [17, 3, 1]
        );
        let e = candidates(None, Some(&[rec(0)])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Cipher);
        assert!(e.message.contains("it offers [0]"), "{e}");
    }
}
