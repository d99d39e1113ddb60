// SPDX-License-Identifier: GPL-2.0-or-later
//! IPMI messages (the part inside a session packet) and the commands a fence agent needs, as
//! encoders and parsers without I/O.

use crate::ParseError;

/// The BMC's responder address.
pub const BMC_ADDR: u8 = 0x20;
/// Requester address of remote console software (IPMI 2.0 §5.5: software ID 40h, bit 0 set).
pub const CONSOLE_ADDR: u8 = 0x81;

pub const NETFN_CHASSIS: u8 = 0x00;
pub const NETFN_APP: u8 = 0x06;

pub const CMD_GET_CHASSIS_STATUS: u8 = 0x01;
pub const CMD_CHASSIS_CONTROL: u8 = 0x02;
pub const CMD_SEND_MESSAGE: u8 = 0x34;
pub const CMD_GET_CHANNEL_AUTH_CAPS: u8 = 0x38;
pub const CMD_GET_SESSION_CHALLENGE: u8 = 0x39;
pub const CMD_ACTIVATE_SESSION: u8 = 0x3a;
pub const CMD_SET_SESSION_PRIV: u8 = 0x3b;
pub const CMD_CLOSE_SESSION: u8 = 0x3c;
pub const CMD_GET_CHANNEL_CIPHER_SUITES: u8 = 0x54;

/// Two's complement checksum: the byte that makes the sum of `data` and itself zero.
pub fn checksum(data: &[u8]) -> u8 {
    data.iter()
        .fold(0u8, |a, b| a.wrapping_add(*b))
        .wrapping_neg()
}

/// An IPMI request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub netfn: u8,
    pub cmd: u8,
    pub data: Vec<u8>,
}

impl Request {
    pub fn new(netfn: u8, cmd: u8, data: impl Into<Vec<u8>>) -> Self {
        Request {
            netfn,
            cmd,
            data: data.into(),
        }
    }

    /// The IPMB-format request: rsAddr, netFn/rsLUN, chk1, rqAddr, rqSeq/rqLUN, cmd, data, chk2.
    pub fn encode(&self, rs_addr: u8, rq_addr: u8, rq_seq: u8) -> Vec<u8> {
        let mut m = Vec::with_capacity(7 + self.data.len());
        m.push(rs_addr);
        m.push(self.netfn << 2);
        m.push(checksum(&m[0..2]));
        m.push(rq_addr);
        m.push((rq_seq & 0x3f) << 2);
        m.push(self.cmd);
        m.extend_from_slice(&self.data);
        let c = checksum(&m[3..]);
        m.push(c);
        m
    }
}

/// An IPMI response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub rq_addr: u8,
    pub netfn: u8,
    pub rs_addr: u8,
    pub rq_seq: u8,
    pub cmd: u8,
    pub completion: u8,
    pub data: Vec<u8>,
}

impl Response {
    /// Parse an IPMB-format response, checking both checksums.
    pub fn parse(m: &[u8]) -> Result<Self, ParseError> {
        if m.len() < 8 {
            return Err(ParseError::new("IPMI response", "shorter than 8 bytes"));
        }
        if checksum(&m[0..2]) != m[2] {
            return Err(ParseError::new("IPMI response", "bad header checksum"));
        }
        let last = m.len() - 1;
        if checksum(&m[3..last]) != m[last] {
            return Err(ParseError::new("IPMI response", "bad data checksum"));
        }
        Ok(Response {
            rq_addr: m[0],
            netfn: m[1] >> 2,
            rs_addr: m[3],
            rq_seq: m[4] >> 2,
            cmd: m[5],
            completion: m[6],
            data: m[7..last].to_vec(),
        })
    }

    /// Encode (the BMC side; used by tests and the test responders).
    pub fn encode(&self) -> Vec<u8> {
        let mut m = vec![self.rq_addr, self.netfn << 2];
        m.push(checksum(&m));
        m.push(self.rs_addr);
        m.push((self.rq_seq & 0x3f) << 2);
        m.push(self.cmd);
        m.push(self.completion);
        m.extend_from_slice(&self.data);
        let c = checksum(&m[3..]);
        m.push(c);
        m
    }

    /// Whether this answers `req` sent with sequence `seq`.
    pub fn answers(&self, req: &Request, seq: u8) -> bool {
        self.netfn == req.netfn | 1 && self.cmd == req.cmd && self.rq_seq == (seq & 0x3f)
    }
}

/// What a completion code means, for messages.
pub fn completion_text(cc: u8) -> &'static str {
    match cc {
        0x00 => "success",
        0xc0 => "node busy",
        0xc1 => "invalid command",
        0xc2 => "invalid command for this LUN",
        0xc3 => "timeout while processing the command",
        0xc4 => "out of space",
        0xc5 => "reservation cancelled or invalid",
        0xc6 => "request data truncated",
        0xc7 => "request data length invalid",
        0xc8 => "request data field length limit exceeded",
        0xc9 => "parameter out of range",
        0xca => "cannot return the requested number of bytes",
        0xcb => "requested sensor, data or record not present",
        0xcc => "invalid data field in request",
        0xcd => "command illegal for this sensor or record type",
        0xce => "command response could not be provided",
        0xcf => "cannot execute a duplicated request",
        0xd0 => "SDR repository in update mode",
        0xd1 => "device in firmware update mode",
        0xd2 => "BMC initialization in progress",
        0xd3 => "destination unavailable",
        0xd4 => "insufficient privilege level",
        0xd5 => "command not supported in present state",
        0xd6 => "command sub-function disabled or unavailable",
        0xff => "unspecified error",
        0x80 => "invalid session ID or user name (command-specific code 80h)",
        0x81 => "invalid or null user name or password (command-specific code 81h)",
        0x82 => "user not allowed or no access (command-specific code 82h)",
        0x83 => "no session slot available (command-specific code 83h)",
        0x84 => "no slot available for the given user (command-specific code 84h)",
        0x85 => "no slot available for the user's privilege level (command-specific code 85h)",
        0x86 => "session sequence number out of range (command-specific code 86h)",
        _ => "command-specific or unknown error",
    }
}

/// Session privilege levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Privilege {
    Callback = 1,
    User = 2,
    Operator = 3,
    Administrator = 4,
}

impl Privilege {
    /// From fence_ipmilan's `privlvl` words (and ipmitool's short forms).
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "callback" => Privilege::Callback,
            "user" => Privilege::User,
            "operator" => Privilege::Operator,
            "administrator" | "admin" => Privilege::Administrator,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Privilege::Callback => "callback",
            Privilege::User => "user",
            Privilege::Operator => "operator",
            Privilege::Administrator => "administrator",
        }
    }
}

/// IPMI 1.5 authentication types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    None = 0,
    Md2 = 1,
    Md5 = 2,
    Password = 4,
}

impl AuthType {
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => AuthType::None,
            1 => AuthType::Md2,
            2 => AuthType::Md5,
            4 => AuthType::Password,
            _ => return None,
        })
    }
    /// Bit in the Get Channel Authentication Capabilities support mask.
    pub fn mask_bit(self) -> u8 {
        1 << (self as u8)
    }
    pub fn name(self) -> &'static str {
        match self {
            AuthType::None => "none",
            AuthType::Md2 => "md2",
            AuthType::Md5 => "md5",
            AuthType::Password => "password",
        }
    }
}

// ---- Commands ----

/// Get Channel Authentication Capabilities (App 38h) for the current channel.
pub fn get_channel_auth_caps(privilege: Privilege, ipmi20: bool) -> Request {
    let chan = if ipmi20 { 0x8e } else { 0x0e };
    Request::new(
        NETFN_APP,
        CMD_GET_CHANNEL_AUTH_CAPS,
        [chan, privilege as u8],
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCaps {
    pub channel: u8,
    /// Bit mask of supported IPMI 1.5 auth types (bit n = [`AuthType`] n).
    pub auth_types: u8,
    pub ipmi20: bool,
    /// Byte 3 of the response: per-message auth disabled (bit 4), user-level auth disabled (bit 3),
    /// non-null users (bit 2), null users (bit 1), anonymous login (bit 0).
    pub status: u8,
}

impl AuthCaps {
    pub fn parse(d: &[u8]) -> Result<Self, ParseError> {
        if d.len() < 3 {
            return Err(ParseError::new(
                "Get Channel Authentication Capabilities response",
                "shorter than 3 bytes",
            ));
        }
        let ext = d.get(3).copied().unwrap_or(0);
        Ok(AuthCaps {
            channel: d[0],
            auth_types: d[1] & 0x3f,
            ipmi20: d[1] & 0x80 != 0 && ext & 0x02 != 0,
            status: d[2],
        })
    }
    pub fn supports(&self, t: AuthType) -> bool {
        self.auth_types & t.mask_bit() != 0
    }
}

/// Get Session Challenge (App 39h).
pub fn get_session_challenge(auth: AuthType, username: &[u8]) -> Request {
    let mut d = vec![auth as u8];
    let mut name = [0u8; 16];
    let n = username.len().min(16);
    name[..n].copy_from_slice(&username[..n]);
    d.extend_from_slice(&name);
    Request::new(NETFN_APP, CMD_GET_SESSION_CHALLENGE, d)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub temp_session_id: u32,
    pub challenge: [u8; 16],
}

impl Challenge {
    pub fn parse(d: &[u8]) -> Result<Self, ParseError> {
        if d.len() < 20 {
            return Err(ParseError::new(
                "Get Session Challenge response",
                "shorter than 20 bytes",
            ));
        }
        let mut challenge = [0u8; 16];
        challenge.copy_from_slice(&d[4..20]);
        Ok(Challenge {
            temp_session_id: le32(&d[0..4]),
            challenge,
        })
    }
}

/// Activate Session (App 3Ah).
pub fn activate_session(
    auth: AuthType,
    privilege: Privilege,
    challenge: &[u8; 16],
    initial_outbound_seq: u32,
) -> Request {
    let mut d = vec![auth as u8, privilege as u8];
    d.extend_from_slice(challenge);
    d.extend_from_slice(&initial_outbound_seq.to_le_bytes());
    Request::new(NETFN_APP, CMD_ACTIVATE_SESSION, d)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activated {
    pub auth: u8,
    pub session_id: u32,
    pub inbound_seq: u32,
    pub max_privilege: u8,
}

impl Activated {
    pub fn parse(d: &[u8]) -> Result<Self, ParseError> {
        if d.len() < 10 {
            return Err(ParseError::new(
                "Activate Session response",
                "shorter than 10 bytes",
            ));
        }
        Ok(Activated {
            auth: d[0] & 0x0f,
            session_id: le32(&d[1..5]),
            inbound_seq: le32(&d[5..9]),
            max_privilege: d[9] & 0x0f,
        })
    }
}

/// Set Session Privilege Level (App 3Bh).
pub fn set_session_privilege(p: Privilege) -> Request {
    Request::new(NETFN_APP, CMD_SET_SESSION_PRIV, [p as u8])
}

/// Close Session (App 3Ch).
pub fn close_session(session_id: u32) -> Request {
    Request::new(NETFN_APP, CMD_CLOSE_SESSION, session_id.to_le_bytes())
}

/// Get Chassis Status (Chassis 01h).
pub fn get_chassis_status() -> Request {
    Request::new(NETFN_CHASSIS, CMD_GET_CHASSIS_STATUS, [])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChassisStatus {
    pub power_on: bool,
    pub power_overload: bool,
    pub power_fault: bool,
    pub raw: u8,
}

impl ChassisStatus {
    pub fn parse(d: &[u8]) -> Result<Self, ParseError> {
        let &b = d.first().ok_or(ParseError::new(
            "Get Chassis Status response",
            "no current power state byte",
        ))?;
        // Byte 2 (last power event) and 3 (misc state) are mandatory too, but the power state is
        // all a fence agent needs: do not reject a BMC that leaves them out.
        Ok(ChassisStatus {
            power_on: b & 0x01 != 0,
            power_overload: b & 0x02 != 0,
            power_fault: b & 0x08 != 0,
            raw: b,
        })
    }
}

/// Chassis Control (Chassis 02h) operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChassisControl {
    PowerDown = 0,
    PowerUp = 1,
    PowerCycle = 2,
    HardReset = 3,
    Diag = 4,
    Soft = 5,
}

impl ChassisControl {
    pub fn name(self) -> &'static str {
        match self {
            ChassisControl::PowerDown => "power down",
            ChassisControl::PowerUp => "power up",
            ChassisControl::PowerCycle => "power cycle",
            ChassisControl::HardReset => "hard reset",
            ChassisControl::Diag => "diagnostic interrupt",
            ChassisControl::Soft => "soft shutdown",
        }
    }
}

pub fn chassis_control(op: ChassisControl) -> Request {
    Request::new(NETFN_CHASSIS, CMD_CHASSIS_CONTROL, [op as u8])
}

/// Get Channel Cipher Suites (App 54h), list by cipher suite, for the current channel and the IPMI
/// payload; `index` 0..=63 selects the 16-byte chunk of the record list.
pub fn get_channel_cipher_suites(index: u8) -> Request {
    Request::new(
        NETFN_APP,
        CMD_GET_CHANNEL_CIPHER_SUITES,
        [0x0e, 0x00, 0x80 | (index & 0x3f)],
    )
}

/// One cipher suite record: its ID and algorithm numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteRecord {
    pub id: u8,
    pub auth: u8,
    pub integrity: Option<u8>,
    pub conf: Option<u8>,
}

/// Parse the concatenated record data of Get Channel Cipher Suites (the bytes after the channel
/// number of each response). Records start with C0h (standard: suite ID, then algorithm bytes
/// tagged 00b auth, 01b integrity, 10b confidentiality) or C1h (OEM: suite ID, 3-byte IANA, then
/// the algorithms).
pub fn parse_cipher_suite_records(d: &[u8]) -> Result<Vec<SuiteRecord>, ParseError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let start = d[i];
        let skip = match start {
            0xc0 => 1,
            0xc1 => 4,
            _ => {
                return Err(ParseError::new(
                    "cipher suite records",
                    "record does not start with C0h or C1h",
                ))
            }
        };
        let id = *d.get(i + 1).ok_or(ParseError::new(
            "cipher suite records",
            "record without a suite ID",
        ))?;
        i += 1 + skip;
        let mut rec = SuiteRecord {
            id,
            auth: 0xff,
            integrity: None,
            conf: None,
        };
        while i < d.len() && d[i] & 0xc0 != 0xc0 {
            let alg = d[i] & 0x3f;
            match d[i] >> 6 {
                0 => rec.auth = alg,
                1 => rec.integrity = Some(alg),
                _ => rec.conf = Some(alg),
            }
            i += 1;
        }
        if rec.auth == 0xff {
            return Err(ParseError::new(
                "cipher suite records",
                "record without an authentication algorithm",
            ));
        }
        if start == 0xc0 {
            out.push(rec);
        }
    }
    Ok(out)
}

/// Wrap `inner` (already encoded for the target as an IPMB request) in a Send Message (App 34h)
/// with request tracking on channel 0 (the primary IPMB), for `target` bridging.
pub fn send_message(inner: &[u8]) -> Request {
    let mut d = vec![0x40];
    d.extend_from_slice(inner);
    Request::new(NETFN_APP, CMD_SEND_MESSAGE, d)
}

/// The target's response carried in the data of a Send Message response (request tracking):
/// the IPMB response to `req`, sent to the target with sequence `seq`.
pub fn parse_bridged(data: &[u8], req: &Request, seq: u8) -> Result<Response, ParseError> {
    let r = Response::parse(data)?;
    if !r.answers(req, seq) {
        return Err(ParseError::new(
            "bridged response",
            "answers another request",
        ));
    }
    Ok(r)
}

pub(crate) fn le32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

pub(crate) fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encoding_matches_ipmitool() {
        // ipmitool -v ... chassis power status sends 20 00 e0 81 04 01 7a (rqSeq 1).
        let m = get_chassis_status().encode(BMC_ADDR, CONSOLE_ADDR, 1);
        assert_eq!(m, vec![0x20, 0x00, 0xe0, 0x81, 0x04, 0x01, 0x7a]);
        let m = chassis_control(ChassisControl::PowerUp).encode(BMC_ADDR, CONSOLE_ADDR, 2);
        assert_eq!(m, vec![0x20, 0x00, 0xe0, 0x81, 0x08, 0x02, 0x01, 0x74]);
    }

    #[test]
    fn response_roundtrip_and_checksums() {
        let r = Response {
            rq_addr: CONSOLE_ADDR,
            netfn: NETFN_CHASSIS | 1,
            rs_addr: BMC_ADDR,
            rq_seq: 5,
            cmd: CMD_GET_CHASSIS_STATUS,
            completion: 0,
            data: vec![0x01, 0x00, 0x00],
        };
        let enc = r.encode();
        assert_eq!(Response::parse(&enc).unwrap(), r);
        assert!(r.answers(&get_chassis_status(), 5));
        assert!(!r.answers(&get_chassis_status(), 6));
        assert!(!r.answers(&chassis_control(ChassisControl::PowerUp), 5));
        let mut bad = enc.clone();
        bad[2] ^= 1;
        assert!(Response::parse(&bad)
            .unwrap_err()
            .to_string()
            .contains("header checksum"));
        let mut bad = enc.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(Response::parse(&bad)
            .unwrap_err()
            .to_string()
            .contains("data checksum"));
        assert!(Response::parse(&enc[..5]).is_err());
    }

    #[test]
    fn chassis_status_parse() {
        assert!(ChassisStatus::parse(&[0x01, 0, 0]).unwrap().power_on);
        assert!(!ChassisStatus::parse(&[0x40, 0, 0]).unwrap().power_on);
        assert!(ChassisStatus::parse(&[]).is_err());
    }

    #[test]
    fn session_command_parsers() {
        let mut d = vec![0x78, 0x56, 0x34, 0x12];
        d.extend(1..=16u8);
        let c = Challenge::parse(&d).unwrap();
        assert_eq!(c.temp_session_id, 0x1234_5678);
        assert_eq!(c.challenge[15], 16);
        assert!(Challenge::parse(&d[..19]).is_err());

        let a = Activated::parse(&[0x02, 1, 0, 0, 0, 9, 0, 0, 0, 0x04]).unwrap();
        assert_eq!(a.session_id, 1);
        assert_eq!(a.inbound_seq, 9);
        assert_eq!(a.max_privilege, 4);
        assert!(Activated::parse(&[0; 9]).is_err());

        let caps = AuthCaps::parse(&[0x01, 0x95, 0x04, 0x03, 0, 0, 0, 0]).unwrap();
        assert!(caps.supports(AuthType::Md5));
        assert!(caps.supports(AuthType::Password));
        assert!(caps.supports(AuthType::None));
        assert!(!caps.supports(AuthType::Md2));
        assert!(caps.ipmi20);
        assert!(AuthCaps::parse(&[1, 2]).is_err());

        let r = get_session_challenge(AuthType::Md5, b"admin");
        assert_eq!(r.data.len(), 17);
        assert_eq!(&r.data[1..6], b"admin");
        let r = activate_session(
            AuthType::Md5,
            Privilege::Administrator,
            &[7; 16],
            0x0102_0304,
        );
        assert_eq!(r.data.len(), 22);
        assert_eq!(&r.data[18..], &[4, 3, 2, 1]);
    }

    #[test]
    fn cipher_suite_records() {
        // Suites 0, 3 (SHA1, SHA1-96, AES), 17 (SHA256, SHA256-128, AES) and an OEM record.
        let d = [
            0xc0, 0, 0x00, 0x40, 0x80, 0xc0, 3, 0x01, 0x41, 0x81, 0xc1, 0x80, 1, 2, 3, 0x01, 0xc0,
            17, 0x03, 0x44, 0x81,
        ];
        let r = parse_cipher_suite_records(&d).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            r[1],
            SuiteRecord {
                id: 3,
                auth: 1,
                integrity: Some(1),
                conf: Some(1)
            }
        );
        assert_eq!(r[2].id, 17);
        assert_eq!(r[2].integrity, Some(4));
        assert!(parse_cipher_suite_records(&[0x12]).is_err());
        assert!(parse_cipher_suite_records(&[0xc0]).is_err());
        assert!(parse_cipher_suite_records(&[0xc0, 3]).is_err());
        assert!(parse_cipher_suite_records(&[]).unwrap().is_empty());
    }

    #[test]
    fn bridging() {
        // ipmitool -t 0x82 chassis power status: Send Message (track request, channel 0) around
        // 82 00 7e 20 seq<<2 01 chk.
        let inner = get_chassis_status().encode(0x82, BMC_ADDR, 3);
        assert_eq!(inner, vec![0x82, 0x00, 0x7e, 0x20, 0x0c, 0x01, 0xd3]);
        let outer = send_message(&inner);
        assert_eq!((outer.netfn, outer.cmd), (NETFN_APP, CMD_SEND_MESSAGE));
        assert_eq!(outer.data[0], 0x40);
        assert_eq!(&outer.data[1..], &inner[..]);
        let rsp = Response {
            rq_addr: BMC_ADDR,
            netfn: NETFN_CHASSIS | 1,
            rs_addr: 0x82,
            rq_seq: 3,
            cmd: CMD_GET_CHASSIS_STATUS,
            completion: 0,
            data: vec![1, 0, 0],
        };
        let r = parse_bridged(&rsp.encode(), &get_chassis_status(), 3).unwrap();
        assert!(ChassisStatus::parse(&r.data).unwrap().power_on);
        assert!(parse_bridged(&rsp.encode(), &get_chassis_status(), 4).is_err());
        assert!(parse_bridged(&[], &get_chassis_status(), 3).is_err());
    }

    #[test]
    fn privilege_names() {
        assert_eq!(
            Privilege::from_name("administrator"),
            Some(Privilege::Administrator)
        );
        assert_eq!(Privilege::from_name("OPERATOR"), Some(Privilege::Operator));
        assert_eq!(Privilege::from_name("root"), None);
    }
}
