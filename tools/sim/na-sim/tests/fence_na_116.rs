// SPDX-License-Identifier: GPL-2.0-or-later
//! The original fence_na 1.1.6 (Perl) against na-sim with its default timing, as fenced runs it
//! (options on stdin). The 1.1.6 agent is the only surviving client of real devices, and its
//! fixed waits are what it assumed of one: after `NN:2` returns it sleeps 1 s and expects the
//! node's power feed up. See fence_na-1.1.6/README.md.

use rustha_support::{Command, Deadline};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const SIM: &str = env!("CARGO_BIN_EXE_na-sim");

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Install the 1.1.6 agent into `dir` as its Makefile.am did, talking to 127.0.0.1:`port`.
fn install_116(dir: &Path, port: u16) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fence_na-1.1.6");
    let conf = dir.join("fence_na.conf");
    let subst = |name: &str| {
        std::fs::read_to_string(src.join(name))
            .unwrap()
            .replace("@FENCEAGENTSLIBDIR@", &dir.display().to_string())
            .replace("@NACONFFILE@", &conf.display().to_string())
    };
    std::fs::write(dir.join("fence_na.lib"), subst("fence_na.lib.in")).unwrap();
    let agent = dir.join("fence_na");
    std::fs::write(&agent, subst("fence_na.pl")).unwrap();
    // The sample configuration's keys, pointing at the simulator.
    std::fs::write(
        &conf,
        format!(
            "system::na_num = 1\nsystem::agent_version = 1.1.6\nsystem::log = {}/fence_na.log\n\
             system::quiet = 0\nsystem::debug = 0\nsystem::username = admin\n\
             system::password = secret\nna::1::na_name = na-sim\nna::1::ipaddr = 127.0.0.1\n\
             na::1::tcp_port = {port}\nna::1::max_nodes = 4\nna::1::alias::1 = node01\n\
             na::1::alias::2 = node02\n",
            dir.display()
        ),
    )
    .unwrap();
    agent
}

/// One run of the 1.1.6 agent as fenced calls it: (exit code, stdout).
fn fence_na(agent: &Path, action: &str) -> (i32, String) {
    let input = format!(
        "agent=fence_na\nipaddr=127.0.0.1\nlogin=admin\npasswd=secret\nport=2\naction={action}\n"
    );
    let out = rustha_support::run(
        &Command::new("perl").arg(agent).stdin(input),
        &Deadline::after(Duration::from_secs(60)),
    )
    .expect("fence_na 1.1.6 ran");
    (out.code(), out.stdout + &out.stderr)
}

/// Node 02's line in the device's state table.
fn node02(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"00:0\n").unwrap();
    let mut got = Vec::new();
    let mut b = [0u8; 512];
    while tnap::find_eom(&got).is_none() {
        let n = s.read(&mut b).unwrap();
        assert!(n > 0, "closed before EOM");
        got.extend_from_slice(&b[..n]);
    }
    let text = String::from_utf8(got).unwrap();
    text.lines()
        .find(|l| l.starts_with("- Node 02:"))
        .unwrap_or_default()
        .to_string()
}

fn need_net_telnet() {
    let perl = rustha_support::run(
        &Command::new("perl").args(["-MNet::Telnet", "-e", "1"]),
        &Deadline::after(Duration::from_secs(10)),
    );
    assert!(
        perl.as_ref().is_ok_and(|o| o.success()),
        "this test runs the original fence_na, which needs perl's Net::Telnet: \
         apt-get install libnet-telnet-perl (tools/install-deps.sh does)"
    );
}

/// na-sim with `args` (and where to listen) in a directory of its own: (dir, process, port).
fn start_sim(name: &str, args: &[&str]) -> (TempDir, Running, u16) {
    let dir =
        TempDir(std::env::temp_dir().join(format!("na-sim-116-{name}-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();
    let port_file = dir.0.join("port");
    let sim = Running(
        std::process::Command::new(SIM)
            .args(["--listen", "127.0.0.1:0", "--port-file"])
            .arg(&port_file)
            .args(args)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while !port_file.exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "no port file");
        std::thread::sleep(Duration::from_millis(10));
    }
    let port: u16 = std::fs::read_to_string(&port_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (dir, sim, port)
}

#[test]
fn original_agent_passes_every_action_against_the_defaults() {
    need_net_telnet();
    let (dir, _sim, port) = start_sim("defaults", &[]);
    let agent = install_116(&dir.0, port);

    let (code, out) = fence_na(&agent, "status");
    assert_eq!(code, 0, "status of a running node: {out}");
    let (code, out) = fence_na(&agent, "off");
    assert_eq!(code, 0, "off: {out}");
    assert_eq!(node02(port), "- Node 02: P1, R0, F0", "held off");
    let (code, out) = fence_na(&agent, "status");
    assert_eq!(code, 2, "status of a fenced node: {out}");
    // Release, press, sleep 1, expect the feed up: exited 1 when the feed rose 1.5 s after an
    // immediate reply.
    let (code, out) = fence_na(&agent, "on");
    assert_eq!(code, 0, "on: {out}");
    assert_eq!(node02(port), "- Node 02: P0, R0, F1");
    let (code, out) = fence_na(&agent, "on");
    assert_eq!(code, 0, "on of a running node: {out}");
    assert!(out.contains("already running"), "{out}");
    let (code, out) = fence_na(&agent, "reboot");
    assert_eq!(code, 0, "reboot: {out}");
    assert_eq!(node02(port), "- Node 02: P0, R0, F1");
    let (code, out) = fence_na(&agent, "status");
    assert_eq!(code, 0, "status after reboot: {out}");
    let (code, out) = fence_na(&agent, "list");
    assert_eq!(code, 0, "list: {out}");
    assert!(
        out.contains("1,node01\n2,node02\n3,--\n4,--\n"),
        "list: {out}"
    );
}

/// What `--help` says of `--no-commas`: the original agent reads only the comma form. Without
/// it, the agent sees no node lines and reports a running node as off.
#[test]
fn original_agent_needs_the_comma_form() {
    need_net_telnet();
    let (dir, _sim, port) = start_sim("no-commas", &["--no-commas"]);
    let agent = install_116(&dir.0, port);
    assert_eq!(node02(port), "- Node 02: P0 R0 F1");
    let (code, out) = fence_na(&agent, "status");
    assert_eq!(
        code, 2,
        "status of a running node read without commas: {out}"
    );
}
