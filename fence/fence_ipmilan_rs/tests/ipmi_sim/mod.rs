// SPDX-License-Identifier: GPL-2.0-or-later
//! Test harness: an OpenIPMI `ipmi_sim` BMC on a random loopback UDP port whose "machine" is a
//! sleep process (alive == powered on), UDP fault injectors, and runners for our agent and
//! fence-agents' fence_ipmilan.
#![allow(dead_code)]

use rustha_testkit::{alive, free_tcp_port, free_udp_port, kill, require_root, TempDir};
use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const AGENT: &str = env!("CARGO_BIN_EXE_fence_ipmilan_rs");
pub const STOCK: &str = "/usr/sbin/fence_ipmilan";

/// The tests that start ipmi_sim are root-only (`#[ignore = "needs root"]`, the project's rule
/// for tests that start external daemons) and need OpenIPMI's simulator.
pub fn require_ipmi_sim() {
    require_root("starts ipmi_sim");
    assert!(
        Path::new("/usr/bin/ipmi_sim").exists(),
        "ipmi_sim is missing: apt-get install -y --no-install-recommends openipmi"
    );
}

/// One ipmi_sim instance.
pub struct Sim {
    pub port: u16,
    child: Option<Child>,
    pub dir: TempDir,
}

pub const LAN_CONF: &str = r#"name "rusthabmc"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 @PORT@
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
@LANEXTRA@  endlan
  serial 15 127.0.0.1 @SERIAL@ codec VM
  startcmd "@DIR@/node.sh"
  startnow @STARTNOW@
  poweroff_wait 1
  kill_wait 1
  user 1 true  ""       "test"    user     10 none md2 md5 straight
  user 2 true  "admin"  "secret"  admin    10 none md2 md5 straight
  user 3 true  "viewer" "viewpw"  user     10 none md2 md5 straight
  user 4 true  "oper"   "operpw"  operator 10 none md2 md5 straight
"#;

pub const BMC_EMU: &str = "mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
";

impl Sim {
    /// Start ipmi_sim; the machine starts powered on when `on`.
    pub fn start(on: bool) -> Sim {
        Sim::start_with(on, "")
    }

    /// Start ipmi_sim with extra lines in its `startlan` section (e.g. `bmc_key HEX32`).
    pub fn start_with(on: bool, lan_extra: &str) -> Sim {
        Sim::start_machine(on, lan_extra, "exec sleep 1000000")
    }

    /// Start ipmi_sim whose machine runs `body` (shell lines after writing node.pid): a
    /// machine that stays up runs `exec sleep 1000000`; one whose power-on fails (the start
    /// command exits at once) runs `exit 0`.
    pub fn start_machine(on: bool, lan_extra: &str, body: &str) -> Sim {
        let dir = TempDir::new("sim");
        let port = free_udp_port();
        let serial = free_tcp_port();
        let d = dir.0.display().to_string();
        let conf = LAN_CONF
            .replace("@PORT@", &port.to_string())
            .replace("@SERIAL@", &serial.to_string())
            .replace("@DIR@", &d)
            .replace("@STARTNOW@", if on { "true" } else { "false" })
            .replace("@LANEXTRA@", lan_extra);
        std::fs::write(dir.0.join("lan.conf"), conf).expect("write lan.conf");
        std::fs::write(dir.0.join("bmc.emu"), BMC_EMU).expect("write bmc.emu");
        let node = dir.0.join("node.sh");
        std::fs::write(
            &node,
            format!("#!/bin/sh\necho $$ > {d}/node.pid\n{body}\n"),
        )
        .expect("write node.sh");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o755))
            .expect("chmod node.sh");
        std::fs::create_dir_all(dir.0.join("state")).expect("state dir");
        let log = std::fs::File::create(dir.0.join("sim.log")).expect("sim.log");
        let child = Command::new("ipmi_sim")
            .arg("-c")
            .arg(dir.0.join("lan.conf"))
            .arg("-f")
            .arg(dir.0.join("bmc.emu"))
            .arg("-s")
            .arg(dir.0.join("state"))
            .arg("-n")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log)
            .spawn()
            .expect("start ipmi_sim");
        let sim = Sim {
            port,
            child: Some(child),
            dir,
        };
        sim.wait_ready();
        if on {
            let t = Instant::now();
            while !sim.power_on() && t.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(20));
            }
            assert!(sim.power_on(), "ipmi_sim did not start the machine");
        }
        sim
    }

    fn wait_ready(&self) {
        let t = Instant::now();
        loop {
            let o = run_agent(&self.args(&["-P", "-C", "3", "-o", "status", "--login-timeout=1"]));
            // Answering at all is ready (a BMC with a Kg refuses us without one).
            if matches!(o.status.code(), Some(0) | Some(2))
                || String::from_utf8_lossy(&o.stderr).contains("BMC key")
            {
                return;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "ipmi_sim on port {} not ready: {}\n{}",
                self.port,
                String::from_utf8_lossy(&o.stderr),
                std::fs::read_to_string(self.dir.0.join("sim.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The machine's pid, if it runs: a live child of ipmi_sim (it forks the start command when
    /// it powers the machine on, so this is exact at any moment).
    pub fn node_pid(&self) -> Option<i32> {
        let sim = self.child.as_ref()?.id();
        let tasks = std::fs::read_dir(format!("/proc/{sim}/task")).ok()?;
        tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
            .flat_map(|c| {
                c.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok())
                    .collect::<Vec<_>>()
            })
            .find(|&p| alive(p))
    }

    pub fn power_on(&self) -> bool {
        self.node_pid().is_some()
    }

    /// Wait (bounded) until the machine is in state `on`; returns whether it got there.
    pub fn wait_power(&self, on: bool, within: Duration) -> bool {
        let t = Instant::now();
        loop {
            if self.power_on() == on {
                return true;
            }
            if t.elapsed() > within {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Common arguments: address, port, admin credentials, then `extra`.
    pub fn args(&self, extra: &[&str]) -> Vec<String> {
        self.args_as("admin", "secret", extra)
    }

    pub fn args_as(&self, user: &str, pw: &str, extra: &[&str]) -> Vec<String> {
        args_at(self.port, user, pw, extra)
    }

    /// Stop ipmi_sim (and its machine) now.
    pub fn stop(&mut self) {
        let node = self.node_pid();
        if let Some(mut c) = self.child.take() {
            kill(c.id() as i32, libc::SIGTERM);
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(3) {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(pid) = node.filter(|&p| alive(p)) {
            kill(pid, libc::SIGKILL);
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Arguments for a BMC on 127.0.0.1:`port` (ipmi_sim or an injector in front of it): address,
/// port, credentials, then `extra`.
pub fn args_at(port: u16, user: &str, pw: &str, extra: &[&str]) -> Vec<String> {
    let mut v = vec![
        "--ip=127.0.0.1".to_string(),
        format!("--ipport={port}"),
        format!("--username={user}"),
        format!("--password={pw}"),
    ];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

pub fn run_agent<S: AsRef<str>>(args: &[S]) -> Output {
    run_prog(AGENT, args, None)
}

pub fn run_agent_stdin(stdin: &str) -> Output {
    run_prog::<&str>(AGENT, &[], Some(stdin))
}

pub fn run_stock<S: AsRef<str>>(args: &[S]) -> Output {
    run_prog(STOCK, args, None)
}

pub fn run_prog<S: AsRef<str>>(prog: &str, args: &[S], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut c = Command::new(prog)
        .args(args.iter().map(|a| a.as_ref()))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    if let (Some(text), Some(mut w)) = (stdin, c.stdin.take()) {
        let _ = w.write_all(text.as_bytes());
    }
    c.wait_with_output().expect("wait for agent")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Lines of stderr that are ours (not the Python deprecation warnings of fence_ipmilan).
pub fn error_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// What a fault injector does with each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer every request with pseudo-random bytes (sometimes an RMCP-looking header).
    Garbage,
    /// Forward to the BMC, answer with the first half of its reply.
    Truncate,
    /// Forward to the BMC, drop its first `n` replies, pass the rest.
    DropFirst(usize),
    /// Never answer.
    Silent,
    /// Forward to the BMC, pass its first `n` replies (the login), truncate the rest.
    TruncateAfter(usize),
}

/// A UDP responder thread on a random loopback port that sits in front of a BMC.
pub struct Injector {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub dropped: Arc<AtomicUsize>,
}

impl Injector {
    pub fn start(fault: Fault, bmc_port: Option<u16>) -> Injector {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind injector");
        let port = sock.local_addr().expect("addr").port();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicUsize::new(0));
        let (stop2, dropped2) = (stop.clone(), dropped.clone());
        let thread = std::thread::spawn(move || {
            let upstream = bmc_port.map(|p| {
                let u = UdpSocket::bind("127.0.0.1:0").expect("bind upstream");
                u.connect(("127.0.0.1", p)).expect("connect upstream");
                u.set_read_timeout(Some(Duration::from_millis(500)))
                    .expect("timeout");
                u
            });
            let mut rng = rustha_testkit::XorShift::new(0x9e37_79b9_7f4a_7c15);
            let mut next = move || rng.next_u64();
            let mut buf = [0u8; 2048];
            let mut up = [0u8; 2048];
            while !stop2.load(Ordering::SeqCst) {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                match fault {
                    Fault::Silent => {}
                    Fault::Garbage => {
                        let len = (next() % 64) as usize;
                        let mut g: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                        if next() & 1 == 0 && g.len() > 6 {
                            // Make some of it look like RMCP/IPMI so deeper parsers are reached.
                            g[..6].copy_from_slice(&[0x06, 0x00, 0xff, 0x07, buf[4], buf[5]]);
                        }
                        let _ = sock.send_to(&g, from);
                    }
                    Fault::Truncate | Fault::DropFirst(_) | Fault::TruncateAfter(_) => {
                        let Some(u) = upstream.as_ref() else { continue };
                        let _ = u.send(&buf[..n]);
                        let Ok(m) = u.recv(&mut up) else { continue };
                        match fault {
                            Fault::Truncate => {
                                let _ = sock.send_to(&up[..m / 2], from);
                            }
                            Fault::TruncateAfter(k) => {
                                let seen = dropped2.fetch_add(1, Ordering::SeqCst);
                                let len = if seen < k { m } else { m / 2 };
                                let _ = sock.send_to(&up[..len], from);
                            }
                            Fault::DropFirst(k) => {
                                if dropped2.load(Ordering::SeqCst) < k {
                                    dropped2.fetch_add(1, Ordering::SeqCst);
                                } else {
                                    let _ = sock.send_to(&up[..m], from);
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        });
        Injector {
            port,
            stop,
            thread: Some(thread),
            dropped,
        }
    }
}

impl Drop for Injector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
