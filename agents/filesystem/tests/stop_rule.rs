// SPDX-License-Identifier: GPL-2.0-or-later
//! Stop never reports success while the file system stays mounted: a bad side parameter gets its
//! default on stop; an empty device (nothing identifies the mount) fails the stop when something
//! is mounted on the directory. A status-file prefix never leads out of the mount (root only).

mod run;
use run::*;
use rustha_testkit::*;

fn params<'a>(dev: &'a str, dir: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("device", dev), ("directory", dir), ("fstype", "ext4")]
}

#[test]
#[ignore = "needs root"]
fn stop_with_a_bad_side_parameter_still_unmounts() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("stoprule", "ext4");
    let dir = fx.path("mnt");
    let good = params(fx.dev(), &dir);
    for (name, bad) in [
        ("force_unmount", "sometimes"),
        ("force_unmount", "true,fast"),
        ("term_signals", "TERM NOPE"),
        ("kill_signals", "99"),
        ("signal_delay", "-1"),
        ("statusfile_prefix", "../../x"),
        ("signal_delay", "soon"),
        ("fast_stop", "bogus"),
        ("force_clones", "maybe"),
    ] {
        assert_eq!(agent("start", &good, &[]).code, 0);
        let p: Vec<(&str, &str)> = good.iter().copied().chain([(name, bad)]).collect();
        // Still a configuration error everywhere else; Pacemaker reaches the stop below after
        // a reload-agent that failed with 6.
        for action in ["validate-all", "reload-agent"] {
            let r = agent(action, &p, &[]);
            assert_eq!(r.code, 6, "{action} {name}={bad}: {}", r.stderr);
            assert!(
                r.reason().starts_with(&format!("invalid {name} ")),
                "{}",
                r.reason()
            );
        }
        // Monitor does not hide the mounted file system (a probe and a recurring one).
        for interval in ["0", "20000"] {
            let r = agent("monitor", &p, &[("OCF_RESKEY_CRM_meta_interval", interval)]);
            assert_eq!(r.code, 0, "monitor {name}={bad}: {}", r.stderr);
        }
        // A holder: the defaults (force_unmount=true, TERM, then KILL) end it.
        let mut holder = std::process::Command::new("sleep")
            .arg("1020")
            .current_dir(&dir)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let r = agent("stop", &p, &[]);
        assert_eq!(r.code, 0, "{name}={bad}: {}", r.stderr);
        assert!(
            !is_mounted(&dir),
            "{name}={bad}: still mounted after stop 0"
        );
        assert!(r.stderr.contains("using the default"), "{}", r.stderr);
        let _ = holder.wait();
    }
}

#[test]
#[ignore = "needs root"]
fn stop_without_fstype_still_unmounts() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("nofstype", "ext4");
    let dir = fx.path("mnt");
    let good = params(fx.dev(), &dir);
    assert_eq!(agent("start", &good, &[]).code, 0);
    let p = [("device", fx.dev()), ("directory", dir.as_str())];
    assert_eq!(
        agent("start", &p, &[]).code,
        6,
        "fstype is required to start"
    );
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    let r = agent("stop", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !is_mounted(&dir),
        "stop said 0 with the file system mounted"
    );
}

#[test]
#[ignore = "needs root"]
fn stop_with_an_empty_device_fails_while_the_directory_is_mounted() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("nodev", "ext4");
    let dir = fx.path("mnt");
    let good = params(fx.dev(), &dir);
    let empty = params("", &dir);
    // Nothing mounted: nothing this configuration could name is running.
    assert_eq!(agent("stop", &empty, &[]).code, 0);
    assert_eq!(agent("start", &good, &[]).code, 0);
    let r = agent("stop", &empty, &[]);
    assert_ne!(r.code, 0, "stop said success with {dir} still mounted");
    assert!(is_mounted(&dir));
    assert!(
        r.reason().starts_with("device is empty") && r.reason().contains(fx.dev()),
        "{}",
        r.reason()
    );
    assert!(r.reason().len() <= 128, "{}", r.reason());
    // Monitor (a probe and a recurring one) does not call it stopped either.
    for meta in [
        [("OCF_RESKEY_CRM_meta_interval", "0")],
        [("OCF_RESKEY_CRM_meta_interval", "20000")],
    ] {
        let r = agent("monitor", &empty, &meta);
        assert!(r.code != 0 && r.code != 7, "monitor {meta:?}: {}", r.code);
    }
    assert_eq!(agent("stop", &good, &[]).code, 0);
    assert!(!is_mounted(&dir));
}

#[test]
#[ignore = "needs root"]
fn a_status_file_prefix_with_a_path_separator_is_refused() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("prefix", "ext4");
    let dir = fx.path("mnt");
    let good = params(fx.dev(), &dir);
    assert_eq!(agent("start", &good, &[]).code, 0);
    for bad in ["../../x", "../", "sub/dir/", "/abs"] {
        let p: Vec<(&str, &str)> = good
            .iter()
            .copied()
            .chain([("statusfile_prefix", bad)])
            .collect();
        for action in ["validate-all", "start"] {
            let r = agent(action, &p, &[]);
            assert_eq!(r.code, 6, "{action} {bad}: {}", r.stderr);
            assert!(
                r.reason().starts_with("invalid statusfile_prefix"),
                "{}",
                r.reason()
            );
        }
        // Monitor checks the true state with the default prefix (the probe policy).
        let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "20")]);
        assert_eq!(r.code, 0, "{bad}: {}", r.stderr);
    }
    // Nothing was written outside the mount.
    let outside: Vec<_> = std::fs::read_dir(&fx.dir.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("img") && n != "mnt")
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    // Accepted: a file name prefix, and a directory name ending in a slash.
    for ok in ["st_", ".mystatus/"] {
        let p: Vec<(&str, &str)> = good
            .iter()
            .copied()
            .chain([("statusfile_prefix", ok)])
            .collect();
        let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "20")]);
        assert_eq!(r.code, 0, "{ok}: {}", r.stderr);
    }
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| {
        let n = e.unwrap().file_name();
        n == "lost+found"
    }));
    assert_eq!(agent("stop", &good, &[]).code, 0);
}
