//! fence_na as Pacemaker sees it: its meta-data through stonith_admin and pcs. Needs root (the
//! agent must be in /usr/sbin); the copy is removed afterwards, also on failure.

use rustha_support::{Command, Deadline};
use std::path::Path;
use std::time::Duration;

const AGENT: &str = env!("CARGO_BIN_EXE_fence_na");
const INSTALLED: &str = "/usr/sbin/fence_na";

struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(INSTALLED);
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn tool(prog: &str, args: &[&str]) -> rustha_support::Output {
    rustha_support::run(
        &Command::new(prog).args(args),
        &Deadline::after(Duration::from_secs(60)),
    )
    .unwrap_or_else(|e| panic!("{prog}: {e}"))
}

#[test]
fn pacemaker_reads_the_metadata() {
    if !is_root() {
        println!("SKIP pacemaker_reads_the_metadata: needs root to put fence_na in /usr/sbin");
        return;
    }
    if Path::new(INSTALLED).exists() {
        println!("SKIP pacemaker_reads_the_metadata: {INSTALLED} exists already, not replacing it");
        return;
    }
    std::fs::copy(AGENT, INSTALLED).expect("copy fence_na to /usr/sbin");
    let _guard = Installed;

    let m = tool("stonith_admin", &["--metadata", "-a", "fence_na"]);
    assert!(m.success(), "stonith_admin: {}", m.stderr);
    assert!(
        m.stdout.contains("<resource-agent name=\"fence_na\""),
        "{}",
        m.stdout
    );
    assert!(
        m.stdout.contains("<parameter name=\"ipport\""),
        "{}",
        m.stdout
    );
    // Pacemaker re-emits the parsed XML: the plug parameter and the actions survived.
    assert!(
        m.stdout.contains("<parameter name=\"plug\""),
        "{}",
        m.stdout
    );
    assert!(
        m.stdout.contains("<action name=\"on\" automatic=\"0\"/>"),
        "{}",
        m.stdout
    );

    let l = tool("stonith_admin", &["--list-installed"]);
    assert!(
        l.stdout.lines().any(|x| x.trim() == "fence_na"),
        "{}",
        l.stdout
    );

    let d = tool("pcs", &["stonith", "describe", "fence_na"]);
    assert!(d.success(), "pcs: {}", d.stderr);
    assert!(
        d.stdout
            .starts_with("fence_na - Fence agent for Node Assassin"),
        "{}",
        d.stdout
    );
    assert!(
        d.stdout.contains("ipport: TCP port of the Node Assassin"),
        "{}",
        d.stdout
    );
}
