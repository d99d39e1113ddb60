// SPDX-License-Identifier: GPL-2.0-or-later
//! The na-sim binary as a user runs it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SIM: &str = env!("CARGO_BIN_EXE_na-sim");

/// Kills the simulator we started, also when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn ask(port: u16, cmd: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(cmd.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut b = [0u8; 512];
    while tnap::find_eom(&got).is_none() {
        let n = s.read(&mut b).unwrap();
        assert!(n > 0, "closed before EOM");
        got.extend_from_slice(&b[..n]);
    }
    String::from_utf8(got).unwrap()
}

#[test]
fn help_and_bad_options() {
    let o = Command::new(SIM).arg("--help").output().unwrap();
    assert!(o.status.success());
    let h = String::from_utf8_lossy(&o.stdout);
    assert!(
        h.contains("--listen ADDR:PORT") && h.contains("drop-mid-reply, no-eom, slow=MS, refuse")
    );
    // Issue 9 item 19: which node-line form the original agent needs.
    let flat = h.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("The original fence_na 1.1.6 agent reads only the comma form"),
        "{h}"
    );
    // Issue 9 item 18b: the limits are documented.
    assert!(
        flat.contains("At most --max-connections clients are served at once (64)")
            && flat.contains("the connection idle longest is closed to admit a new client")
            && flat.contains("--idle-timeout-s (120 s)"),
        "{h}"
    );
    let o = Command::new(SIM).arg("--man").output().unwrap();
    assert!(o.status.success());
    let m = String::from_utf8_lossy(&o.stdout);
    assert!(
        m.starts_with(".TH NA-SIM 1 ") && m.contains(".SH LIMITS"),
        "{m}"
    );
    for (args, msg) in [
        (
            vec!["--nodes", "0"],
            "--nodes '0' out of range (expected 1..99)",
        ),
        (vec!["--fault", "boom"], "unknown fault 'boom'"),
        (
            vec!["--listen", "nowhere"],
            "--listen 'nowhere' is not ADDR:PORT",
        ),
        (vec!["--frobnicate"], "unknown option '--frobnicate'"),
        (vec!["--off-ms"], "option --off-ms needs a value"),
    ] {
        let o = Command::new(SIM).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(msg), "{args:?}: {e}");
    }
}

/// Issue 9 item 17: a value echoed in an error is escaped and bounded (one short line).
#[test]
fn echoed_values_are_escaped_and_bounded() {
    let long = format!("1\nforged line{}", "x".repeat(100_000));
    for opt in ["--nodes", "--listen", "--fault", "--boot-ms", "--initial"] {
        let o = Command::new(SIM).args([opt, &long]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{opt}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(e.lines().count(), 1, "{opt}: {e}");
        assert!(e.len() < 300, "{opt}: {} bytes", e.len());
        assert!(e.contains("'1\\nforged line"), "{opt}: {e}");
    }
    let o = Command::new(SIM).arg(&long).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
}

#[test]
fn serves_and_runs_power_commands() {
    let dir = std::env::temp_dir().join(format!("na-sim-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let power = dir.join("power");
    let child = Command::new(SIM)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--nodes",
            "2",
            "--off-ms",
            "50",
            "--boot-ms",
            "80",
            "--press-ms",
            "20",
        ])
        .arg("--port-file")
        .arg(&port_file)
        .arg("--power-dir")
        .arg(&power)
        .arg("--off-cmd")
        .arg(format!("touch {}/off-{{node}}", dir.display()))
        .arg("--on-cmd")
        .arg(format!("touch {}/on-{{num}}", dir.display()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _sim = Running(child);
    wait_until("the port file", || port_file.exists());
    let port: u16 = std::fs::read_to_string(&port_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let r = ask(port, "00:0\n");
    assert!(
        r.contains("- Node 02: P0, R0, F1\n") && r.ends_with("EOM\n"),
        "{r}"
    );
    assert_eq!(std::fs::read_to_string(power.join("02")).unwrap(), "on\n");
    ask(port, "02:1\n");
    wait_until("the off command", || dir.join("off-02").exists());
    assert_eq!(std::fs::read_to_string(power.join("02")).unwrap(), "off\n");
    ask(port, "02:0\n");
    ask(port, "02:2\n");
    wait_until("the on command", || dir.join("on-2").exists());
    assert!(ask(port, "00:0\n").contains("- Node 02: P0, R0, F1\n"));
    let info = tnap::parse_info_reply(&ask(port, "00:1\n")).unwrap();
    assert_eq!(info.node_count, Some(2));
    drop(_sim);
    let _ = std::fs::remove_dir_all(&dir);
}
