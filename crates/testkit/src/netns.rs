// SPDX-License-Identifier: GPL-2.0-or-later
//! Network namespaces for tests: created per test with unique names, removed on drop (also when
//! the test fails), after killing whatever still runs inside. Setup and inspection use ip(8).

use crate::run::{Agent, Outcome};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Run ip(8) with `args`; panics with its stderr if it fails. Returns its stdout.
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

/// A set of namespaces and a state directory (the agents' `HA_RSCTMP`), removed on drop.
pub struct Lab {
    pub namespaces: Vec<String>,
    pub state: PathBuf,
    tag: String,
}

impl Default for Lab {
    fn default() -> Self {
        Self::new()
    }
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

    /// A hub namespace with a bridge, and one namespace per member with eth0 on the bridge.
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

    /// An OCF agent invocation inside `ns` with this lab's state directory as `HA_RSCTMP`.
    pub fn agent(&self, ns: &str, bin: &str) -> Agent {
        Agent::ocf(bin).netns(ns).env("HA_RSCTMP", &self.state)
    }

    /// Run OCF agent `bin` inside `ns` with `args` and instance parameters `params`.
    pub fn run(&self, ns: &str, bin: &str, args: &[&str], params: &[(&str, &str)]) -> Outcome {
        self.agent(ns, bin).args(args).params(params).run()
    }

    /// Run OCF agent `bin` in the test's own namespace.
    pub fn run_here(&self, bin: &str, args: &[&str], params: &[(&str, &str)]) -> Outcome {
        Agent::ocf(bin)
            .env("HA_RSCTMP", &self.state)
            .args(args)
            .params(params)
            .run()
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
                        crate::process::kill(pid, libc::SIGKILL);
                    }
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = std::fs::remove_dir_all(&self.state);
    }
}
