// SPDX-License-Identifier: GPL-2.0-or-later
//! fence_na under a real Pacemaker: a single-node cluster (corosync + pacemakerd) in network,
//! mount, pid and uts namespaces of its own, with na-sim as the device. fence_na reaches
//! Pacemaker's /usr/sbin through an overlay mounted only inside those namespaces, so the host is
//! not touched. Needs root; the namespace and temporary files are removed also on failure.

use rustha_support::{Command, Deadline};
use rustha_testkit::require_root;
use std::path::PathBuf;
use std::time::Duration;

const AGENT: &str = env!("CARGO_BIN_EXE_fence_na");
const LAB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab.sh");

/// The network namespace and the work directory; removed on drop.
struct Lab {
    netns: String,
    dir: PathBuf,
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = rustha_support::run(
            &Command::new("ip").args(["netns", "del", &self.netns]),
            &Deadline::after(Duration::from_secs(10)),
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The na-sim binary, built next to fence_na (`cargo test -p fence_na -p na-sim` or a workspace
/// build puts it there); built on demand otherwise.
fn na_sim() -> PathBuf {
    let dir = PathBuf::from(AGENT).parent().unwrap().to_path_buf();
    let sim = dir.join("na-sim");
    if !sim.exists() {
        // Into the directory of this test's profile (target/release or target/debug).
        let release = dir.file_name().is_some_and(|n| n == "release");
        let mut build = vec!["build", "-p", "na-sim", "--bin", "na-sim"];
        if release {
            build.push("--release");
        }
        let out = rustha_support::run(
            &Command::new(env!("CARGO"))
                .args(build)
                .env("CARGO_TARGET_DIR", dir.parent().unwrap()),
            &Deadline::after(Duration::from_secs(300)),
        )
        .expect("cargo build -p na-sim");
        assert!(out.success(), "building na-sim: {}", out.stderr);
    }
    sim
}

/// The text between `== name` and the next `== ` line.
fn section<'a>(out: &'a str, name: &str) -> &'a str {
    let start = out
        .find(&format!("== {name}\n"))
        .unwrap_or_else(|| panic!("no section {name} in:\n{out}"));
    let body = &out[start + name.len() + 4..];
    &body[..body.find("\n== ").map(|i| i + 1).unwrap_or(body.len())]
}

#[test]
#[ignore = "needs root"]
fn pacemaker_fences_a_simulated_node() {
    require_root("namespaces, corosync");
    let sim = na_sim();
    let lab = Lab {
        netns: format!("fna{}", std::process::id()),
        dir: std::env::temp_dir().join(format!("fence_na-pcmk-{}", std::process::id())),
    };
    let _ = std::fs::remove_dir_all(&lab.dir);
    std::fs::create_dir_all(&lab.dir).unwrap();
    let add = rustha_support::run(
        &Command::new("ip").args(["netns", "add", &lab.netns]),
        &Deadline::after(Duration::from_secs(10)),
    )
    .unwrap();
    assert!(add.success(), "ip netns add: {}", add.stderr);
    let dir = lab.dir.display().to_string();
    let sim = sim.display().to_string();
    let out = rustha_support::run(
        &Command::new("ip").args([
            "netns",
            "exec",
            &lab.netns,
            "unshare",
            "--kill-child=SIGKILL",
            "--mount",
            "--uts",
            "--ipc",
            "--pid",
            "--fork",
            "--mount-proc",
            "--propagation",
            "private",
            LAB,
            &dir,
            AGENT,
            &sim,
        ]),
        &Deadline::after(Duration::from_secs(240)),
    )
    .expect("the lab finished within 240 s");
    let log = std::fs::read_to_string(lab.dir.join("log/pacemaker.log")).unwrap_or_default();
    let o = &out.stdout;
    let ctx = || {
        format!(
            "stdout:\n{o}\nstderr:\n{}\npacemaker.log (tail):\n{}",
            out.stderr,
            log.lines().rev().take(40).collect::<Vec<_>>().join("\n")
        )
    };
    assert!(
        section(o, "registered").contains("1 fence device found"),
        "{}",
        ctx()
    );
    let meta = section(o, "metadata");
    assert!(
        meta.contains("<resource-agent name=\"fence_na\""),
        "{}",
        ctx()
    );
    assert!(meta.contains("<parameter name=\"ipport\""), "{}", ctx());
    assert!(meta.contains("metadata rc=0"), "{}", ctx());
    let d = section(o, "describe");
    assert!(
        d.starts_with("fence_na - Fence agent for Node Assassin"),
        "{}",
        ctx()
    );
    assert!(
        d.contains("ipport: TCP port of the Node Assassin") && d.contains("describe rc=0"),
        "{}",
        ctx()
    );
    assert!(section(o, "list").contains("list rc=0"), "{}", ctx());
    assert_eq!(
        section(o, "targets").lines().take(4).collect::<Vec<_>>(),
        ["01", "02", "03", "04"],
        "dynamic list from the device: {}",
        ctx()
    );
    assert!(section(o, "reboot").contains("reboot rc=0"), "{}", ctx());
    assert!(section(o, "fence").contains("fence rc=0"), "{}", ctx());
    assert!(
        !section(o, "unknown").contains("unknown rc=0"),
        "node9 has no plug: {}",
        ctx()
    );
    let u = section(o, "unreachable");
    assert!(u.contains("cannot connect to Node Assassin at 10.251.9.77:238: no answer within the login timeout"), "{}", ctx());
    assert!(u.contains("unreachable rc=1"), "{}", ctx());
    let ms: u64 = u
        .rsplit("ms=")
        .next()
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert!(ms < 3000, "took {ms} ms: {}", ctx());
    // The power commands ran: node 2 went off and came back, node 3 stayed off.
    assert_eq!(
        section(o, "files").lines().collect::<Vec<_>>(),
        ["off-02", "off-03", "on-02"],
        "{}",
        ctx()
    );
}
