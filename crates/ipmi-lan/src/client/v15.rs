// SPDX-License-Identifier: GPL-2.0-or-later
//! IPMI 1.5 session setup (`lan`) as a state machine without I/O: Get Channel Authentication
//! Capabilities (picking the auth type), Get Session Challenge, Activate Session. The driver
//! sends `Outgoing` packets, feeds replies to `accept` and accepted ones to `advance`.

use super::error::{err, Error, ErrorKind};
use super::framing::Framing;
use super::login::{Outgoing, RqSeq, Step};
use super::random::{self, Random};
use super::transport::Accept;
use super::Config;
use crate::msg::{self, AuthType, Request, Response};
use crate::packet::{self, V15Packet};

enum Stage {
    Caps,
    Challenge { auth: AuthType },
    Activate { auth: AuthType },
}

pub(crate) struct V15Login {
    want: Option<AuthType>,
    stage: Stage,
    /// The request awaiting its response, and its sequence number.
    req: Request,
    rq_seq: u8,
}

impl V15Login {
    /// Start with Get Channel Authentication Capabilities. `want`: the auth type asked for, or
    /// None for the strongest the BMC offers.
    pub fn start(cfg: &Config, want: Option<AuthType>, seq: &mut RqSeq) -> (V15Login, Outgoing) {
        let mut login = V15Login {
            want,
            stage: Stage::Caps,
            req: msg::get_channel_auth_caps(cfg.privilege, false),
            rq_seq: 0,
        };
        let out = login.sessionless("Get Channel Authentication Capabilities", seq);
        (login, out)
    }

    /// `self.req` outside a session, with a new sequence number.
    fn sessionless(&mut self, what: &'static str, seq: &mut RqSeq) -> Outgoing {
        self.rq_seq = seq.next();
        let body = self
            .req
            .encode(msg::BMC_ADDR, msg::CONSOLE_ADDR, self.rq_seq);
        Outgoing {
            what,
            packet: packet::encode_v15(AuthType::None, b"", 0, 0, &body),
        }
    }

    /// Whether a datagram answers the request in flight.
    pub fn accept(&self, buf: &[u8]) -> Accept<Response> {
        let p = match V15Packet::parse(buf) {
            Ok(p) => p,
            Err(e) => return e.into(),
        };
        // Activate Session is answered in the new session; the others outside any.
        if !matches!(self.stage, Stage::Activate { .. }) && p.session_id != 0 {
            return Accept::Bad("session ID outside a session is not 0".into());
        }
        match Response::parse(&p.msg) {
            Ok(r) if r.answers(&self.req, self.rq_seq) => Accept::Done(r),
            Ok(_) => Accept::Ignore,
            Err(e) => e.into(),
        }
    }

    /// The exchange failed: BMCs drop an Activate Session whose AuthCode does not verify, so
    /// silence there means a wrong password.
    pub fn exchange_failed(&self, e: Error, cfg: &Config) -> Error {
        match self.stage {
            Stage::Activate { auth } if e.kind == ErrorKind::Timeout => err(
                ErrorKind::Auth,
                format!(
                    "login refused: no answer to Activate Session for user {:?} with auth {} (wrong password?)",
                    cfg.username,
                    auth.name()
                ),
            ),
            _ => e,
        }
    }

    /// Take the response to the request in flight.
    pub fn advance(
        &mut self,
        r: Response,
        cfg: &Config,
        rng: &mut dyn Random,
        seq: &mut RqSeq,
    ) -> Result<Step<(Framing, AuthType)>, Error> {
        match self.stage {
            Stage::Caps => {
                let auth = self.choose_auth(&r, cfg)?;
                self.stage = Stage::Challenge { auth };
                self.req = msg::get_session_challenge(auth, cfg.username.as_bytes());
                Ok(Step::Send(self.sessionless("Get Session Challenge", seq)))
            }
            Stage::Challenge { auth } => {
                match r.completion {
                    0 => {}
                    0x81 | 0x82 => {
                        return Err(err(
                            ErrorKind::Auth,
                            format!(
                                "login refused: the BMC does not know user {:?} (Get Session Challenge: {})",
                                cfg.username,
                                msg::completion_text(r.completion)
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
                let ch = msg::Challenge::parse(&r.data)
                    .map_err(|e| err(ErrorKind::Protocol, e.to_string()))?;
                let out_seq = random::nonzero_u32(rng, "session's first outbound sequence number")?;
                self.stage = Stage::Activate { auth };
                self.req = msg::activate_session(auth, cfg.privilege, &ch.challenge, out_seq);
                self.rq_seq = seq.next();
                let body = self
                    .req
                    .encode(msg::BMC_ADDR, msg::CONSOLE_ADDR, self.rq_seq);
                Ok(Step::Send(Outgoing {
                    what: "Activate Session",
                    packet: packet::encode_v15(
                        auth,
                        cfg.password.expose().as_bytes(),
                        ch.temp_session_id,
                        0,
                        &body,
                    ),
                }))
            }
            Stage::Activate { auth } => {
                match r.completion {
                    0 => {}
                    0x81..=0x85 if r.completion != 0x83 => {
                        return Err(err(
                            ErrorKind::Auth,
                            format!(
                                "login refused for user {:?}: {} (Activate Session)",
                                cfg.username,
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
                let a = msg::Activated::parse(&r.data)
                    .map_err(|e| err(ErrorKind::Protocol, e.to_string()))?;
                let auth = AuthType::from_u8(a.auth).unwrap_or(auth);
                Ok(Step::Done((
                    Framing::V15 {
                        auth,
                        session_id: a.session_id,
                        seq: a.inbound_seq.max(1),
                    },
                    auth,
                )))
            }
        }
    }

    fn choose_auth(&self, r: &Response, cfg: &Config) -> Result<AuthType, Error> {
        if r.completion != 0 {
            return Err(err(
                ErrorKind::Protocol,
                format!(
                    "Get Channel Authentication Capabilities failed: {}",
                    msg::completion_text(r.completion)
                ),
            ));
        }
        let caps =
            msg::AuthCaps::parse(&r.data).map_err(|e| err(ErrorKind::Protocol, e.to_string()))?;
        match self.want {
            Some(AuthType::Md2) => Err(err(
                ErrorKind::Cipher,
                "auth type md2 is not supported; use md5",
            )),
            Some(a) if caps.supports(a) => Ok(a),
            Some(a) => Err(err(
                ErrorKind::Cipher,
                format!(
                    "the BMC does not offer auth type {} for privilege {} (it offers: {})",
                    a.name(),
                    cfg.privilege.name(),
                    offered_auth(&caps)
                ),
            )),
            None => [AuthType::Md5, AuthType::Password, AuthType::None]
                .into_iter()
                .find(|a| caps.supports(*a))
                .ok_or_else(|| {
                    err(
                        ErrorKind::Cipher,
                        format!(
                            "the BMC offers no auth type we support for privilege {} (md5, password, none)",
                            cfg.privilege.name()
                        ),
                    )
                }),
        }
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

#[cfg(test)]
mod tests {
    //! The login against BMC answers built here: no socket, no clock.
    use super::*;
    use crate::client::random::testing::Counter;
    use crate::client::Interface;
    use crate::crypto;
    use rustha_support::Secret;

    fn cfg(want: Option<AuthType>) -> (Config, Option<AuthType>) {
        let mut c = Config::new("bmc", Interface::Lan { auth: want });
        c.username = "admin".into();
        c.password = Secret::new("secret");
        (c, want)
    }

    /// Our request inside a packet: (session ID, rq_seq, cmd, data).
    fn request(pkt: &[u8]) -> (u32, u8, u8, Vec<u8>) {
        let p = V15Packet::parse(pkt).unwrap();
        let m = &p.msg;
        (p.session_id, m[4] >> 2, m[5], m[6..m.len() - 1].to_vec())
    }

    /// The BMC's response to the request in `pkt`, in a packet of session `sid`.
    fn answer(pkt: &[u8], sid: u32, completion: u8, data: &[u8]) -> Vec<u8> {
        let (_, rq_seq, cmd, _) = request(pkt);
        respond(rq_seq, cmd, sid, completion, data)
    }

    fn respond(rq_seq: u8, cmd: u8, sid: u32, completion: u8, data: &[u8]) -> Vec<u8> {
        let r = Response {
            rq_addr: msg::CONSOLE_ADDR,
            netfn: msg::NETFN_APP | 1,
            rs_addr: msg::BMC_ADDR,
            rq_seq,
            cmd,
            completion,
            data: data.to_vec(),
        };
        packet::encode_v15(AuthType::None, b"", sid, 0, &r.encode())
    }

    /// none, md5 and password offered.
    const CAPS: [u8; 8] = [1, 0x15, 0x04, 0, 0, 0, 0, 0];
    const CHALLENGE: [u8; 20] = [
        0x78, 0x56, 0x34, 0x12, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    ];

    fn step(
        l: &mut V15Login,
        c: &Config,
        reply: &[u8],
        seq: &mut RqSeq,
        rng: &mut Counter,
    ) -> Result<Step<(Framing, AuthType)>, Error> {
        let Accept::Done(r) = l.accept(reply) else {
            panic!("reply not accepted")
        };
        l.advance(r, c, rng, seq)
    }

    #[test]
    fn login_picks_md5_and_activates_the_session() {
        let (c, want) = cfg(None);
        let mut seq = RqSeq::default();
        let mut rng = Counter::new();
        let (mut l, out) = V15Login::start(&c, want, &mut seq);
        assert_eq!(out.what, "Get Channel Authentication Capabilities");
        assert_eq!(request(&out.packet).2, msg::CMD_GET_CHANNEL_AUTH_CAPS);
        let Step::Send(out) = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CAPS),
            &mut seq,
            &mut rng,
        )
        .unwrap() else {
            panic!()
        };
        let (_, _, cmd, data) = request(&out.packet);
        assert_eq!(
            (cmd, data[0]),
            (msg::CMD_GET_SESSION_CHALLENGE, AuthType::Md5 as u8)
        );
        assert_eq!(&data[1..6], b"admin");
        let Step::Send(out) = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CHALLENGE),
            &mut seq,
            &mut rng,
        )
        .unwrap() else {
            panic!()
        };
        // Activate Session: in the temporary session, with an MD5 AuthCode over the password,
        // the challenge echoed and our first sequence number drawn from the random source.
        assert_eq!(out.what, "Activate Session");
        let p = V15Packet::parse(&out.packet).unwrap();
        assert_eq!((p.session_id, p.auth), (0x1234_5678, AuthType::Md5 as u8));
        let want_code = crypto::md5_auth_code(b"secret", p.session_id, &p.msg, p.seq);
        assert_eq!(p.auth_code, Some(want_code));
        let (_, _, cmd, data) = request(&out.packet);
        assert_eq!(cmd, msg::CMD_ACTIVATE_SESSION);
        assert_eq!(data[2..18], [9; 16]);
        assert_eq!(data[18..22], [1, 2, 3, 4]);
        let activated = [AuthType::Md5 as u8, 0x21, 0x43, 0, 0, 7, 0, 0, 0, 4];
        let done = step(
            &mut l,
            &c,
            &answer(&out.packet, 0x4321, 0, &activated),
            &mut seq,
            &mut rng,
        )
        .unwrap();
        let Step::Done((framing, auth)) = done else {
            panic!("{done:?}")
        };
        assert_eq!(auth, AuthType::Md5);
        assert!(matches!(
            framing,
            Framing::V15 {
                auth: AuthType::Md5,
                session_id: 0x4321,
                seq: 7
            }
        ));
    }

    #[test]
    fn auth_type_choice() {
        for (want, caps, msg_start) in [
            (Some(AuthType::Md2), CAPS, "auth type md2 is not supported; use md5"),
            (
                Some(AuthType::Password),
                [1, 0x05, 0x04, 0, 0, 0, 0, 0],
                "the BMC does not offer auth type password for privilege administrator (it offers: none, md5)",
            ),
            (
                None,
                [1, 0x02, 0x04, 0, 0, 0, 0, 0],
                "the BMC offers no auth type we support for privilege administrator",
            ),
        ] {
            let (c, want) = cfg(want);
            let mut seq = RqSeq::default();
            let (mut l, out) = V15Login::start(&c, want, &mut seq);
            let e = step(&mut l, &c, &answer(&out.packet, 0, 0, &caps), &mut seq, &mut Counter::new())
                .unwrap_err();
            assert_eq!(e.kind, ErrorKind::Cipher);
            assert!(e.message.starts_with(msg_start), "{e}");
        }
    }

    #[test]
    fn unknown_user_silence_and_strays() {
        let (c, want) = cfg(None);
        let mut seq = RqSeq::default();
        let mut rng = Counter::new();
        let (mut l, out) = V15Login::start(&c, want, &mut seq);
        // Outside a session, a reply with a session ID is refused; one to another request is
        // ignored.
        assert!(matches!(
            l.accept(&answer(&out.packet, 5, 0, &CAPS)),
            Accept::Bad(_)
        ));
        let (_, rq_seq, cmd, _) = request(&out.packet);
        let stray = respond(rq_seq + 1, cmd, 0, 0, &CAPS);
        assert!(matches!(l.accept(&stray), Accept::Ignore));
        let Step::Send(out) = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CAPS),
            &mut seq,
            &mut rng,
        )
        .unwrap() else {
            panic!()
        };
        let timeout = err(ErrorKind::Timeout, "BMC did not answer");
        assert_eq!(
            l.exchange_failed(timeout.clone(), &c).kind,
            ErrorKind::Timeout
        );
        let e = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0x81, &[]),
            &mut seq,
            &mut rng,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("does not know user \"admin\""), "{e}");
        // At Activate Session, silence means a wrong password.
        let (mut l, out) = V15Login::start(&c, want, &mut seq);
        let Step::Send(out) = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CAPS),
            &mut seq,
            &mut rng,
        )
        .unwrap() else {
            panic!()
        };
        step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CHALLENGE),
            &mut seq,
            &mut rng,
        )
        .unwrap();
        let e = l.exchange_failed(timeout, &c);
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("(wrong password?)"), "{e}");
    }

    /// Issue 13 item 11: the session's first sequence number must be random; without a random
    /// source the login stops before Activate Session.
    #[test]
    fn a_failing_random_source_fails_the_login() {
        let (c, want) = cfg(None);
        let mut seq = RqSeq::default();
        let mut rng = Counter::failing_after(0);
        let (mut l, out) = V15Login::start(&c, want, &mut seq);
        let Step::Send(out) = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CAPS),
            &mut seq,
            &mut rng,
        )
        .unwrap() else {
            panic!()
        };
        let e = step(
            &mut l,
            &c,
            &answer(&out.packet, 0, 0, &CHALLENGE),
            &mut seq,
            &mut rng,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Random);
        assert!(
            e.message.starts_with(
                "cannot draw random bytes for the session's first outbound sequence number"
            ),
            "{e}"
        );
    }
}
