//! The agent against the small RMCP+ test BMC of the ipmi-lan crate: cipher suite 17 (which
//! ipmi_sim refuses) through every action, and a machine whose power never changes (the agent
//! gives up after power_timeout with one clear line). No root needed: nothing is started but a
//! thread on a loopback UDP port.

#[path = "../../ipmi/tests/fake_bmc/mod.rs"]
mod fake_bmc;
use fake_bmc::{FakeBmc, FakeConfig};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const AGENT: &str = env!("CARGO_BIN_EXE_fence_ipmilan_rs");

fn bmc(stuck: bool) -> FakeBmc {
    FakeBmc::start(FakeConfig {
        suites: vec![3, 17],
        user: "admin".into(),
        password: "secret".into(),
        kg: None,
        stuck,
    })
}

fn run(b: &FakeBmc, extra: &[&str]) -> (i32, String, String) {
    let o = Command::new(AGENT)
        .args([
            "--ip=127.0.0.1",
            &format!("--ipport={}", b.port),
            "--username=admin",
            "--password=secret",
        ])
        .args(extra)
        .output()
        .expect("run agent");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn suite_17_every_action() {
    let b = bmc(false);
    for cipher in [&["-P", "-C", "17"][..], &["-P"]] {
        let with = |a: &[&'static str]| -> Vec<&str> { cipher.iter().chain(a).copied().collect() };
        let (rc, out, err) = run(&b, &with(&["-o", "status", "-v"]));
        assert_eq!((rc, out.trim()), (0, "Status: ON"), "{err}");
        assert!(err.contains("cipher suite 17"), "{err}");
        assert_eq!(run(&b, &with(&["-o", "off"])).0, 0);
        assert!(!b.power.load(Ordering::SeqCst));
        assert_eq!(run(&b, &with(&["-o", "status"])).0, 2);
        assert_eq!(run(&b, &with(&["-o", "on"])).0, 0);
        assert!(b.power.load(Ordering::SeqCst));
        let (rc, out, _) = run(&b, &with(&["-o", "reboot"]));
        assert_eq!((rc, out.trim()), (0, "Success: Rebooted"));
        assert!(b.power.load(Ordering::SeqCst));
    }
    // Every session was closed.
    assert!(b.closed.load(Ordering::SeqCst) >= 10);
}

#[test]
fn power_that_never_changes_fails_after_power_timeout() {
    let b = bmc(true);
    let started = Instant::now();
    let (rc, _, err) = run(&b, &["-P", "-C", "17", "-o", "off", "--power-timeout=1"]);
    let took = started.elapsed();
    assert_eq!(rc, 1);
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(4),
        "{took:?}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("still reports power ON"), "{err}");
    assert!(lines[0].contains("power_timeout"), "{err}");
    assert!(b.controls.load(Ordering::SeqCst) >= 1);
}
