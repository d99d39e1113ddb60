// SPDX-License-Identifier: GPL-2.0-or-later
//! A small RMCP+ BMC for tests, for what ipmi_sim cannot do (HMAC-SHA256 suites 15, 16, 17):
//! session-less Get Channel Authentication Capabilities and Get Channel Cipher Suites (IPMI 1.5
//! framing), Open Session, RAKP 1–4, and in a session Set Session Privilege Level, Get Chassis
//! Status, Chassis Control, Close Session. Its "machine" is a flag.
#![allow(dead_code)]

use ipmi_lan::crypto::{self, RakpInput, SessionKeys};
use ipmi_lan::msg::{self, Response};
use ipmi_lan::packet::{self, Security, V15Packet, V20Packet};
use ipmi_lan::rmcpplus::CipherSuite;
use ipmi_lan::AuthType;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct FakeBmc {
    pub port: u16,
    pub power: Arc<AtomicBool>,
    /// Chassis Control commands received.
    pub controls: Arc<AtomicUsize>,
    /// Close Session commands received.
    pub closed: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Clone)]
pub struct FakeConfig {
    pub suites: Vec<u8>,
    pub user: String,
    pub password: String,
    pub kg: Option<Vec<u8>>,
    /// Accept Chassis Control but never change the power state (a stuck machine).
    pub stuck: bool,
}

struct Pending {
    console_sid: u32,
    suite: CipherSuite,
    rakp: Option<RakpInput>,
}

struct Established {
    console_sid: u32,
    suite: CipherSuite,
    keys: SessionKeys,
    seq: u32,
}

/// An IPMB request as the BMC sees it.
struct Req {
    netfn: u8,
    rq_seq: u8,
    cmd: u8,
    data: Vec<u8>,
}

fn parse_req(m: &[u8]) -> Option<Req> {
    if m.len() < 7
        || msg::checksum(&m[..2]) != m[2]
        || msg::checksum(&m[3..m.len() - 1]) != m[m.len() - 1]
    {
        return None;
    }
    Some(Req {
        netfn: m[1] >> 2,
        rq_seq: m[4] >> 2,
        cmd: m[5],
        data: m[6..m.len() - 1].to_vec(),
    })
}

fn reply(req: &Req, completion: u8, data: Vec<u8>) -> Vec<u8> {
    Response {
        rq_addr: msg::CONSOLE_ADDR,
        netfn: req.netfn | 1,
        rs_addr: msg::BMC_ADDR,
        rq_seq: req.rq_seq,
        cmd: req.cmd,
        completion,
        data,
    }
    .encode()
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

impl FakeBmc {
    pub fn start(cfg: FakeConfig) -> FakeBmc {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind fake BMC");
        let port = sock.local_addr().expect("addr").port();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let power = Arc::new(AtomicBool::new(true));
        let controls = Arc::new(AtomicUsize::new(0));
        let closed = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p2, c2, cl2, s2) = (
            power.clone(),
            controls.clone(),
            closed.clone(),
            stop.clone(),
        );
        let thread = std::thread::spawn(move || {
            let mut pending: Vec<(u32, Pending)> = Vec::new();
            let mut sessions: Vec<(u32, Established)> = Vec::new();
            let mut next_sid: u32 = 0x0200;
            let mut buf = [0u8; 2048];
            while !s2.load(Ordering::SeqCst) {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                let pkt = &buf[..n];
                let send = |b: Vec<u8>, to: SocketAddr| {
                    let _ = sock.send_to(&b, to);
                };
                if !packet::is_rmcpp(pkt) {
                    // Session-less IPMI 1.5 requests.
                    let Ok(p) = V15Packet::parse(pkt) else {
                        continue;
                    };
                    let Some(req) = parse_req(&p.msg) else {
                        continue;
                    };
                    let body = match (req.netfn, req.cmd) {
                        (msg::NETFN_APP, msg::CMD_GET_CHANNEL_AUTH_CAPS) => {
                            reply(&req, 0, vec![1, 0x80 | 0x15, 0x04, 0x02, 0, 0, 0, 0])
                        }
                        (msg::NETFN_APP, msg::CMD_GET_CHANNEL_CIPHER_SUITES) => {
                            let mut recs = Vec::new();
                            for id in &cfg.suites {
                                if let Some(s) = CipherSuite::from_id(*id) {
                                    recs.extend_from_slice(&[
                                        0xc0,
                                        s.id,
                                        s.auth as u8,
                                        0x40 | s.integrity as u8,
                                        0x80 | s.conf as u8,
                                    ]);
                                }
                            }
                            let idx = usize::from(req.data.get(2).copied().unwrap_or(0) & 0x3f);
                            let chunk: Vec<u8> =
                                recs.iter().skip(idx * 16).take(16).copied().collect();
                            let mut d = vec![1];
                            d.extend(chunk);
                            reply(&req, 0, d)
                        }
                        _ => reply(&req, 0xc1, vec![]),
                    };
                    send(packet::encode_v15(AuthType::None, b"", 0, 0, &body), from);
                    continue;
                }
                let Ok(p) = V20Packet::parse(pkt) else {
                    continue;
                };
                let pl = &p.payload;
                match p.payload_type {
                    packet::PAYLOAD_OPEN_SESSION_REQ if pl.len() >= 32 => {
                        let console_sid = le32(&pl[4..8]);
                        let (a, i, c) = (pl[12], pl[20], pl[28]);
                        let suite = cfg
                            .suites
                            .iter()
                            .filter_map(|id| CipherSuite::from_id(*id))
                            .find(|s| (s.auth as u8, s.integrity as u8, s.conf as u8) == (a, i, c));
                        let mut r = vec![pl[0], 0, 4, 0];
                        r.extend_from_slice(&console_sid.to_le_bytes());
                        match suite {
                            None => r[1] = 0x11,
                            Some(s) => {
                                next_sid += 1;
                                r.extend_from_slice(&next_sid.to_le_bytes());
                                r.extend_from_slice(&pl[8..32]);
                                pending.push((
                                    next_sid,
                                    Pending {
                                        console_sid,
                                        suite: s,
                                        rakp: None,
                                    },
                                ));
                            }
                        }
                        send(
                            packet::encode_v20(
                                packet::PAYLOAD_OPEN_SESSION_RSP,
                                0,
                                0,
                                &r,
                                None,
                                [0; 16],
                            ),
                            from,
                        );
                    }
                    packet::PAYLOAD_RAKP1 if pl.len() >= 28 => {
                        let sid = le32(&pl[4..8]);
                        let Some((_, pend)) = pending.iter_mut().find(|(s, _)| *s == sid) else {
                            continue;
                        };
                        let ulen = usize::from(pl[27]);
                        let user = pl.get(28..28 + ulen).unwrap_or(&[]).to_vec();
                        let mut r = vec![pl[0], 0, 0, 0];
                        r.extend_from_slice(&pend.console_sid.to_le_bytes());
                        if user != cfg.user.as_bytes() {
                            r[1] = 0x0d;
                        } else {
                            let mut rm = [0u8; 16];
                            rm.copy_from_slice(&pl[8..24]);
                            let input = RakpInput {
                                console_sid: pend.console_sid,
                                bmc_sid: sid,
                                console_rand: rm,
                                bmc_rand: crypto::random_bytes::<16>().expect("random"),
                                bmc_guid: [0x5a; 16],
                                role: pl[24],
                                username: user,
                            };
                            r.extend_from_slice(&input.bmc_rand);
                            r.extend_from_slice(&input.bmc_guid);
                            r.extend(
                                input.rakp2_auth_code(pend.suite.auth, cfg.password.as_bytes()),
                            );
                            pend.rakp = Some(input);
                        }
                        send(
                            packet::encode_v20(packet::PAYLOAD_RAKP2, 0, 0, &r, None, [0; 16]),
                            from,
                        );
                    }
                    packet::PAYLOAD_RAKP3 if pl.len() >= 8 => {
                        let sid = le32(&pl[4..8]);
                        let Some(pos) = pending.iter().position(|(s, _)| *s == sid) else {
                            continue;
                        };
                        let (_, pend) = pending.remove(pos);
                        let Some(input) = pend.rakp else { continue };
                        let mut r = vec![pl[0], 0, 0, 0];
                        r.extend_from_slice(&pend.console_sid.to_le_bytes());
                        let pw = cfg.password.as_bytes();
                        let want = input.rakp3_auth_code(pend.suite.auth, pw);
                        if pl[1] != 0 {
                            continue; // the console gave up (bad RAKP 2)
                        }
                        if !crypto::ct_eq(&want, &pl[8..]) {
                            r[1] = 0x0f;
                        } else {
                            let kg = cfg.kg.clone().unwrap_or_else(|| pw.to_vec());
                            let sik = input.sik(pend.suite.auth, &kg);
                            r.extend(input.rakp4_icv(pend.suite.auth, &sik));
                            sessions.push((
                                sid,
                                Established {
                                    console_sid: pend.console_sid,
                                    suite: pend.suite,
                                    keys: SessionKeys::derive(pend.suite.auth, sik, pw),
                                    seq: 0,
                                },
                            ));
                        }
                        send(
                            packet::encode_v20(packet::PAYLOAD_RAKP4, 0, 0, &r, None, [0; 16]),
                            from,
                        );
                    }
                    packet::PAYLOAD_IPMI => {
                        let Some(pos) = sessions.iter().position(|(s, _)| *s == p.session_id)
                        else {
                            continue;
                        };
                        let s = &mut sessions[pos].1;
                        let sec = Security {
                            keys: &s.keys,
                            integrity: s.suite.integrity,
                            conf: s.suite.conf,
                        };
                        let Ok(plain) = p.open(pkt, sec) else {
                            continue;
                        };
                        let Some(req) = parse_req(&plain) else {
                            continue;
                        };
                        let mut close = false;
                        let body = match (req.netfn, req.cmd) {
                            (msg::NETFN_APP, msg::CMD_SET_SESSION_PRIV) => {
                                reply(&req, 0, vec![req.data.first().copied().unwrap_or(2)])
                            }
                            (msg::NETFN_APP, msg::CMD_CLOSE_SESSION) => {
                                close = true;
                                cl2.fetch_add(1, Ordering::SeqCst);
                                reply(&req, 0, vec![])
                            }
                            (msg::NETFN_CHASSIS, msg::CMD_GET_CHASSIS_STATUS) => {
                                reply(&req, 0, vec![u8::from(p2.load(Ordering::SeqCst)), 0, 0])
                            }
                            (msg::NETFN_CHASSIS, msg::CMD_CHASSIS_CONTROL) => {
                                c2.fetch_add(1, Ordering::SeqCst);
                                match req.data.first().filter(|_| !cfg.stuck) {
                                    Some(0) => p2.store(false, Ordering::SeqCst),
                                    Some(1) | Some(2) | Some(3) => p2.store(true, Ordering::SeqCst),
                                    _ => {}
                                }
                                reply(&req, 0, vec![])
                            }
                            _ => reply(&req, 0xc1, vec![]),
                        };
                        s.seq += 1;
                        let iv = crypto::random_bytes::<16>().expect("random");
                        let out = packet::encode_v20(
                            packet::PAYLOAD_IPMI,
                            s.console_sid,
                            s.seq,
                            &body,
                            Some(Security {
                                keys: &s.keys,
                                integrity: s.suite.integrity,
                                conf: s.suite.conf,
                            }),
                            iv,
                        );
                        send(out, from);
                        if close {
                            sessions.remove(pos);
                        }
                    }
                    _ => {}
                }
            }
        });
        FakeBmc {
            port,
            power,
            controls,
            closed,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for FakeBmc {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
