// SPDX-License-Identifier: GPL-2.0-or-later
//! The agent against the small RMCP+ test BMC of the ipmi-lan crate: cipher suite 17 (which
//! ipmi_sim refuses) through every action, and a machine whose power never changes (the agent
//! gives up after power_timeout with one clear line). No root needed: nothing is started but a
//! thread on a loopback UDP port.

#[path = "../../../crates/ipmi-lan/tests/fake_bmc/mod.rs"]
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

/// `list` and `list-status` print fence_ipmilan's NOTICE line and exit 0 without contacting the
/// BMC (nothing listens on the address given); the meta-data lists neither action, as
/// fence_ipmilan's does not.
#[test]
fn list_prints_the_notice_fence_ipmilan_prints() {
    const STOCK: &str = "/usr/sbin/fence_ipmilan";
    let notice = "NOTICE: List option is not working on this device yet";
    for action in ["list", "list-status"] {
        let args = [
            "-a",
            "127.0.0.1",
            "-u",
            "9",
            "-l",
            "x",
            "-p",
            "y",
            "-o",
            action,
        ];
        let o = Command::new(AGENT).args(args).output().expect("run agent");
        assert_eq!(o.status.code(), Some(0), "{action}");
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim_end(), notice);
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s = Command::new(STOCK)
            .args(args)
            .output()
            .expect("run the stock fence_ipmilan (apt-get install fence-agents)");
        assert_eq!(s.status.code(), Some(0), "stock {action}");
        assert_eq!(String::from_utf8_lossy(&s.stdout).trim_end(), notice);
        // The same through stdin, as Pacemaker calls it.
        let mut c = Command::new(AGENT)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("run agent");
        use std::io::Write;
        c.stdin
            .take()
            .expect("stdin")
            .write_all(format!("ip=127.0.0.1\nipport=9\naction={action}\n").as_bytes())
            .expect("write stdin");
        let o = c.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim_end(), notice);
    }
    let o = Command::new(AGENT)
        .args(["-o", "metadata"])
        .output()
        .expect("metadata");
    let xml = String::from_utf8_lossy(&o.stdout);
    assert!(xml.contains("<action name=\"status\""), "{xml}");
    assert!(!xml.contains("<action name=\"list\""), "{xml}");
    assert!(!xml.contains("<action name=\"list-status\""), "{xml}");
}

/// With the default options the time budget is capped to 55 s (inside Pacemaker's default
/// fencing timeout of 60 s); a timing option above its default lifts the cap, and the debug
/// line says why.
#[test]
fn time_budget_debug_line() {
    let b = bmc(false);
    let (rc, _, err) = run(&b, &["-P", "-C", "17", "-o", "status", "-v"]);
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("time budget 55s: the default timeouts add up to 65s, capped to 55s"),
        "{err}"
    );
    let (rc, _, err) = run(
        &b,
        &["-P", "-C", "17", "-o", "status", "-v", "--power-timeout=60"],
    );
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("time budget 145s: above the default cap of 55s because of power_timeout=60"),
        "{err}"
    );
    // power_wait counts too.
    let (_, _, err) = run(
        &b,
        &["-P", "-C", "17", "-o", "status", "-v", "--power-wait=2"],
    );
    assert!(err.contains("because of power_wait=2"), "{err}");
}

/// power_wait is the least time between the power command and success; without it the agent
/// returns as soon as the BMC reports the new state.
#[test]
fn power_wait_holds_success_back_after_a_confirmed_change() {
    let b = bmc(false);
    let t = Instant::now();
    let (rc, _, err) = run(&b, &["-P", "-C", "17", "-o", "off"]);
    assert_eq!(rc, 0, "{err}");
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let (rc, out, err) = run(&b, &["-P", "-C", "17", "-o", "on", "--power-wait=1"]);
    assert_eq!((rc, out.trim()), (0, "Success: Powered ON"), "{err}");
    let took = t.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(b.power.load(Ordering::SeqCst));
}

/// `verbose` and `debug_file` output never holds the password, also when the login fails; the
/// failure is still one line on stderr.
#[test]
fn password_never_in_debug_file_or_verbose_output() {
    let b = bmc(false);
    let dir = std::env::temp_dir().join(format!("fence_ipmilan_rs-dbg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("debug.log");
    let dbg = format!("--debug-file={}", file.display());
    let (rc, _, err) = run(&b, &["-P", "-C", "17", "-o", "status", "-v", &dbg]);
    assert_eq!(rc, 0, "{err}");
    let (rc, _, err) = run(
        &b,
        &[
            "-P",
            "-C",
            "17",
            "-o",
            "status",
            "-v",
            &dbg,
            "--password=Sw0rdfish",
        ],
    );
    assert_eq!(rc, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("wrong password"), "{err}");
    let log = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        log.contains("session open"),
        "the debug file is written: {log}"
    );
    assert!(log.contains("wrong password"), "{log}");
    for text in [&log, &err] {
        assert!(
            !text.contains("secret") && !text.contains("Sw0rdfish"),
            "{text}"
        );
    }
}

/// Issue 9 item 4: a program name that is not UTF-8 (the personality is read from it) is no
/// crash: the default personality, exit 0 for meta-data.
#[test]
fn program_name_not_utf8_is_no_crash() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let o = Command::new(AGENT)
        .arg0(std::ffi::OsStr::from_bytes(b"/x/fence_\xffipmilan"))
        .args(["-o", "metadata"])
        .env("BAD", std::ffi::OsStr::from_bytes(b"\xff"))
        .output()
        .expect("run agent");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("<resource-agent"));
}
