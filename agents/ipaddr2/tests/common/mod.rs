// SPDX-License-Identifier: GPL-2.0-or-later
//! Network namespaces for the integration tests: created per test, always removed (Drop), also
//! when the test fails. Setup and inspection use ip(8); the agent under test never does.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

pub const IPADDR2: &str = env!("CARGO_BIN_EXE_IPaddr2");
pub const IPADDR: &str = env!("CARGO_BIN_EXE_IPaddr");

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Skip (with a message) when not root.
#[macro_export]
macro_rules! need_root {
    () => {
        if !common::is_root() {
            eprintln!("SKIPPED: this test needs root (network namespaces)");
            return;
        }
    };
}

/// Run ip(8) with `args`; panics with its stderr if it fails.
pub fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A set of namespaces and a state directory, removed on drop.
pub struct Lab {
    pub namespaces: Vec<String>,
    pub state: PathBuf,
    tag: String,
}

impl Lab {
    pub fn new() -> Lab {
        let tag = format!(
            "rip{}x{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let state = std::env::temp_dir().join(format!("{tag}-state"));
        std::fs::create_dir_all(&state).expect("state dir");
        Lab {
            namespaces: Vec::new(),
            state,
            tag,
        }
    }

    /// A new namespace with lo up; returns its name.
    pub fn ns(&mut self, short: &str) -> String {
        let name = format!("{}{short}", self.tag);
        ip(&["netns", "add", &name]);
        self.namespaces.push(name.clone());
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        name
    }

    /// A namespace with a veth pair eth0/eth1 (both inside, both up).
    pub fn ns_with_pair(&mut self, short: &str) -> String {
        let ns = self.ns(short);
        ip(&[
            "link", "add", "eth0", "netns", &ns, "type", "veth", "peer", "name", "eth1", "netns",
            &ns,
        ]);
        ip(&["-n", &ns, "link", "set", "eth0", "up"]);
        ip(&["-n", &ns, "link", "set", "eth1", "up"]);
        ns
    }

    /// A hub namespace with a bridge, and `n` member namespaces each with eth0 on the bridge.
    pub fn segment(&mut self, members: &[&str]) -> Vec<String> {
        let hub = self.ns("hub");
        ip(&["-n", &hub, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &hub, "link", "set", "br0", "up"]);
        let mut out = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let ns = self.ns(m);
            let port = format!("p{i}");
            ip(&[
                "link", "add", "eth0", "netns", &ns, "type", "veth", "peer", "name", &port,
                "netns", &hub,
            ]);
            ip(&["-n", &hub, "link", "set", &port, "master", "br0"]);
            ip(&["-n", &hub, "link", "set", &port, "up"]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
            out.push(ns);
        }
        out
    }

    /// Run the agent inside `ns` (`ip netns exec`), with OCF variables `env`.
    pub fn run(&self, ns: &str, bin: &str, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns, bin]).args(args);
        self.exec(c, env)
    }

    /// Run the agent in the current namespace.
    pub fn run_here(&self, bin: &str, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut c = Command::new(bin);
        c.args(args);
        self.exec(c, env)
    }

    fn exec(&self, mut c: Command, env: &[(&str, &str)]) -> Outcome {
        for (k, _) in std::env::vars() {
            if k.starts_with("OCF_") || k.starts_with("HA_") {
                c.env_remove(k);
            }
        }
        c.env("HA_RSCTMP", &self.state);
        c.env("OCF_ROOT", "/usr/lib/ocf");
        for (k, v) in env {
            c.env(format!("OCF_RESKEY_{k}"), v);
        }
        let out = c.output().expect("run agent");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `ip -o addr show` inside `ns`.
    pub fn addrs(&self, ns: &str) -> String {
        ip(&["-n", ns, "-o", "addr", "show"])
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.namespaces.iter().rev() {
            // End anything left running inside (a background ARP sender), then the namespace.
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    if let Ok(pid) = pid.parse::<i32>() {
                        // SAFETY: signalling a process that lives in our own test namespace.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The last `ocf-exit-reason:` line.
    pub fn reason(&self) -> String {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("ocf-exit-reason:"))
            .next_back()
            .unwrap_or("")
            .to_string()
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn expect_reason(&self, code: i32, needle: &str) -> &Self {
        self.expect(code);
        assert!(
            self.reason().contains(needle),
            "exit reason {:?} should mention {needle:?}",
            self.reason()
        );
        self
    }
}
