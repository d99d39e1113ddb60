// SPDX-License-Identifier: GPL-2.0-or-later
//! OCF 1.1 reload-agent: announced in the meta-data to OCF 1.1 callers only (OCF 1.0 meta-data
//! stays valid against ra-api-1.dtd), and on a mounted file system it checks the new parameters
//! and leaves the mount alone (root only for the mount tests).

use rustha_testkit::metadata::{dtd_valid, meta_data, RA_API_DTD as DTD};
mod run;
use run::*;
use rustha_testkit::*;
use std::process::Command;

#[test]
fn ocf_1_1_meta_data_has_reload_agent_and_ocf_1_0_stays_dtd_valid() {
    let v11 = meta_data(AGENT, Some(("1", "1")));
    assert!(v11.contains("<version>1.1</version>"));
    assert!(
        v11.contains("<action name=\"reload-agent\" timeout=\"20s\" />"),
        "{v11}"
    );
    for p in [
        "statusfile_prefix",
        "run_fsck",
        "fast_stop",
        "force_unmount",
        "term_signals",
        "kill_signals",
        "signal_delay",
    ] {
        assert!(
            v11.contains(&format!(
                "<parameter name=\"{p}\" unique=\"0\" required=\"0\" reloadable=\"1\">"
            )),
            "{p} is not reloadable"
        );
    }
    for p in ["device", "directory", "fstype"] {
        assert!(v11.contains(&format!(
            "<parameter name=\"{p}\" unique=\"0\" required=\"1\">"
        )));
    }
    assert!(v11.contains("<parameter name=\"options\" unique=\"0\" required=\"0\">"));
    for v10 in [meta_data(AGENT, Some(("1", "0"))), meta_data(AGENT, None)] {
        assert!(
            !v10.contains("<action name=\"reload-agent\"") && !v10.contains("reloadable="),
            "OCF 1.0 output has reload-agent or reloadable"
        );
        let (ok, msgs) = dtd_valid(&v10);
        assert!(ok, "OCF 1.0 meta-data is not valid against {DTD}:\n{msgs}");
    }
    // The DTD check can fail: the OCF 1.1 flavour is not valid against it.
    assert!(!dtd_valid(&v11).0, "the DTD check accepts anything");
}

/// The mountinfo line of the mount at `dir` (mount ID, options ...): a remount or a new mount
/// changes it.
fn mount_line(dir: &str) -> Option<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.split(' ').nth(4) == Some(dir))
        .map(str::to_string)
}

/// A child process killed and reaped when dropped, also when the test fails.
struct Holder(std::process::Child);

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs root"]
fn reload_agent_leaves_the_mount_alone_and_rejects_bad_values() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("reload", "ext4");
    let dir = fx.path("mnt");
    let base = vec![
        ("device", fx.dev()),
        ("directory", dir.as_str()),
        ("fstype", "ext4"),
    ];
    let r = agent("start", &base, &[]);
    assert_eq!(r.code, 0, "start: {}", r.stderr);
    // A process holding the mount (its cwd) must not be disturbed either.
    let mut holder = Holder(
        Command::new("sleep")
            .arg("60")
            .current_dir(&dir)
            .spawn()
            .expect("sleep"),
    );
    let before = mount_line(&dir).expect("mounted");

    let mut new = base.clone();
    new.extend([
        ("signal_delay", "2"),
        ("term_signals", "TERM,HUP"),
        ("kill_signals", "KILL"),
        ("force_unmount", "safe"),
        ("fast_stop", "yes"),
        ("run_fsck", "no"),
        ("statusfile_prefix", ".rustha_status_"),
    ]);
    let r = agent("reload-agent", &new, &[]);
    assert_eq!(r.code, 0, "reload-agent: {}", r.stderr);
    assert!(r.reason().is_empty(), "{}", r.stderr);
    assert_eq!(
        mount_line(&dir).as_deref(),
        Some(before.as_str()),
        "reload-agent touched the mount"
    );
    assert!(
        holder.0.try_wait().unwrap().is_none(),
        "reload-agent ended a process that holds the mount"
    );
    // The new statusfile_prefix applies from the next deep monitor.
    let r = agent("monitor", &new, &[("OCF_CHECK_LEVEL", "20")]);
    assert_eq!(r.code, 0, "depth 20 after reload: {}", r.stderr);

    for (name, value, code, needle) in [
        ("signal_delay", "-1", 6, "invalid signal_delay \"-1\""),
        ("signal_delay", "soon", 6, "invalid signal_delay \"soon\""),
        (
            "term_signals",
            "NOSUCHSIG",
            6,
            "invalid term_signals \"NOSUCHSIG\"",
        ),
        (
            "force_unmount",
            "maybe",
            6,
            "invalid force_unmount \"maybe\"",
        ),
        ("fast_stop", "perhaps", 6, "invalid fast_stop \"perhaps\""),
    ] {
        let mut bad = base.clone();
        bad.push((name, value));
        let r = agent("reload-agent", &bad, &[]);
        assert_eq!(r.code, code, "{name}={value}: {}", r.stderr);
        assert!(
            r.reason().contains(needle),
            "{name}={value}: reason {:?} should contain {needle:?}",
            r.reason()
        );
        assert_eq!(
            r.stderr
                .lines()
                .filter(|l| l.starts_with("ocf-exit-reason:"))
                .count(),
            1,
            "one exit reason: {}",
            r.stderr
        );
        let v = agent("validate-all", &bad, &[]);
        assert_eq!(
            (v.code, v.reason()),
            (r.code, r.reason()),
            "{name}={value}: reload-agent and validate-all disagree"
        );
        assert_eq!(mount_line(&dir).as_deref(), Some(before.as_str()));
    }
    drop(holder);
    let r = agent("stop", &new, &[]);
    assert_eq!(r.code, 0, "stop: {}", r.stderr);
    assert!(!is_mounted(&dir));
}
