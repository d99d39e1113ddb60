// SPDX-License-Identifier: GPL-2.0-or-later
//! RMCP+ session establishment payloads: Open Session Request/Response and RAKP 1–4.

use crate::crypto::{AuthAlg, ConfAlg, IntegrityAlg};
use crate::msg::le32;
use crate::ParseError;

/// A cipher suite: the three algorithms a session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSuite {
    pub id: u8,
    pub auth: AuthAlg,
    pub integrity: IntegrityAlg,
    pub conf: ConfAlg,
}

impl CipherSuite {
    /// The standard suites of IPMI 2.0 table 22-20 this client implements (no xRC4, no MD5-128).
    pub fn from_id(id: u8) -> Option<Self> {
        use AuthAlg as A;
        use ConfAlg as C;
        use IntegrityAlg as I;
        let (auth, integrity, conf) = match id {
            0 => (A::None, I::None, C::None),
            1 => (A::HmacSha1, I::None, C::None),
            2 => (A::HmacSha1, I::HmacSha1_96, C::None),
            3 => (A::HmacSha1, I::HmacSha1_96, C::AesCbc128),
            6 => (A::HmacMd5, I::None, C::None),
            7 => (A::HmacMd5, I::HmacMd5_128, C::None),
            8 => (A::HmacMd5, I::HmacMd5_128, C::AesCbc128),
            15 => (A::HmacSha256, I::None, C::None),
            16 => (A::HmacSha256, I::HmacSha256_128, C::None),
            17 => (A::HmacSha256, I::HmacSha256_128, C::AesCbc128),
            _ => return None,
        };
        Some(CipherSuite {
            id,
            auth,
            integrity,
            conf,
        })
    }

    /// The suite with these algorithm numbers, if it is one we implement.
    pub fn from_algorithms(auth: u8, integrity: u8, conf: u8) -> Option<Self> {
        SUPPORTED_BY_STRENGTH
            .iter()
            .filter_map(|&id| CipherSuite::from_id(id))
            .find(|s| {
                s.auth as u8 == auth && s.integrity as u8 == integrity && s.conf as u8 == conf
            })
    }
}

/// The suites we implement, in the order they are chosen: integrity by SHA256, then SHA1 (with
/// AES before without), then the HMAC-MD5 suites (whose keying implementations disagree on:
/// this crate follows OpenIPMI), then the suites without integrity. Suite 0 (no authentication
/// at all) is never chosen automatically.
pub const SUPPORTED_BY_STRENGTH: [u8; 9] = [17, 3, 16, 2, 8, 7, 15, 1, 6];

/// Open Session Request payload (§13.17). `max_priv` 0 asks for the highest level the user may
/// have.
pub fn open_session_request(
    tag: u8,
    max_priv: u8,
    console_sid: u32,
    suite: &CipherSuite,
) -> Vec<u8> {
    let mut p = vec![tag, max_priv, 0, 0];
    p.extend_from_slice(&console_sid.to_le_bytes());
    for (kind, alg) in [
        (0u8, suite.auth as u8),
        (1, suite.integrity as u8),
        (2, suite.conf as u8),
    ] {
        p.extend_from_slice(&[kind, 0, 0, 8, alg, 0, 0, 0]);
    }
    p
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSessionResponse {
    pub tag: u8,
    pub status: u8,
    pub max_priv: u8,
    pub console_sid: u32,
    pub bmc_sid: u32,
    pub auth: u8,
    pub integrity: u8,
    pub conf: u8,
}

impl OpenSessionResponse {
    pub fn parse(d: &[u8]) -> Result<Self, ParseError> {
        let what = "Open Session Response";
        if d.len() >= 2 && d[1] != 0 && d.len() < 8 {
            // Some BMCs (ipmi_sim) send only the tag and the status code on an error.
            return Ok(OpenSessionResponse {
                tag: d[0],
                status: d[1],
                max_priv: 0,
                console_sid: 0,
                bmc_sid: 0,
                auth: 0,
                integrity: 0,
                conf: 0,
            });
        }
        if d.len() < 8 {
            return Err(ParseError::new(what, "shorter than 8 bytes"));
        }
        let mut r = OpenSessionResponse {
            tag: d[0],
            status: d[1],
            max_priv: d[2],
            console_sid: le32(&d[4..8]),
            bmc_sid: 0,
            auth: 0,
            integrity: 0,
            conf: 0,
        };
        // On an error the BMC may stop after the console session ID.
        if r.status != 0 {
            return Ok(r);
        }
        if d.len() < 36 {
            return Err(ParseError::new(what, "shorter than 36 bytes"));
        }
        r.bmc_sid = le32(&d[8..12]);
        for (i, kind) in [(12usize, 0u8), (20, 1), (28, 2)] {
            if d[i] != kind {
                return Err(ParseError::new(what, "algorithm payloads out of order"));
            }
        }
        r.auth = d[16] & 0x3f;
        r.integrity = d[24] & 0x3f;
        r.conf = d[32] & 0x3f;
        Ok(r)
    }
}

/// RAKP Message 1 (§13.20). `role` is the requested maximum privilege; bit 4 set means
/// name-only lookup.
pub fn rakp1(tag: u8, bmc_sid: u32, console_rand: &[u8; 16], role: u8, username: &[u8]) -> Vec<u8> {
    let mut p = vec![tag, 0, 0, 0];
    p.extend_from_slice(&bmc_sid.to_le_bytes());
    p.extend_from_slice(console_rand);
    p.push(role);
    p.extend_from_slice(&[0, 0]);
    p.push(username.len() as u8);
    p.extend_from_slice(username);
    p
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rakp2 {
    pub tag: u8,
    pub status: u8,
    pub console_sid: u32,
    pub bmc_rand: [u8; 16],
    pub bmc_guid: [u8; 16],
    pub auth_code: Vec<u8>,
}

impl Rakp2 {
    /// Parse RAKP 2; `code_len` is the key exchange auth code length of the suite.
    pub fn parse(d: &[u8], code_len: usize) -> Result<Self, ParseError> {
        let what = "RAKP Message 2";
        if d.len() < 8 {
            return Err(ParseError::new(what, "shorter than 8 bytes"));
        }
        let mut r = Rakp2 {
            tag: d[0],
            status: d[1],
            console_sid: le32(&d[4..8]),
            bmc_rand: [0; 16],
            bmc_guid: [0; 16],
            auth_code: Vec::new(),
        };
        if r.status != 0 {
            return Ok(r);
        }
        if d.len() < 40 + code_len {
            return Err(ParseError::new(what, "too short for the cipher suite"));
        }
        r.bmc_rand.copy_from_slice(&d[8..24]);
        r.bmc_guid.copy_from_slice(&d[24..40]);
        r.auth_code = d[40..40 + code_len].to_vec();
        Ok(r)
    }
}

/// RAKP Message 3 (§13.22).
pub fn rakp3(tag: u8, status: u8, bmc_sid: u32, auth_code: &[u8]) -> Vec<u8> {
    let mut p = vec![tag, status, 0, 0];
    p.extend_from_slice(&bmc_sid.to_le_bytes());
    p.extend_from_slice(auth_code);
    p
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rakp4 {
    pub tag: u8,
    pub status: u8,
    pub console_sid: u32,
    pub icv: Vec<u8>,
}

impl Rakp4 {
    pub fn parse(d: &[u8], icv_len: usize) -> Result<Self, ParseError> {
        let what = "RAKP Message 4";
        if d.len() < 8 {
            return Err(ParseError::new(what, "shorter than 8 bytes"));
        }
        let mut r = Rakp4 {
            tag: d[0],
            status: d[1],
            console_sid: le32(&d[4..8]),
            icv: Vec::new(),
        };
        if r.status != 0 {
            return Ok(r);
        }
        if d.len() < 8 + icv_len {
            return Err(ParseError::new(what, "too short for the cipher suite"));
        }
        r.icv = d[8..8 + icv_len].to_vec();
        Ok(r)
    }
}

/// RMCP+ status codes (§13.24).
pub fn status_text(code: u8) -> &'static str {
    match code {
        0x00 => "no errors",
        0x01 => "insufficient resources to create a session",
        0x02 => "invalid session ID",
        0x03 => "invalid payload type",
        0x04 => "invalid authentication algorithm",
        0x05 => "invalid integrity algorithm",
        0x06 => "no matching authentication payload",
        0x07 => "no matching integrity payload",
        0x08 => "inactive session ID",
        0x09 => "invalid role",
        0x0a => "unauthorized role or privilege level requested",
        0x0b => "insufficient resources to create a session at the requested role",
        0x0c => "invalid user name length",
        0x0d => "unauthorized name (unknown user)",
        0x0e => "unauthorized GUID",
        0x0f => "invalid integrity check value",
        0x10 => "invalid confidentiality algorithm",
        0x11 => "no cipher suite match with the proposed security algorithms",
        0x12 => "illegal or unrecognized parameter",
        _ => "unknown status code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites() {
        let s = CipherSuite::from_id(3).unwrap();
        assert_eq!(s.auth, AuthAlg::HmacSha1);
        assert_eq!(s.integrity, IntegrityAlg::HmacSha1_96);
        assert_eq!(s.conf, ConfAlg::AesCbc128);
        assert_eq!(CipherSuite::from_algorithms(3, 4, 1).unwrap().id, 17);
        assert_eq!(CipherSuite::from_algorithms(0, 0, 0), None);
        assert!(
            CipherSuite::from_id(4).is_none(),
            "xRC4 suites are not implemented"
        );
        assert!(CipherSuite::from_id(12).is_none());
        for id in SUPPORTED_BY_STRENGTH {
            assert!(CipherSuite::from_id(id).is_some());
        }
    }

    #[test]
    fn open_session_roundtrip() {
        let s = CipherSuite::from_id(17).unwrap();
        let req = open_session_request(7, 4, 0xa0a1a2a3, &s);
        assert_eq!(req.len(), 32);
        assert_eq!(&req[4..8], &[0xa3, 0xa2, 0xa1, 0xa0]);
        assert_eq!(req[12], 3);
        assert_eq!(req[20], 4);
        assert_eq!(req[28], 1);
        // A response: tag, status, priv, reserved, console SID, BMC SID, then the same payloads.
        let mut rsp = vec![7, 0, 4, 0, 0xa3, 0xa2, 0xa1, 0xa0, 1, 2, 3, 4];
        rsp.extend_from_slice(&req[8..]);
        let r = OpenSessionResponse::parse(&rsp).unwrap();
        assert_eq!(r.console_sid, 0xa0a1a2a3);
        assert_eq!(r.bmc_sid, 0x04030201);
        assert_eq!((r.auth, r.integrity, r.conf), (3, 4, 1));
        assert!(OpenSessionResponse::parse(&rsp[..30]).is_err());
        // Error status: short responses are fine.
        let r = OpenSessionResponse::parse(&[7, 0x11, 0, 0, 1, 0, 0, 0]).unwrap();
        assert_eq!(r.status, 0x11);
        let mut swapped = rsp.clone();
        swapped[12] = 1;
        assert!(OpenSessionResponse::parse(&swapped).is_err());
    }

    #[test]
    fn rakp_messages() {
        let p = rakp1(1, 0x01020304, &[9; 16], 0x14, b"admin");
        assert_eq!(p.len(), 28 + 5);
        assert_eq!(p[24], 0x14);
        assert_eq!(p[27], 5);
        let mut r2 = vec![1, 0, 0, 0, 4, 3, 2, 1];
        r2.extend_from_slice(&[0xaa; 16]);
        r2.extend_from_slice(&[0xbb; 16]);
        r2.extend_from_slice(&[0xcc; 20]);
        let r = Rakp2::parse(&r2, 20).unwrap();
        assert_eq!(r.console_sid, 0x01020304);
        assert_eq!(r.bmc_rand, [0xaa; 16]);
        assert_eq!(r.bmc_guid, [0xbb; 16]);
        assert_eq!(r.auth_code, vec![0xcc; 20]);
        assert!(Rakp2::parse(&r2[..59], 20).is_err());
        assert_eq!(
            Rakp2::parse(&[1, 0x0d, 0, 0, 0, 0, 0, 0], 20)
                .unwrap()
                .status,
            0x0d
        );
        let p3 = rakp3(1, 0, 5, &[1; 20]);
        assert_eq!(p3.len(), 28);
        let r4 = Rakp4::parse(
            &[
                1, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            ],
            12,
        )
        .unwrap();
        assert_eq!(r4.icv.len(), 12);
        assert!(Rakp4::parse(&[1, 0, 0, 0, 1, 0, 0, 0, 1], 12).is_err());
    }
}
