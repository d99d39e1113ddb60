// SPDX-License-Identifier: GPL-2.0-or-later
//! How an IPMI message travels in the current session, without I/O: outside a session, in an
//! IPMI 1.5 session (AuthCode, sequence number) or in an RMCP+ session (integrity trailer,
//! AES-CBC-128 with a fresh random IV per packet).

use super::error::Error;
use super::random::{self, Random};
use crate::crypto::{self, SessionKeys};
use crate::msg::AuthType;
use crate::packet::{self, Security, V15Packet, V20Packet};
use crate::rmcpplus::CipherSuite;

/// The session a message travels in.
pub(crate) enum Framing {
    /// Outside a session.
    None { ipmi20: bool },
    V15 {
        auth: AuthType,
        session_id: u32,
        /// The sequence number of the next packet.
        seq: u32,
    },
    V20 {
        suite: CipherSuite,
        keys: SessionKeys,
        bmc_sid: u32,
        console_sid: u32,
        /// The sequence number of the last packet sent.
        seq: u32,
    },
}

/// Without the keys.
impl std::fmt::Debug for Framing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Framing::None { ipmi20 } => write!(f, "None {{ ipmi20: {ipmi20} }}"),
            Framing::V15 {
                auth, session_id, ..
            } => write!(f, "V15 {{ auth: {auth:?}, session_id: {session_id:08x} }}"),
            Framing::V20 { suite, bmc_sid, .. } => {
                write!(f, "V20 {{ suite: {}, bmc_sid: {bmc_sid:08x} }}", suite.id)
            }
        }
    }
}

impl Framing {
    /// The session ID the BMC knows the session by, inside one.
    pub fn bmc_session_id(&self) -> Option<u32> {
        match self {
            Framing::None { .. } => None,
            Framing::V15 { session_id, .. } => Some(*session_id),
            Framing::V20 { bmc_sid, .. } => Some(*bmc_sid),
        }
    }

    pub fn in_session(&self) -> bool {
        !matches!(self, Framing::None { .. })
    }

    /// The packet carrying `msg` (an encoded IPMI request); advances the sequence number. Called
    /// again for every retransmission, so each copy has its own sequence number and IV.
    pub fn seal(
        &mut self,
        msg: &[u8],
        password: &[u8],
        rng: &mut dyn Random,
    ) -> Result<Vec<u8>, Error> {
        Ok(match self {
            // Session-less requests go in IPMI 1.5 framing even for lanplus, as ipmitool sends
            // them: BMCs (ipmi_sim among them) do not all answer the RMCP+ form.
            Framing::None { .. } => packet::encode_v15(AuthType::None, b"", 0, 0, msg),
            Framing::V15 {
                auth,
                session_id,
                seq,
            } => {
                let s = *seq;
                *seq = seq.wrapping_add(1).max(1);
                packet::encode_v15(*auth, password, *session_id, s, msg)
            }
            Framing::V20 {
                suite,
                keys,
                bmc_sid,
                seq,
                ..
            } => {
                *seq = seq.wrapping_add(1).max(1);
                let iv = if suite.conf == crypto::ConfAlg::AesCbc128 {
                    random::bytes::<16>(rng, "AES-CBC initialisation vector")?
                } else {
                    [0; 16]
                };
                packet::encode_v20(
                    packet::PAYLOAD_IPMI,
                    *bmc_sid,
                    *seq,
                    msg,
                    Some(Security {
                        keys,
                        integrity: suite.integrity,
                        conf: suite.conf,
                    }),
                    iv,
                )
            }
        })
    }

    /// The IPMI message in a received packet, if the packet belongs to this session and
    /// verifies; otherwise why not.
    pub fn open(&self, buf: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            Framing::None { ipmi20: true } if !packet::is_rmcpp(buf) => {
                match V15Packet::parse(buf) {
                    Ok(p) if p.session_id == 0 => Ok(p.msg),
                    Ok(_) => Err("session ID outside a session is not 0".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
            Framing::None { ipmi20: false } | Framing::V15 { .. } => {
                let p = V15Packet::parse(buf).map_err(|e| e.to_string())?;
                if let Framing::V15 {
                    session_id, auth, ..
                } = self
                {
                    if p.session_id != *session_id {
                        return Err("session ID is not ours".into());
                    }
                    if *auth == AuthType::Md5 && p.auth == AuthType::Md5 as u8 {
                        let want = crypto::md5_auth_code(password, p.session_id, &p.msg, p.seq);
                        if !p.auth_code.is_some_and(|c| crypto::ct_eq(&c, &want)) {
                            return Err("AuthCode does not verify".into());
                        }
                    }
                } else if p.session_id != 0 {
                    return Err("session ID outside a session is not 0".into());
                }
                Ok(p.msg)
            }
            Framing::None { ipmi20: true } => {
                let p = V20Packet::parse(buf).map_err(|e| e.to_string())?;
                if p.payload_type != packet::PAYLOAD_IPMI || p.encrypted || p.authenticated {
                    return Err("not a session-less IPMI payload".into());
                }
                Ok(p.payload)
            }
            Framing::V20 {
                suite,
                keys,
                console_sid,
                ..
            } => {
                let p = V20Packet::parse(buf).map_err(|e| e.to_string())?;
                if p.payload_type != packet::PAYLOAD_IPMI {
                    return Err("not an IPMI payload".into());
                }
                if p.session_id != *console_sid {
                    return Err("session ID is not ours".into());
                }
                p.open(
                    buf,
                    Security {
                        keys,
                        integrity: suite.integrity,
                        conf: suite.conf,
                    },
                )
                .map_err(|e| e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::error::ErrorKind;
    use crate::client::random::testing::Counter;
    use crate::crypto::AuthAlg;

    fn v20(suite_id: u8) -> Framing {
        let suite = CipherSuite::from_id(suite_id).unwrap();
        Framing::V20 {
            suite,
            keys: SessionKeys::derive(AuthAlg::HmacSha1, vec![7; 20], b"secret"),
            bmc_sid: 0x0201,
            console_sid: 0x1234,
            seq: 0,
        }
    }

    /// The BMC's view of a packet we sent (it knows the same keys).
    fn bmc_opens(f: &Framing, pkt: &[u8]) -> Vec<u8> {
        let Framing::V20 { suite, keys, .. } = f else {
            panic!()
        };
        let p = V20Packet::parse(pkt).unwrap();
        p.open(
            pkt,
            Security {
                keys,
                integrity: suite.integrity,
                conf: suite.conf,
            },
        )
        .unwrap()
    }

    /// Issue 13 item 11: the IV of every encrypted packet comes from the random source; when it
    /// fails, the packet is not sent (the fallback was a clock-derived, predictable IV).
    #[test]
    fn encrypted_packets_take_their_iv_from_the_random_source_or_fail() {
        let mut f = v20(3);
        let mut rng = Counter::new();
        let pkt = f.seal(b"hello", b"", &mut rng).unwrap();
        // Payload after the 16-byte RMCP + session header: IV first.
        let iv: Vec<u8> = (1..=16).collect();
        assert_eq!(&pkt[16..32], &iv[..]);
        assert_eq!(bmc_opens(&f, &pkt), b"hello");
        let again = f.seal(b"hello", b"", &mut rng).unwrap();
        assert_ne!(again[16..32], pkt[16..32], "a retransmission reuses the IV");

        let mut failing = Counter::failing_after(0);
        let e = f.seal(b"hello", b"", &mut failing).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Random);
        assert_eq!(
            e.message,
            "cannot draw random bytes for the AES-CBC initialisation vector (Function not implemented (os error 38)); refusing to use a predictable one"
        );
    }

    /// Suites without confidentiality need no IV, so a failing random source does not matter.
    #[test]
    fn unencrypted_suites_draw_nothing() {
        let mut f = v20(2);
        let mut failing = Counter::failing_after(0);
        let pkt = f.seal(b"hi", b"", &mut failing).unwrap();
        assert_eq!(bmc_opens(&f, &pkt), b"hi");
    }

    #[test]
    fn replies_of_other_sessions_are_refused() {
        let f = v20(3);
        let Framing::V20 { suite, keys, .. } = &f else {
            panic!()
        };
        let sec = Some(Security {
            keys,
            integrity: suite.integrity,
            conf: suite.conf,
        });
        let ours = packet::encode_v20(packet::PAYLOAD_IPMI, 0x1234, 1, b"ok", sec, [9; 16]);
        assert_eq!(f.open(&ours, b"").unwrap(), b"ok");
        let theirs = packet::encode_v20(packet::PAYLOAD_IPMI, 0x9999, 1, b"ok", sec, [9; 16]);
        assert_eq!(f.open(&theirs, b"").unwrap_err(), "session ID is not ours");
        let v15 = Framing::V15 {
            auth: AuthType::Md5,
            session_id: 5,
            seq: 1,
        };
        let forged = packet::encode_v15(AuthType::Md5, b"wrong", 5, 1, b"msg");
        assert_eq!(
            v15.open(&forged, b"right").unwrap_err(),
            "AuthCode does not verify"
        );
        let good = packet::encode_v15(AuthType::Md5, b"right", 5, 1, b"msg");
        assert_eq!(v15.open(&good, b"right").unwrap(), b"msg");
        let none = Framing::None { ipmi20: false };
        assert_eq!(
            none.open(&good, b"").unwrap_err(),
            "session ID outside a session is not 0"
        );
    }
}
