// SPDX-License-Identifier: GPL-2.0-or-later
//! Processes and ports of the tests' own helpers.

use std::process::Command;

/// Whether `pid` runs (a zombie counts as dead: its state in /proc is `Z`).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// kill(2) of a process the test started; pids 0, 1 and negative ones are refused.
pub fn kill(pid: i32, sig: i32) {
    if pid > 1 {
        // SAFETY: plain kill(2) of a process this test started.
        unsafe { libc::kill(pid, sig) };
    }
}

/// A UDP port on 127.0.0.1 that was free a moment ago.
pub fn free_udp_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port");
    s.local_addr().expect("local addr").port()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_tcp_port() -> u16 {
    let s = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a TCP port");
    s.local_addr().expect("local addr").port()
}

/// `sh -c script` for test setup; whether it succeeded.
pub fn sh(script: &str) -> bool {
    Command::new("sh")
        .args(["-c", script])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
