// SPDX-License-Identifier: GPL-2.0-or-later
//! RMCP packets carrying IPMI 1.5 sessions and IPMI 2.0 RMCP+ sessions: encoders and parsers
//! without I/O.

use crate::crypto::{self, ConfAlg, IntegrityAlg, SessionKeys};
use crate::msg::{le16, le32, AuthType};
use crate::ParseError;

/// RMCP header: version 1.0, reserved, sequence FFh (no RMCP ACK), class IPMI.
pub const RMCP_HEADER: [u8; 4] = [0x06, 0x00, 0xff, 0x07];
/// The auth type byte that marks an RMCP+ (IPMI 2.0) session header.
pub const AUTH_RMCPP: u8 = 0x06;

pub const PAYLOAD_IPMI: u8 = 0x00;
pub const PAYLOAD_OPEN_SESSION_REQ: u8 = 0x10;
pub const PAYLOAD_OPEN_SESSION_RSP: u8 = 0x11;
pub const PAYLOAD_RAKP1: u8 = 0x12;
pub const PAYLOAD_RAKP2: u8 = 0x13;
pub const PAYLOAD_RAKP3: u8 = 0x14;
pub const PAYLOAD_RAKP4: u8 = 0x15;

fn check_rmcp(buf: &[u8]) -> Result<(), ParseError> {
    if buf.len() < 4 {
        return Err(ParseError::new(
            "RMCP header",
            "packet shorter than 4 bytes",
        ));
    }
    if buf[0] != 0x06 {
        return Err(ParseError::new("RMCP header", "version is not 06h"));
    }
    if buf[3] & 0x1f != 0x07 {
        return Err(ParseError::new("RMCP header", "message class is not IPMI"));
    }
    Ok(())
}

/// Whether an RMCP packet carries an RMCP+ session (auth type 06h) rather than IPMI 1.5.
pub fn is_rmcpp(buf: &[u8]) -> bool {
    buf.get(4) == Some(&AUTH_RMCPP)
}

// ---------------- IPMI 1.5 ----------------

/// The 16-byte AuthCode of an IPMI 1.5 packet, or `None` for auth type none.
pub fn v15_auth_code(
    auth: AuthType,
    password: &[u8],
    session_id: u32,
    seq: u32,
    msg: &[u8],
) -> Option<[u8; 16]> {
    match auth {
        AuthType::None => None,
        AuthType::Password => Some(crypto::pad16(password)),
        // MD2 is obsolete and not offered by this client; fall back to MD5's shape is wrong, so
        // callers never pass it (the client refuses it before encoding).
        AuthType::Md2 | AuthType::Md5 => {
            Some(crypto::md5_auth_code(password, session_id, msg, seq))
        }
    }
}

/// An IPMI 1.5 session packet (RMCP header, session header, message).
pub fn encode_v15(
    auth: AuthType,
    password: &[u8],
    session_id: u32,
    seq: u32,
    msg: &[u8],
) -> Vec<u8> {
    let mut p = Vec::with_capacity(30 + msg.len());
    p.extend_from_slice(&RMCP_HEADER);
    p.push(auth as u8);
    p.extend_from_slice(&seq.to_le_bytes());
    p.extend_from_slice(&session_id.to_le_bytes());
    if let Some(code) = v15_auth_code(auth, password, session_id, seq, msg) {
        p.extend_from_slice(&code);
    }
    p.push(msg.len() as u8);
    p.extend_from_slice(msg);
    p
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V15Packet {
    pub auth: u8,
    pub seq: u32,
    pub session_id: u32,
    pub auth_code: Option<[u8; 16]>,
    pub msg: Vec<u8>,
}

impl V15Packet {
    pub fn parse(buf: &[u8]) -> Result<Self, ParseError> {
        check_rmcp(buf)?;
        let h = &buf[4..];
        if h.len() < 10 {
            return Err(ParseError::new(
                "IPMI 1.5 session header",
                "shorter than 10 bytes",
            ));
        }
        let auth = h[0];
        if auth == AUTH_RMCPP {
            return Err(ParseError::new(
                "IPMI 1.5 session header",
                "is an RMCP+ (IPMI 2.0) packet",
            ));
        }
        let seq = le32(&h[1..5]);
        let session_id = le32(&h[5..9]);
        let (auth_code, rest) = if auth == 0 {
            (None, &h[9..])
        } else {
            if h.len() < 26 {
                return Err(ParseError::new(
                    "IPMI 1.5 session header",
                    "AuthCode truncated",
                ));
            }
            let mut c = [0u8; 16];
            c.copy_from_slice(&h[9..25]);
            (Some(c), &h[25..])
        };
        let (&len, body) = rest.split_first().ok_or(ParseError::new(
            "IPMI 1.5 session header",
            "no message length",
        ))?;
        let len = usize::from(len);
        // A trailing legacy pad byte is allowed; a short body is not.
        if body.len() < len {
            return Err(ParseError::new(
                "IPMI 1.5 packet",
                "message shorter than its length field",
            ));
        }
        Ok(V15Packet {
            auth,
            seq,
            session_id,
            auth_code,
            msg: body[..len].to_vec(),
        })
    }
}

// ---------------- IPMI 2.0 / RMCP+ ----------------

/// The security state a packet is encoded or checked with.
#[derive(Debug, Clone, Copy)]
pub struct Security<'a> {
    pub keys: &'a SessionKeys,
    pub integrity: IntegrityAlg,
    pub conf: ConfAlg,
}

/// An RMCP+ packet. `sec` (an established session) adds encryption and the integrity trailer as
/// the cipher suite requires; `iv` is the AES initialisation vector (random per packet).
pub fn encode_v20(
    payload_type: u8,
    session_id: u32,
    seq: u32,
    payload: &[u8],
    sec: Option<Security<'_>>,
    iv: [u8; 16],
) -> Vec<u8> {
    let mut ptype = payload_type & 0x3f;
    let body;
    let payload = match sec {
        Some(s) if s.conf == ConfAlg::AesCbc128 => {
            ptype |= 0x80;
            body = crypto::aes_encrypt(&s.keys.k2, iv, payload);
            &body[..]
        }
        _ => payload,
    };
    let authenticated = matches!(sec, Some(s) if s.integrity != IntegrityAlg::None);
    if authenticated {
        ptype |= 0x40;
    }
    let mut p = Vec::with_capacity(16 + payload.len() + 24);
    p.extend_from_slice(&RMCP_HEADER);
    p.push(AUTH_RMCPP);
    p.push(ptype);
    p.extend_from_slice(&session_id.to_le_bytes());
    p.extend_from_slice(&seq.to_le_bytes());
    p.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    p.extend_from_slice(payload);
    if let Some(s) = sec.filter(|_| authenticated) {
        // Pad with FFh so that the data from the auth type through the next header is a multiple
        // of 4 bytes, then pad length, next header (07h) and the AuthCode.
        let mut pad = 0u8;
        while (p.len() - 4 + 2) % 4 != 0 {
            p.push(0xff);
            pad += 1;
        }
        p.push(pad);
        p.push(0x07);
        let code = s.keys.integrity_code(s.integrity, &p[4..]);
        p.extend_from_slice(&code);
    }
    p
}

/// An RMCP+ packet as received, before its integrity is checked or its payload decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V20Packet {
    pub payload_type: u8,
    pub encrypted: bool,
    pub authenticated: bool,
    pub session_id: u32,
    pub seq: u32,
    pub payload: Vec<u8>,
    /// Offset (in the whole packet) just past the payload: where the integrity trailer starts.
    trailer: usize,
}

impl V20Packet {
    pub fn parse(buf: &[u8]) -> Result<Self, ParseError> {
        check_rmcp(buf)?;
        if buf.len() < 16 {
            return Err(ParseError::new(
                "RMCP+ session header",
                "packet shorter than 16 bytes",
            ));
        }
        if buf[4] != AUTH_RMCPP {
            return Err(ParseError::new(
                "RMCP+ session header",
                "auth type is not 06h (RMCP+)",
            ));
        }
        let ptype = buf[5];
        if ptype & 0x3f == 0x02 {
            return Err(ParseError::new(
                "RMCP+ session header",
                "OEM explicit payloads are not supported",
            ));
        }
        let session_id = le32(&buf[6..10]);
        let seq = le32(&buf[10..14]);
        let len = usize::from(le16(&buf[14..16]));
        let end = 16 + len;
        if buf.len() < end {
            return Err(ParseError::new(
                "RMCP+ packet",
                "payload shorter than its length field",
            ));
        }
        Ok(V20Packet {
            payload_type: ptype & 0x3f,
            encrypted: ptype & 0x80 != 0,
            authenticated: ptype & 0x40 != 0,
            session_id,
            seq,
            payload: buf[16..end].to_vec(),
            trailer: end,
        })
    }

    /// Check the integrity trailer of `buf` (the bytes this packet was parsed from) and decrypt the
    /// payload, as the session's cipher suite requires. A packet of an established session that is
    /// not authenticated (or not encrypted) when the suite says it must be is rejected.
    pub fn open(&self, buf: &[u8], sec: Security<'_>) -> Result<Vec<u8>, ParseError> {
        let what = "RMCP+ packet";
        if sec.integrity != IntegrityAlg::None {
            if !self.authenticated {
                return Err(ParseError::new(what, "not authenticated"));
            }
            let code_len = sec.integrity.code_len();
            let t = self.trailer;
            let total = buf.len();
            if total < t + 2 + code_len {
                return Err(ParseError::new(what, "integrity trailer truncated"));
            }
            // Layout after the payload: pad (FFh…), pad length, next header, AuthCode.
            let next_hdr = total - code_len - 1;
            let pad_len = usize::from(buf[next_hdr - 1]);
            if next_hdr - 1 < t || next_hdr - 1 - t != pad_len || buf[next_hdr] != 0x07 {
                return Err(ParseError::new(what, "malformed integrity trailer"));
            }
            let expect = sec.keys.integrity_code(sec.integrity, &buf[4..=next_hdr]);
            if !crypto::ct_eq(&expect, &buf[next_hdr + 1..]) {
                return Err(ParseError::new(what, "integrity check failed"));
            }
        }
        if sec.conf == ConfAlg::AesCbc128 {
            if !self.encrypted {
                return Err(ParseError::new(what, "not encrypted"));
            }
            return crypto::aes_decrypt(&sec.keys.k2, &self.payload)
                .ok_or(ParseError::new(what, "cannot decrypt payload"));
        }
        if self.encrypted {
            return Err(ParseError::new(
                what,
                "encrypted although the cipher suite has no confidentiality",
            ));
        }
        Ok(self.payload.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::AuthAlg;

    #[test]
    fn v15_roundtrip_all_auth_types() {
        let msg = [0x20u8, 0x18, 0xc8, 0x81, 0x04, 0x38, 0x0e, 0x04, 0x31];
        for auth in [AuthType::None, AuthType::Password, AuthType::Md5] {
            let p = encode_v15(auth, b"secret", 0x1234, 5, &msg);
            let d = V15Packet::parse(&p).unwrap();
            assert_eq!(d.auth, auth as u8);
            assert_eq!(d.seq, 5);
            assert_eq!(d.session_id, 0x1234);
            assert_eq!(d.msg, msg);
            assert_eq!(d.auth_code, v15_auth_code(auth, b"secret", 0x1234, 5, &msg));
        }
        // Auth none: the header has no AuthCode field.
        let p = encode_v15(AuthType::None, b"", 0, 0, &msg);
        assert_eq!(p.len(), 4 + 10 + msg.len());
        assert_eq!(p[13], msg.len() as u8);
        // Straight password: the AuthCode is the padded password.
        let p = encode_v15(AuthType::Password, b"secret", 0, 0, &msg);
        assert_eq!(&p[13..19], b"secret");
    }

    #[test]
    fn v15_rejects_truncation() {
        let p = encode_v15(AuthType::Md5, b"secret", 1, 1, &[1, 2, 3, 4, 5, 6, 7, 8]);
        for n in 0..p.len() {
            assert!(V15Packet::parse(&p[..n]).is_err(), "len {n}");
        }
        let mut bad = p.clone();
        bad[0] = 0x07;
        assert!(V15Packet::parse(&bad).is_err());
    }

    fn keys() -> SessionKeys {
        SessionKeys::derive(AuthAlg::HmacSha1, vec![3u8; 20], b"secret")
    }

    #[test]
    fn v20_roundtrip_every_security_combination() {
        let k = keys();
        let payload = b"\x81\x1c\x63\x20\x04\x01\x00\x01\x00\x00\xda".to_vec();
        for integrity in [
            IntegrityAlg::None,
            IntegrityAlg::HmacSha1_96,
            IntegrityAlg::HmacMd5_128,
            IntegrityAlg::HmacSha256_128,
        ] {
            for conf in [ConfAlg::None, ConfAlg::AesCbc128] {
                let sec = Security {
                    keys: &k,
                    integrity,
                    conf,
                };
                let p = encode_v20(PAYLOAD_IPMI, 0xaabb, 3, &payload, Some(sec), [5; 16]);
                if integrity != IntegrityAlg::None {
                    // Integrity covers a multiple of 4 bytes.
                    assert_eq!((p.len() - 4 - integrity.code_len()) % 4, 0);
                }
                let d = V20Packet::parse(&p).unwrap();
                assert_eq!(d.session_id, 0xaabb);
                assert_eq!(d.seq, 3);
                assert_eq!(d.encrypted, conf == ConfAlg::AesCbc128);
                assert_eq!(d.authenticated, integrity != IntegrityAlg::None);
                assert_eq!(d.open(&p, sec).unwrap(), payload);
                // Flip any byte after the RMCP header: the packet must be rejected (or, for the
                // unauthenticated suites, fail to parse or give a different payload).
                if integrity != IntegrityAlg::None {
                    for i in 4..p.len() {
                        let mut bad = p.clone();
                        bad[i] ^= 0x10;
                        let r = V20Packet::parse(&bad).and_then(|d| d.open(&bad, sec));
                        assert!(r.is_err(), "flip at {i} accepted ({integrity:?}, {conf:?})");
                    }
                }
            }
        }
    }

    #[test]
    fn v20_without_session_security() {
        let p = encode_v20(PAYLOAD_OPEN_SESSION_REQ, 0, 0, &[1, 2, 3], None, [0; 16]);
        assert_eq!(p.len(), 16 + 3);
        let d = V20Packet::parse(&p).unwrap();
        assert_eq!(d.payload_type, PAYLOAD_OPEN_SESSION_REQ);
        assert!(!d.authenticated && !d.encrypted);
        for n in 0..p.len() {
            assert!(V20Packet::parse(&p[..n]).is_err());
        }
    }

    #[test]
    fn v20_refuses_downgrade() {
        let k = keys();
        let sec = Security {
            keys: &k,
            integrity: IntegrityAlg::HmacSha1_96,
            conf: ConfAlg::AesCbc128,
        };
        // An unauthenticated, unencrypted packet must not be accepted in a suite-3 session.
        let p = encode_v20(PAYLOAD_IPMI, 1, 1, &[1, 2, 3], None, [0; 16]);
        let d = V20Packet::parse(&p).unwrap();
        assert!(d.open(&p, sec).is_err());
    }
}
