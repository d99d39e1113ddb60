// SPDX-License-Identifier: GPL-2.0-or-later
//! The cryptography of IPMI sessions, as pure functions.
//!
//! - IPMI 1.5: the 16-byte AuthCode of `password` (straight) and `MD5` authentication.
//! - IPMI 2.0 / RMCP+: the RAKP key-exchange HMACs (RAKP-HMAC-SHA1, -MD5, -SHA256), the session
//!   integrity key (SIK) and the derived keys K1/K2, the per-packet integrity algorithms
//!   (HMAC-SHA1-96, HMAC-MD5-128, HMAC-SHA256-128) and AES-CBC-128 confidentiality with the
//!   IPMI padding (1, 2, 3, … followed by the pad length).

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{KeyInit, Mac};
use md5::{Digest, Md5};

/// Authentication (key exchange) algorithm of a cipher suite (IPMI 2.0 table 13-17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthAlg {
    None = 0,
    HmacSha1 = 1,
    HmacMd5 = 2,
    HmacSha256 = 3,
}

/// Integrity algorithm (table 13-18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrityAlg {
    None = 0,
    HmacSha1_96 = 1,
    HmacMd5_128 = 2,
    HmacSha256_128 = 4,
}

/// Confidentiality algorithm (table 13-19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfAlg {
    None = 0,
    AesCbc128 = 1,
}

impl AuthAlg {
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => AuthAlg::None,
            1 => AuthAlg::HmacSha1,
            2 => AuthAlg::HmacMd5,
            3 => AuthAlg::HmacSha256,
            _ => return None,
        })
    }
    /// Length of the RAKP 2/3 key exchange authentication code.
    pub fn hmac_len(self) -> usize {
        match self {
            AuthAlg::None => 0,
            AuthAlg::HmacSha1 => 20,
            AuthAlg::HmacMd5 => 16,
            AuthAlg::HmacSha256 => 32,
        }
    }
    /// Length of the RAKP 4 integrity check value.
    pub fn icv_len(self) -> usize {
        match self {
            AuthAlg::None => 0,
            AuthAlg::HmacSha1 => 12,
            AuthAlg::HmacMd5 => 16,
            AuthAlg::HmacSha256 => 16,
        }
    }
    /// HMAC of `data` under `key` with this algorithm's hash (empty for `None`).
    pub fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            AuthAlg::None => Vec::new(),
            AuthAlg::HmacSha1 => hmac_sha1(key, data),
            AuthAlg::HmacMd5 => hmac_md5(key, data),
            AuthAlg::HmacSha256 => hmac_sha256(key, data),
        }
    }
}

impl IntegrityAlg {
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => IntegrityAlg::None,
            1 => IntegrityAlg::HmacSha1_96,
            2 => IntegrityAlg::HmacMd5_128,
            4 => IntegrityAlg::HmacSha256_128,
            _ => return None,
        })
    }
    /// Length of the AuthCode trailer of an authenticated packet.
    pub fn code_len(self) -> usize {
        match self {
            IntegrityAlg::None => 0,
            IntegrityAlg::HmacSha1_96 => 12,
            IntegrityAlg::HmacMd5_128 | IntegrityAlg::HmacSha256_128 => 16,
        }
    }
}

impl ConfAlg {
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => ConfAlg::None,
            1 => ConfAlg::AesCbc128,
            _ => return None,
        })
    }
}

pub fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length: new_from_slice cannot fail for it.
    match hmac::Hmac::<sha1::Sha1>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

pub fn hmac_md5(key: &[u8], data: &[u8]) -> Vec<u8> {
    match hmac::Hmac::<Md5>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    match hmac::Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Constant-time comparison of two byte strings (false when the lengths differ).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A password as IPMI 1.5 uses it: zero-padded (or truncated) to 16 bytes.
pub fn pad16(password: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let n = password.len().min(16);
    out[..n].copy_from_slice(&password[..n]);
    out
}

/// The IPMI 1.5 MD5 AuthCode: MD5(password ‖ session id ‖ message ‖ session seq ‖ password),
/// with the password zero-padded to 16 bytes and the integers little-endian (IPMI 1.5 §22.17.1).
pub fn md5_auth_code(password: &[u8], session_id: u32, msg: &[u8], seq: u32) -> [u8; 16] {
    let pw = pad16(password);
    let mut h = Md5::new();
    h.update(pw);
    h.update(session_id.to_le_bytes());
    h.update(msg);
    h.update(seq.to_le_bytes());
    h.update(pw);
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize());
    out
}

/// The values RAKP messages 1 and 2 exchanged, from which both sides derive the session keys.
#[derive(Clone)]
pub struct RakpInput {
    /// Remote console (our) session ID, SIDm.
    pub console_sid: u32,
    /// Managed system (BMC) session ID, SIDc.
    pub bmc_sid: u32,
    /// Remote console random number, Rm.
    pub console_rand: [u8; 16],
    /// Managed system random number, Rc.
    pub bmc_rand: [u8; 16],
    /// Managed system GUID, GUIDc.
    pub bmc_guid: [u8; 16],
    /// The role byte of RAKP 1 (requested privilege, with the name-only lookup bit).
    pub role: u8,
    pub username: Vec<u8>,
}

impl std::fmt::Debug for RakpInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RakpInput")
            .field("console_sid", &self.console_sid)
            .field("bmc_sid", &self.bmc_sid)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl RakpInput {
    fn name_part(&self, out: &mut Vec<u8>) {
        out.push(self.role);
        out.push(self.username.len() as u8);
        out.extend_from_slice(&self.username);
    }

    /// The key exchange authentication code the BMC puts in RAKP 2:
    /// HMAC(Kuid, SIDm ‖ SIDc ‖ Rm ‖ Rc ‖ GUIDc ‖ ROLEm ‖ ULENGTHm ‖ UNAMEm).
    pub fn rakp2_auth_code(&self, alg: AuthAlg, kuid: &[u8]) -> Vec<u8> {
        let mut d = Vec::with_capacity(58 + self.username.len());
        d.extend_from_slice(&self.console_sid.to_le_bytes());
        d.extend_from_slice(&self.bmc_sid.to_le_bytes());
        d.extend_from_slice(&self.console_rand);
        d.extend_from_slice(&self.bmc_rand);
        d.extend_from_slice(&self.bmc_guid);
        self.name_part(&mut d);
        alg.hmac(kuid, &d)
    }

    /// The code we send in RAKP 3: HMAC(Kuid, Rc ‖ SIDm ‖ ROLEm ‖ ULENGTHm ‖ UNAMEm).
    pub fn rakp3_auth_code(&self, alg: AuthAlg, kuid: &[u8]) -> Vec<u8> {
        let mut d = Vec::with_capacity(22 + self.username.len());
        d.extend_from_slice(&self.bmc_rand);
        d.extend_from_slice(&self.console_sid.to_le_bytes());
        self.name_part(&mut d);
        alg.hmac(kuid, &d)
    }

    /// The session integrity key: HMAC(KG, Rm ‖ Rc ‖ ROLEm ‖ ULENGTHm ‖ UNAMEm), where KG is the
    /// BMC key (Kg) when one is set and the user password (Kuid) otherwise.
    pub fn sik(&self, alg: AuthAlg, kg: &[u8]) -> Vec<u8> {
        let mut d = Vec::with_capacity(34 + self.username.len());
        d.extend_from_slice(&self.console_rand);
        d.extend_from_slice(&self.bmc_rand);
        self.name_part(&mut d);
        alg.hmac(kg, &d)
    }

    /// The integrity check value the BMC puts in RAKP 4: HMAC(SIK, Rm ‖ SIDc ‖ GUIDc), truncated
    /// to [`AuthAlg::icv_len`].
    pub fn rakp4_icv(&self, alg: AuthAlg, sik: &[u8]) -> Vec<u8> {
        let mut d = Vec::with_capacity(36);
        d.extend_from_slice(&self.console_rand);
        d.extend_from_slice(&self.bmc_sid.to_le_bytes());
        d.extend_from_slice(&self.bmc_guid);
        let mut v = alg.hmac(sik, &d);
        v.truncate(alg.icv_len());
        v
    }
}

/// K_n = HMAC(SIK, n repeated) (IPMI 2.0 §13.32): K1 keys integrity, the first 16 bytes of K2
/// key AES. The constant is 20 bytes (the spec's length, from SHA1) for HMAC-SHA1 and also for
/// HMAC-SHA256, as FreeIPMI and OpenBMC's netipmid compute it (checked against FreeIPMI with
/// suites 16 and 17); 16 bytes for HMAC-MD5, as OpenIPMI's ipmi_sim computes it (checked with
/// suite 8).
pub fn derive_k(alg: AuthAlg, sik: &[u8], n: u8) -> Vec<u8> {
    let len = match alg {
        AuthAlg::HmacMd5 => 16,
        _ => 20,
    };
    alg.hmac(sik, &vec![n; len])
}

/// The keys of an established RMCP+ session.
#[derive(Clone, Default)]
pub struct SessionKeys {
    /// The user password, which keys HMAC-MD5-128.
    pub kuid: Vec<u8>,
    pub sik: Vec<u8>,
    pub k1: Vec<u8>,
    pub k2: Vec<u8>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(****)")
    }
}

impl SessionKeys {
    pub fn derive(alg: AuthAlg, sik: Vec<u8>, kuid: &[u8]) -> Self {
        let k1 = derive_k(alg, &sik, 1);
        let k2 = derive_k(alg, &sik, 2);
        SessionKeys {
            kuid: kuid.to_vec(),
            sik,
            k1,
            k2,
        }
    }

    /// The AuthCode trailer of an authenticated packet over `data` (from the auth type byte through
    /// the next header byte).
    pub fn integrity_code(&self, alg: IntegrityAlg, data: &[u8]) -> Vec<u8> {
        let mut v = match alg {
            IntegrityAlg::None => return Vec::new(),
            IntegrityAlg::HmacSha1_96 => hmac_sha1(&self.k1, data),
            // HMAC-MD5-128 is keyed with the user password (Kuid), not K1: that is what
            // ipmi_sim verifies (checked against it with cipher suites 7 and 8).
            IntegrityAlg::HmacMd5_128 => hmac_md5(&self.kuid, data),
            IntegrityAlg::HmacSha256_128 => hmac_sha256(&self.k1, data),
        };
        v.truncate(alg.code_len());
        v
    }
}

/// AES-CBC-128 encryption of an RMCP+ payload: IV ‖ E(data ‖ 1, 2, … ‖ pad length).
pub fn aes_encrypt(k2: &[u8], iv: [u8; 16], data: &[u8]) -> Vec<u8> {
    let key = aes_key(k2);
    let pad = (16 - (data.len() + 1) % 16) % 16;
    let mut plain = Vec::with_capacity(data.len() + pad + 1);
    plain.extend_from_slice(data);
    plain.extend((1..=pad).map(|i| i as u8));
    plain.push(pad as u8);
    let mut enc = cbc::Encryptor::<aes::Aes128>::new(&key.into(), &iv.into());
    let mut out = Vec::with_capacity(16 + plain.len());
    out.extend_from_slice(&iv);
    for chunk in plain.chunks_exact(16) {
        let mut block = aes::Block::default();
        block.copy_from_slice(chunk);
        enc.encrypt_block(&mut block);
        out.extend_from_slice(&block);
    }
    out
}

/// Decrypt an AES-CBC-128 payload (IV ‖ ciphertext) and strip the IPMI padding. `None` when the
/// length is not a whole number of blocks or the padding is not 1, 2, …, n, n.
pub fn aes_decrypt(k2: &[u8], payload: &[u8]) -> Option<Vec<u8>> {
    if payload.len() < 32 || payload.len() & 15 != 0 {
        return None;
    }
    let key = aes_key(k2);
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&payload[..16]);
    let mut dec = cbc::Decryptor::<aes::Aes128>::new(&key.into(), &iv.into());
    let mut plain = Vec::with_capacity(payload.len() - 16);
    for chunk in payload[16..].chunks_exact(16) {
        let mut block = aes::Block::default();
        block.copy_from_slice(chunk);
        dec.decrypt_block(&mut block);
        plain.extend_from_slice(&block);
    }
    let pad = usize::from(*plain.last()?);
    if pad >= 16 || pad + 1 > plain.len() {
        return None;
    }
    let body_len = plain.len() - pad - 1;
    let pads = &plain[body_len..plain.len() - 1];
    if pads
        .iter()
        .enumerate()
        .any(|(i, &b)| usize::from(b) != i + 1)
    {
        return None;
    }
    plain.truncate(body_len);
    Some(plain)
}

fn aes_key(k2: &[u8]) -> [u8; 16] {
    let mut key = [0u8; 16];
    let n = k2.len().min(16);
    key[..n].copy_from_slice(&k2[..n]);
    key
}

/// `n` random bytes from the kernel (getrandom(2)); an error only if the kernel refuses.
pub fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut out = [0u8; N];
    let mut filled = 0;
    while filled < N {
        // SAFETY: the pointer and length describe the unfilled tail of `out`.
        let r = unsafe {
            libc::getrandom(
                out[filled..].as_mut_ptr().cast::<libc::c_void>(),
                N - filled,
                0,
            )
        };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        filled += r as usize;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // RFC 2202 / RFC 4231 test case 2 ("Jefe"): checks the wiring of each HMAC.
    #[test]
    fn hmac_known_answers() {
        let d = b"what do ya want for nothing?";
        assert_eq!(
            hmac_sha1(b"Jefe", d),
            hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        );
        assert_eq!(
            hmac_md5(b"Jefe", d),
            hex("750c783e6ab0b503eaa86e310a5db738")
        );
        assert_eq!(
            hmac_sha256(b"Jefe", d),
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }

    // Expected values computed independently with python3's hmac/hashlib:
    //   import hmac, hashlib, struct
    //   sidm, sidc = struct.pack('<I', 0x11223344), struct.pack('<I', 0x55667788)
    //   rm, rc, guid = bytes(range(16)), bytes(range(16, 32)), bytes(range(32, 48))
    //   role, user, kuid = b'\x14', b'admin', b'secret'
    //   name = role + bytes([len(user)]) + user
    //   H = lambda k, d: hmac.new(k, d, hashlib.sha256).hexdigest()
    //   rakp2 = H(kuid, sidm + sidc + rm + rc + guid + name)
    //   rakp3 = H(kuid, rc + sidm + name)
    //   sik = hmac.new(kuid, rm + rc + name, hashlib.sha256).digest()
    //   icv = H(sik, rm + sidc + guid)[:32]
    //   k1 = hmac.new(sik, b'\x01' * 20, hashlib.sha256).digest()
    //   k2 = hmac.new(sik, b'\x02' * 20, hashlib.sha256).digest()
    //   integ = H(k1, bytes.fromhex('06c0') + b'x' * 10)[:32]
    fn sample() -> RakpInput {
        RakpInput {
            console_sid: 0x1122_3344,
            bmc_sid: 0x5566_7788,
            console_rand: std::array::from_fn(|i| i as u8),
            bmc_rand: std::array::from_fn(|i| i as u8 + 16),
            bmc_guid: std::array::from_fn(|i| i as u8 + 32),
            role: 0x14,
            username: b"admin".to_vec(),
        }
    }

    #[test]
    fn rakp_hmac_sha256_known_answers() {
        let r = sample();
        let a = AuthAlg::HmacSha256;
        assert_eq!(
            r.rakp2_auth_code(a, b"secret"),
            hex("fcca6bf2d339ec8e1b7f247da5701edaec2039b3a59abcdd349b2035928a6c08")
        );
        assert_eq!(
            r.rakp3_auth_code(a, b"secret"),
            hex("527c55f92c665789ad8987dd83cdc2d91ad4abb48e5e02dbe843905147533f93")
        );
        let sik = r.sik(a, b"secret");
        assert_eq!(
            sik,
            hex("0c4b7464110cf18fd94ec46aa0242c66ab06157709c02ea7db1653aac04b1023")
        );
        assert_eq!(
            r.rakp4_icv(a, &sik),
            hex("9ec8accfd5669b5355d235d37e31f969")
        );
        let keys = SessionKeys::derive(a, sik, b"secret");
        assert_eq!(
            keys.k1,
            hex("b56faef1c37759ee6f92dccb3dfb8a7610c83e064883aa735d3e84c1cb0c5728")
        );
        assert_eq!(
            keys.k2,
            hex("45d88aac4a3d9b6ac2cdf022f1f31a5a82ac0aecfe8d8559b4060eb4a13b4334")
        );
        let mut data = vec![0x06, 0xc0];
        data.extend_from_slice(b"xxxxxxxxxx");
        assert_eq!(
            keys.integrity_code(IntegrityAlg::HmacSha256_128, &data),
            hex("90faa8c20bd81db6b3e0e4a0d66810ab")
        );
    }

    #[test]
    fn rakp_sha1_icv_is_truncated_to_12() {
        let r = sample();
        let sik = r.sik(AuthAlg::HmacSha1, b"secret");
        assert_eq!(sik.len(), 20);
        assert_eq!(r.rakp4_icv(AuthAlg::HmacSha1, &sik).len(), 12);
        assert_eq!(r.rakp2_auth_code(AuthAlg::HmacSha1, b"secret").len(), 20);
        assert_eq!(r.rakp2_auth_code(AuthAlg::HmacMd5, b"secret").len(), 16);
        assert!(r.rakp2_auth_code(AuthAlg::None, b"secret").is_empty());
    }

    #[test]
    fn md5_auth_code_known_answer() {
        // python3: hashlib.md5(pw16 + struct.pack('<I', 0x01020304) + b'\x20\x18\xc8'
        //                      + struct.pack('<I', 7) + pw16).hexdigest()
        //   with pw16 = b'secret'.ljust(16, b'\0')
        let code = md5_auth_code(b"secret", 0x0102_0304, &[0x20, 0x18, 0xc8], 7);
        assert_eq!(code.to_vec(), hex("d46b85abca67fd1ed7d250073b5b3f32"));
    }

    #[test]
    fn aes_roundtrip_and_padding() {
        let k2 = [7u8; 20];
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let enc = aes_encrypt(&k2, [9u8; 16], &data);
            assert_eq!(enc.len() % 16, 0);
            assert_eq!(&enc[..16], &[9u8; 16]);
            assert_eq!(aes_decrypt(&k2, &enc).as_deref(), Some(&data[..]));
        }
        // Wrong key: the padding check fails (or, rarely, garbage comes out; never a panic).
        let enc = aes_encrypt(&k2, [9u8; 16], b"hello");
        assert_ne!(
            aes_decrypt(&[8u8; 20], &enc).as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(aes_decrypt(&k2, &enc[..20]), None);
        assert_eq!(aes_decrypt(&k2, &[]), None);
    }

    #[test]
    fn aes_known_answer() {
        // python3 (cryptography is not needed: AES-128 FIPS-197 C.1 vector through one CBC block
        // with a zero IV): key 000102..0f, plaintext 00112233..ff -> 69c4e0d86a7b0430d8cdb78070b4c55a.
        let key = hex("000102030405060708090a0b0c0d0e0f");
        let mut data = hex("00112233445566778899aabbccddeeff");
        // Append 15 bytes so that the padding makes exactly one more block.
        data.extend_from_slice(&[0u8; 15]);
        let enc = aes_encrypt(&key, [0u8; 16], &data);
        assert_eq!(&enc[16..32], &hex("69c4e0d86a7b0430d8cdb78070b4c55a")[..]);
    }

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
