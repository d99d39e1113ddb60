// SPDX-License-Identifier: GPL-2.0-or-later
//! No-panic loops over every packet and payload parser: random bytes, and valid packets with
//! random mutations and truncations (so that the deeper layers are reached too).

use ipmi_lan::crypto::{self, AuthAlg, ConfAlg, IntegrityAlg, SessionKeys};
use ipmi_lan::msg::{self, Response};
use ipmi_lan::packet::{self, Security, V15Packet, V20Packet};
use ipmi_lan::rmcpplus::{OpenSessionResponse, Rakp2, Rakp4};
use ipmi_lan::AuthType;

struct Rng(rustha_testkit::XorShift);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = (self.next() as usize) % (max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn every_parser(buf: &[u8], keys: &SessionKeys) {
    let _ = V15Packet::parse(buf);
    if let Ok(p) = V20Packet::parse(buf) {
        for (integrity, conf) in [
            (IntegrityAlg::None, ConfAlg::None),
            (IntegrityAlg::HmacSha1_96, ConfAlg::AesCbc128),
            (IntegrityAlg::HmacMd5_128, ConfAlg::None),
            (IntegrityAlg::HmacSha256_128, ConfAlg::AesCbc128),
        ] {
            let _ = p.open(
                buf,
                Security {
                    keys,
                    integrity,
                    conf,
                },
            );
        }
    }
    let _ = Response::parse(buf);
    let _ = msg::AuthCaps::parse(buf);
    let _ = msg::Challenge::parse(buf);
    let _ = msg::Activated::parse(buf);
    let _ = msg::ChassisStatus::parse(buf);
    let _ = msg::parse_cipher_suite_records(buf);
    let _ = OpenSessionResponse::parse(buf);
    for n in [0, 12, 16, 20, 32] {
        let _ = Rakp2::parse(buf, n);
        let _ = Rakp4::parse(buf, n);
    }
    let _ = crypto::aes_decrypt(&keys.k2, buf);
    let _ = packet::is_rmcpp(buf);
}

#[test]
fn random_bytes_never_panic() {
    let keys = SessionKeys::derive(AuthAlg::HmacSha1, vec![1; 20], b"pw");
    let mut rng = Rng(rustha_testkit::XorShift::new(0x1234_5678_9abc_def1));
    for _ in 0..200_000 {
        let b = rng.bytes(96);
        every_parser(&b, &keys);
    }
}

#[test]
fn mutated_valid_packets_never_panic() {
    let keys = SessionKeys::derive(AuthAlg::HmacSha256, vec![2; 32], b"pw");
    let rsp = Response {
        rq_addr: msg::CONSOLE_ADDR,
        netfn: 1,
        rs_addr: msg::BMC_ADDR,
        rq_seq: 1,
        cmd: 1,
        completion: 0,
        data: vec![1, 0, 0, 0],
    }
    .encode();
    let mut seeds = vec![
        packet::encode_v15(AuthType::Md5, b"pw", 7, 9, &rsp),
        packet::encode_v15(AuthType::None, b"", 0, 0, &rsp),
        packet::encode_v20(packet::PAYLOAD_IPMI, 1, 2, &rsp, None, [0; 16]),
    ];
    for (integrity, conf) in [
        (IntegrityAlg::HmacSha1_96, ConfAlg::AesCbc128),
        (IntegrityAlg::HmacSha256_128, ConfAlg::None),
    ] {
        seeds.push(packet::encode_v20(
            packet::PAYLOAD_IPMI,
            1,
            2,
            &rsp,
            Some(Security {
                keys: &keys,
                integrity,
                conf,
            }),
            [3; 16],
        ));
    }
    let mut rng = Rng(rustha_testkit::XorShift::new(0xfeed_beef_0bad_cafe));
    for _ in 0..50_000 {
        let mut p = seeds[(rng.next() as usize) % seeds.len()].clone();
        for _ in 0..(rng.next() % 4) {
            if p.is_empty() {
                break;
            }
            let i = (rng.next() as usize) % p.len();
            p[i] = rng.next() as u8;
        }
        if rng.next() % 3 < 1 {
            let n = (rng.next() as usize) % (p.len() + 1);
            p.truncate(n);
        }
        every_parser(&p, &keys);
        // The payload area too, as the inner parsers see it.
        if p.len() > 16 {
            every_parser(&p[16..], &keys);
        }
    }
}
