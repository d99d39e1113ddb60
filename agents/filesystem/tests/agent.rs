// SPDX-License-Identifier: GPL-2.0-or-later
//! The agent on real loop devices and mounts (root only: `#[ignore = "needs root"]`, run by
//! tools/root-tests.sh).

mod run;
use run::*;
use rustha_testkit::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn params<'a>(dev: &'a str, dir: &'a str, fstype: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("device", dev), ("directory", dir), ("fstype", fstype)]
}

fn lifecycle(fstype: &str) {
    require_root("loop devices and mounts");
    let fx = Fixture::new(fstype, fstype);
    let dir = fx.path("mnt");
    let p = params(fx.dev(), &dir, fstype);
    assert_eq!(agent("monitor", &p, &[]).code, 7, "probe before start");
    assert_eq!(agent("stop", &p, &[]).code, 0, "stop when stopped");
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "start: {}", r.stderr);
    assert!(is_mounted(&dir));
    assert_eq!(agent("start", &p, &[]).code, 0, "start when started");
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert_eq!(agent("status", &p, &[]).code, 0);
    let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "10")]);
    assert_eq!(r.code, 0, "depth 10: {}", r.stderr);
    let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "20")]);
    assert_eq!(r.code, 0, "depth 20: {}", r.stderr);
    // The status file and its directory are cleaned up.
    assert!(!std::path::Path::new(&format!("{dir}/.Filesystem_status")).exists());
    // A failure, not 6 (a monitor never bans the resource) nor 7 (it is mounted).
    let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "30")]);
    assert_eq!(r.code, 1);
    assert!(
        r.reason().contains("unsupported monitor level 30"),
        "{}",
        r.reason()
    );
    assert_eq!(agent("validate-all", &p, &[]).code, 0);
    let r = agent("stop", &p, &[]);
    assert_eq!(r.code, 0, "stop: {}", r.stderr);
    assert!(!is_mounted(&dir));
    assert_eq!(agent("stop", &p, &[]).code, 0, "stop when stopped");
    assert_eq!(agent("monitor", &p, &[]).code, 7);
}

#[test]
#[ignore = "needs root"]
fn ext4_start_monitor_stop_are_idempotent() {
    lifecycle("ext4");
}

#[test]
#[ignore = "needs root"]
fn xfs_start_monitor_stop_are_idempotent() {
    lifecycle("xfs");
}

#[test]
#[ignore = "needs root"]
fn depth_20_fails_with_a_reason_on_a_read_only_remount() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("ro", "ext4");
    let dir = fx.path("mnt");
    let p = params(fx.dev(), &dir, "ext4");
    assert_eq!(agent("start", &p, &[]).code, 0);
    assert!(sh(&format!("mount -o remount,ro {dir}")));
    let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "20")]);
    assert_eq!(r.code, 1);
    assert!(r.reason().contains("read-only"), "{}", r.reason());
    assert!(
        r.reason().contains(".Filesystem_status/fs-test_"),
        "{}",
        r.reason()
    );
    // Depth 0 and 10 are still fine.
    assert_eq!(agent("monitor", &p, &[("OCF_CHECK_LEVEL", "10")]).code, 0);
    assert_eq!(agent("stop", &p, &[]).code, 0);
}

#[test]
#[ignore = "needs root"]
fn a_different_device_on_the_directory_is_a_failure_with_a_reason() {
    require_root("loop devices and mounts");
    let mut fx = Fixture::new("other", "ext4");
    let other = fx.add("ext4");
    let dir = fx.path("mnt");
    std::fs::create_dir(&dir).unwrap();
    assert!(sh(&format!("mount {other} {dir}")));
    let p = params(fx.dev(), &dir, "ext4");
    let r = agent("monitor", &p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.reason().contains(&other) && r.reason().contains(fx.dev()),
        "{}",
        r.reason()
    );
    assert_eq!(agent("start", &p, &[]).code, 1);
}

#[test]
#[ignore = "needs root"]
fn bad_input_gets_the_stock_codes_and_changes_nothing() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("bad", "ext4");
    let dir = fx.path("mnt");
    let file = fx.path("a-file");
    std::fs::write(&file, "x").unwrap();
    let image = fx.loops[0].image.to_string_lossy().into_owned();
    type Case<'a> = (Vec<(&'a str, &'a str)>, i32, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("directory", &dir), ("fstype", "ext4")], 6, "device"),
        (
            vec![("device", ""), ("directory", &dir), ("fstype", "ext4")],
            6,
            "OCF_RESKEY_device",
        ),
        (
            params("/dev/no_such_device", &dir, "ext4"),
            5,
            "/dev/no_such_device",
        ),
        (params(fx.dev(), &dir, "nosuchfs"), 5, "nosuchfs"),
        (params(fx.dev(), "relative/mnt", "ext4"), 6, "relative/mnt"),
        (params(fx.dev(), &file, "ext4"), 5, "a-file"),
        (params(&image, &dir, "ext4"), 5, "regular file"),
        (
            params(fx.dev(), &dir, "ext4")
                .into_iter()
                .chain([("force_unmount", "sometimes")])
                .collect(),
            6,
            "force_unmount",
        ),
        (
            params(fx.dev(), &dir, "ext4")
                .into_iter()
                .chain([("term_signals", "TERM NOPE")])
                .collect(),
            6,
            "NOPE",
        ),
        (
            params(fx.dev(), &dir, "ext4")
                .into_iter()
                .chain([("signal_delay", "soon")])
                .collect(),
            6,
            "signal_delay",
        ),
        (params(fx.dev(), "/", "ext4"), 6, "\"/\""),
        (
            params("UUID=00000000-dead-beef-0000-000000000000", &dir, "ext4"),
            5,
            "UUID=00000000-dead-beef",
        ),
    ];
    for (p, code, needle) in &cases {
        let r = agent("start", p, &[]);
        assert_eq!(r.code, *code, "{p:?}: {}", r.stderr);
        assert!(
            r.reason().contains(needle),
            "{p:?}: reason {:?} lacks {needle:?}",
            r.reason()
        );
        assert_eq!(
            r.stderr.matches("ocf-exit-reason:").count(),
            1,
            "{}",
            r.stderr
        );
        assert!(
            !std::path::Path::new(&dir).exists(),
            "{p:?} created the directory"
        );
        assert!(mounts_under(&fx.dir.0).is_empty());
    }
    // Options the kernel rejects: the mount itself fails (generic error), naming the device.
    let p: Vec<(&str, &str)> = params(fx.dev(), &dir, "ext4")
        .into_iter()
        .chain([("options", "data=bogus")])
        .collect();
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.reason().contains(fx.dev()) && r.reason().contains("EINVAL"),
        "{}",
        r.reason()
    );
    assert!(!is_mounted(&dir));
    // Unknown action.
    assert_eq!(
        agent("frobnicate", &params(fx.dev(), &dir, "ext4"), &[]).code,
        3
    );
}

#[test]
#[ignore = "needs root"]
fn clones_of_local_file_systems_are_refused_unless_forced() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("clone", "ext4");
    let dir = fx.path("mnt");
    let p = params(fx.dev(), &dir, "ext4");
    let clone = [
        ("OCF_RESKEY_CRM_meta_clone_max", "2"),
        ("OCF_RESKEY_CRM_meta_clone", "0"),
    ];
    let r = agent("start", &p, &clone);
    assert_eq!(r.code, 6);
    assert!(r.reason().contains("NOT cluster-aware"), "{}", r.reason());
    assert!(!is_mounted(&dir));
    let forced: Vec<(&str, &str)> = p
        .iter()
        .copied()
        .chain([("force_clones", "true")])
        .collect();
    assert_eq!(agent("start", &forced, &clone).code, 0);
    // The clone number is part of the status file name.
    let r = agent(
        "monitor",
        &forced,
        &[clone[0], clone[1], ("OCF_CHECK_LEVEL", "20")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(agent("stop", &forced, &clone).code, 0);
}

#[test]
#[ignore = "needs root"]
fn uuid_label_and_legacy_forms() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("uuid", "ext4");
    assert!(sh(&format!("e2label {} rusthalbl", fx.dev())));
    let uuid = Command::new("blkid")
        .args(["-s", "UUID", "-o", "value", fx.dev()])
        .output()
        .unwrap();
    let uuid = String::from_utf8_lossy(&uuid.stdout).trim().to_string();
    let dir = fx.path("mnt");
    for dev in [
        format!("UUID={uuid}"),
        format!("-U {uuid}"),
        "LABEL=rusthalbl".to_string(),
        "-L rusthalbl".into(),
    ] {
        let p = params(&dev, &dir, "ext4");
        let r = agent("start", &p, &[]);
        assert_eq!(r.code, 0, "{dev}: {}", r.stderr);
        assert_eq!(
            agent("monitor", &p, &[("OCF_CHECK_LEVEL", "10")]).code,
            0,
            "{dev}"
        );
        assert_eq!(agent("stop", &p, &[]).code, 0, "{dev}");
        assert!(!is_mounted(&dir));
    }
    // heartbeat v1: Filesystem DEVICE DIRECTORY FSTYPE OPTIONS ACTION
    let r = agent_args(&[fx.dev(), &dir, "ext4", "noatime", "start"], &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(mount_options(&dir).unwrap_or_default().contains("noatime"));
    assert_eq!(
        agent_args(&[fx.dev(), &dir, "ext4", "noatime", "status"], &[], &[]).code,
        0
    );
    assert_eq!(
        agent_args(&[fx.dev(), &dir, "ext4", "noatime", "stop"], &[], &[]).code,
        0
    );
    assert!(!is_mounted(&dir));
    assert_eq!(
        agent_args(&["a", "b", "c", "d", "e", "start"], &[], &[]).code,
        2
    );
}

#[test]
#[ignore = "needs root"]
fn read_only_bind_mount() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("bind", "ext4");
    let src = fx.path("src");
    std::fs::create_dir(&src).unwrap();
    let dir = fx.path("bound");
    let p: Vec<(&str, &str)> = params(&src, &dir, "none")
        .into_iter()
        .chain([("options", "bind,ro")])
        .collect();
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(mount_options(&dir).unwrap().split(',').any(|o| o == "ro"));
    assert_eq!(agent("monitor", &p, &[("OCF_CHECK_LEVEL", "10")]).code, 0);
    let r = agent("monitor", &p, &[("OCF_CHECK_LEVEL", "20")]);
    assert_eq!(r.code, 1);
    assert!(r.reason().contains("read-only"));
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(!is_mounted(&dir));
    assert!(std::path::Path::new(&src).is_dir(), "the bind source stays");
}

#[test]
#[ignore = "needs root"]
fn fsck_failure_fails_the_start_with_its_output() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("fsck", "ext2");
    // Wipe the primary superblock: fsck -p cannot fix that by itself (exit >= 4).
    assert!(sh(&format!(
        "dd if=/dev/zero of={} bs=1024 seek=1 count=1 conv=notrunc status=none",
        fx.dev()
    )));
    let dir = fx.path("mnt");
    let p = params(fx.dev(), &dir, "ext2");
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.reason().contains("fsck exit 8"), "{}", r.reason());
    assert!(r.reason().contains("Bad magic number"), "{}", r.reason());
    assert!(!is_mounted(&dir));
    // run_fsck=no skips it (and the kernel then refuses the broken file system).
    let p: Vec<(&str, &str)> = p.into_iter().chain([("run_fsck", "no")]).collect();
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.reason().contains("EINVAL") && r.reason().contains(fx.dev()),
        "{}",
        r.reason()
    );
}

/// A process a test started: killed and reaped when the test ends, also when it fails, so no
/// holder outlives its test (it would keep the mount busy and, through an inherited file
/// descriptor, the suite's root lock).
struct Held(Child);

impl Held {
    fn id(&self) -> u32 {
        self.0.id()
    }
    fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()
    }
    fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_sh(script: &str) -> Held {
    Held(
        Command::new("sh")
            .args(["-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    )
}

fn alive(pid: u32) -> bool {
    // Zombies count as gone.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

/// The pids of `sleep` processes whose argument is `marker` (children of the shells).
fn pids_with_arg(marker: &str) -> Vec<u32> {
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(c) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            if c.split(|b| *b == 0).any(|a| a == marker.as_bytes()) {
                v.push(pid);
            }
        }
    }
    v
}

#[test]
#[ignore = "needs root"]
fn stop_ends_exactly_the_processes_that_hold_the_mount() {
    require_root("loop devices and mounts");
    let mut fx = Fixture::new("holders", "ext4");
    let sub_dev = fx.add("ext4");
    let dir = fx.path("data");
    let sibling = fx.path("data2");
    std::fs::create_dir(&sibling).unwrap();
    let p = params(fx.dev(), &dir, "ext4");
    assert_eq!(agent("start", &p, &[]).code, 0);
    std::fs::create_dir(format!("{dir}/sub")).unwrap();
    assert!(sh(&format!("mount {sub_dev} {dir}/sub")));
    std::fs::write(format!("{dir}/file"), "x").unwrap();
    std::fs::write(format!("{dir}/mapped"), vec![0u8; 8192]).unwrap();

    // Distinct sleep durations mark each process.
    let mut kids = [
        // open file (fd 3 survives exec)
        spawn_sh(&format!("exec 3<{dir}/file; cd /; exec sleep 1001")),
        // cwd
        spawn_sh(&format!("cd {dir} && exec sleep 1002")),
        // a holder (the shell, cwd) with a child (inherits the cwd)
        spawn_sh(&format!("cd {dir} && sleep 1003 & wait")),
        // a process in a submount
        spawn_sh(&format!("cd {dir}/sub && exec sleep 1005")),
    ];
    // A memory map only (no fd, cwd and executable elsewhere): a shared library loaded from
    // the mount with LD_PRELOAD; the dynamic loader closes the file after mapping it.
    let libm = [
        "/lib/x86_64-linux-gnu/libm.so.6",
        "/usr/lib/x86_64-linux-gnu/libm.so.6",
        "/lib64/libm.so.6",
        "/usr/lib64/libm.so.6",
        "/lib/aarch64-linux-gnu/libm.so.6",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("libm.so.6 not found");
    std::fs::copy(libm, format!("{dir}/libm.so.6")).unwrap();
    let mmap = Held(
        Command::new("sleep")
            .arg("1004")
            .env("LD_PRELOAD", format!("{dir}/libm.so.6"))
            .current_dir("/")
            .spawn()
            .unwrap(),
    );
    // The survivor: cwd in a sibling whose name shares the prefix.
    let mut survivor = spawn_sh(&format!("cd {sibling} && exec sleep 1099"));
    std::thread::sleep(Duration::from_millis(300));
    let holders: Vec<u32> = ["1001", "1002", "1003", "1005"]
        .iter()
        .flat_map(|m| pids_with_arg(m))
        .chain(kids.iter().map(|k| k.id()))
        .chain([mmap.id()])
        .collect();
    assert!(holders.len() >= 7, "{holders:?}");
    assert!(alive(survivor.id()));

    let started = Instant::now();
    let r = agent("stop", &p, &[("OCF_RESKEY_CRM_meta_timeout", "20000")]);
    let took = started.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!is_mounted(&dir) && !is_mounted(&format!("{dir}/sub")));
    assert!(took < Duration::from_secs(5), "stop took {took:?}");
    // Each kind of hold was recognised as such.
    for how in [
        format!("open file {dir}/file"),
        format!("cwd {dir}"),
        format!("memory map {dir}/libm.so.6"),
        format!("cwd {dir}/sub"),
    ] {
        assert!(
            r.stderr.contains(&how),
            "no holder by {how:?} in:\n{}",
            r.stderr
        );
    }
    for k in kids.iter_mut() {
        let _ = k.wait();
    }
    let mut mmap = mmap;
    let _ = mmap.wait();
    for pid in &holders {
        assert!(!alive(*pid), "holder {pid} survived");
    }
    assert!(alive(survivor.id()), "the process in {sibling} was killed");
    let _ = survivor.kill();
    let _ = survivor.wait();
}

#[test]
#[ignore = "needs root"]
fn force_unmount_false_leaves_holders_alone_and_fails_in_time() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("nokill", "ext4");
    let dir = fx.path("data");
    let p: Vec<(&str, &str)> = params(fx.dev(), &dir, "ext4")
        .into_iter()
        .chain([("force_unmount", "false")])
        .collect();
    assert_eq!(agent("start", &p, &[]).code, 0);
    let mut holder = spawn_sh(&format!("cd {dir} && exec sleep 1010"));
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let r = agent("stop", &p, &[("OCF_RESKEY_CRM_meta_timeout", "3000")]);
    // Within the 3 s budget; the margin is for starting the process on a loaded machine (the
    // agent keeps its own reserve inside the budget).
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 1);
    assert!(
        r.reason().contains(&dir) && r.reason().contains("busy"),
        "{}",
        r.reason()
    );
    // The holder is named, its path relative to the mount point (Pacemaker keeps 128 bytes).
    assert!(
        r.reason()
            .contains(&format!("held by pid {} (sleep): cwd .", holder.id())),
        "{}",
        r.reason()
    );
    assert!(alive(holder.id()));
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(agent("stop", &p, &[]).code, 0);
}

#[test]
#[ignore = "needs root"]
fn a_directory_below_a_symlink_that_does_not_exist_yet() {
    require_root("loop devices and mounts");
    // As /var/run -> /run: the kernel reports the resolved path; the agent must find it.
    let fx = Fixture::new("symlink", "ext4");
    std::fs::create_dir(fx.path("real")).unwrap();
    std::os::unix::fs::symlink(fx.path("real"), fx.path("link")).unwrap();
    let dir = fx.path("link/mnt/");
    let p = params(fx.dev(), &dir, "ext4");
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(is_mounted(&fx.path("real/mnt")));
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert_eq!(agent("start", &p, &[]).code, 0);
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(!is_mounted(&fx.path("real/mnt")));
}

#[test]
#[ignore = "needs root"]
fn stop_says_when_a_mount_namespace_still_holds_a_copy() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("nscopy", "ext4");
    let dir = fx.path("mnt");
    let p = params(fx.dev(), &dir, "ext4");
    assert_eq!(agent("start", &p, &[]).code, 0);
    // A private mount namespace made while mounted keeps its own copy of the mount.
    let mut copy = Held(
        Command::new("unshare")
            .args(["-m", "--propagation", "private", "sleep", "1040"])
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(300));
    let r = agent("stop", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!is_mounted(&dir));
    assert!(
        r.stderr
            .contains("still mounted in another mount namespace")
            && r.stderr.contains(&format!("pid {}", copy.id())),
        "{}",
        r.stderr
    );
    let _ = copy.kill();
    let _ = copy.wait();
}

#[test]
#[ignore = "needs root"]
fn stop_unmounts_stacked_mounts_and_other_mounts_of_the_device() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("stacked", "ext4");
    let dir = fx.path("mnt");
    let other = fx.path("elsewhere");
    std::fs::create_dir(&other).unwrap();
    let p = params(fx.dev(), &dir, "ext4");
    assert_eq!(agent("start", &p, &[]).code, 0);
    // Something mounted on top of it (the kernel refuses the same file system twice on one
    // directory), and the same device once more elsewhere.
    assert!(sh(&format!(
        "mount -t tmpfs none {dir} && mount {} {other}",
        fx.dev()
    )));
    assert_eq!(mounts_under(&fx.dir.0).len(), 3);
    let r = agent("stop", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        mounts_under(&fx.dir.0).is_empty(),
        "{:?}",
        mounts_under(&fx.dir.0)
    );
}

#[test]
#[ignore = "needs root"]
fn run_fsck_force_checks_a_clean_journalled_file_system_and_mounts_it() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("fsckforce", "ext4");
    let dir = fx.path("mnt");
    let p: Vec<(&str, &str)> = params(fx.dev(), &dir, "ext4")
        .into_iter()
        .chain([("run_fsck", "force"), ("fast_stop", "yes")])
        .collect();
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Starting filesystem check"),
        "{}",
        r.stderr
    );
    assert_eq!(agent("stop", &p, &[]).code, 0);
    // auto does not check ext4.
    let auto = params(fx.dev(), &dir, "ext4");
    let r = agent("start", &auto, &[]);
    assert_eq!(r.code, 0);
    assert!(
        !r.stderr.contains("Starting filesystem check"),
        "{}",
        r.stderr
    );
    assert_eq!(agent("stop", &auto, &[]).code, 0);
}

#[test]
#[ignore = "needs root"]
fn stop_never_signals_a_concurrent_depth_20_monitor_of_the_same_resource() {
    require_root("loop devices and mounts");
    // A depth-20 monitor holds the status file open on the mount for a moment: stop must see
    // its own agent's I/O as what it is, wait for it, and never send it a signal.
    use std::os::unix::process::ExitStatusExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let fx = Fixture::new("monitor20", "ext4");
    let dir = fx.path("mnt");
    let p = params(fx.dev(), &dir, "ext4");
    let mut signalled = Vec::new();
    let mut monitors = 0;
    for round in 0..10 {
        assert_eq!(agent("start", &p, &[]).code, 0, "round {round}");
        let done = Arc::new(AtomicBool::new(false));
        let loops: Vec<_> = (0..3)
            .map(|_| {
                let done = done.clone();
                let (dev, dir) = (fx.dev().to_string(), dir.clone());
                std::thread::spawn(move || {
                    let mut results = Vec::new();
                    while !done.load(Ordering::Relaxed) {
                        let st = Command::new(AGENT)
                            .arg("monitor")
                            .env("OCF_ROOT", "/usr/lib/ocf")
                            .env("OCF_RESOURCE_INSTANCE", "fs-test")
                            .env("HA_LOGFACILITY", "none")
                            .env("OCF_CHECK_LEVEL", "20")
                            .env("OCF_RESKEY_device", &dev)
                            .env("OCF_RESKEY_directory", &dir)
                            .env("OCF_RESKEY_fstype", "ext4")
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .status()
                            .unwrap();
                        results.push(st);
                    }
                    results
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        let r = agent("stop", &p, &[]);
        done.store(true, Ordering::Relaxed);
        assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        assert!(
            !r.stderr.contains("sent SIG"),
            "round {round}: {}",
            r.stderr
        );
        for l in loops {
            for st in l.join().unwrap() {
                monitors += 1;
                if let Some(sig) = st.signal() {
                    signalled.push((round, sig));
                }
            }
        }
        assert!(!is_mounted(&dir), "round {round}");
        // Nothing was written to the directory below the mount point.
        assert!(
            std::fs::read_dir(&dir).unwrap().next().is_none(),
            "round {round}: a monitor wrote into the unmounted directory"
        );
    }
    assert!(monitors > 30, "only {monitors} monitors ran");
    assert!(
        signalled.is_empty(),
        "monitors killed by signals: {signalled:?}"
    );
}

#[test]
#[ignore = "needs root"]
fn heartbeat_status_says_running_or_stopped_on_stdout() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("hbstatus", "ext4");
    let dir = fx.path("mnt");
    let legacy = |action: &str| agent_args(&[fx.dev(), &dir, "ext4", action], &[], &[]);
    let r = legacy("status");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (7, "stopped\n"),
        "{}",
        r.stderr
    );
    assert_eq!(legacy("start").code, 0);
    let r = legacy("status");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "running\n"),
        "{}",
        r.stderr
    );
    // The OCF form of status says it too; monitor prints nothing.
    let p = params(fx.dev(), &dir, "ext4");
    assert_eq!(agent("status", &p, &[]).stdout, "running\n");
    assert_eq!(agent("monitor", &p, &[]).stdout, "");
    assert_eq!(legacy("stop").code, 0);
    assert_eq!(legacy("status").stdout, "stopped\n");
}

/// Two starts of the same resource at once, `rounds` times: both succeed, mounted once.
fn concurrent_starts(p: &[(&str, &str)], dir: &str, rounds: usize) {
    for round in 0..rounds {
        let both: Vec<Outcome> = std::thread::scope(|s| {
            let a = s.spawn(|| agent("start", p, &[]));
            let b = s.spawn(|| agent("start", p, &[]));
            vec![a.join().unwrap(), b.join().unwrap()]
        });
        for r in &both {
            assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        }
        let on_dir = std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap()
            .lines()
            .filter(|l| l.split(' ').nth(4) == Some(dir))
            .count();
        assert_eq!(on_dir, 1, "round {round}: mounted {on_dir} times");
        assert_eq!(agent("monitor", p, &[]).code, 0);
        let r = agent("stop", p, &[]);
        assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        assert!(!is_mounted(dir));
    }
}

#[test]
#[ignore = "needs root"]
fn two_concurrent_starts_both_succeed_and_mount_once() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("twostarts", "ext4");
    let dir = fx.path("mnt");
    concurrent_starts(&params(fx.dev(), &dir, "ext4"), &dir, 10);
    // Bind mounts and tmpfs could even be stacked twice.
    let src = fx.path("src");
    std::fs::create_dir(&src).unwrap();
    let bind: Vec<(&str, &str)> = params(&src, &dir, "none")
        .into_iter()
        .chain([("options", "bind")])
        .collect();
    concurrent_starts(&bind, &dir, 5);
    concurrent_starts(&params("scratch", &dir, "tmpfs"), &dir, 5);
}

#[test]
#[ignore = "needs root"]
fn exit_reasons_put_the_bad_value_first_and_fit_in_128_bytes() {
    require_root("loop devices and mounts");
    // A long directory, as real mount points are: the value must come before it.
    let fx = Fixture::new("reason-with-a-rather-long-name-for-its-directory", "ext4");
    let dir = fx.path("srv/data/of/some/application/with/a/deep/mount/point");
    for (device, options, needle) in [
        (fx.dev(), "garbage_option=1", "\"garbage_option=1\""),
        ("UUID=", "", "UUID="),
        ("LABEL=", "", "LABEL="),
    ] {
        let p: Vec<(&str, &str)> = params(device, &dir, "ext4")
            .into_iter()
            .chain([("options", options)])
            .collect();
        let r = agent("start", &p, &[]);
        assert_ne!(r.code, 0);
        let reason = r.reason();
        assert!(reason.len() <= 128, "{} bytes: {reason}", reason.len());
        assert!(reason.contains(needle), "{needle} not in {reason:?}");
        assert!(!is_mounted(&dir));
    }
}
