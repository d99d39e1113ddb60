// SPDX-License-Identifier: GPL-2.0-or-later
//! What is mounted on the directory must be the configured device, for every kind of source
//! (block device, bind mount, tmpfs, loop image): anything else is a failure naming both, and
//! stop leaves it alone. A directory is bind-mounted only when the options ask for it (root only).

mod run;
use run::*;
use rustha_testkit::*;

/// The mounts on exactly `dir`, bottom first, as "source fstype".
fn stack(dir: &str) -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .filter(|f| f.len() > 9 && f[4] == dir)
        .map(|f| {
            let sep = f.iter().position(|x| *x == "-").unwrap();
            format!("{} {}", f[sep + 2], f[sep + 1])
        })
        .collect()
}

/// A foreign mount on the directory: monitor 1 naming both, start 1, stop 0 leaving it there.
fn foreign_is_refused(p: &[(&str, &str)], dir: &str, foreign: &str, configured: &str) {
    let before = stack(dir);
    assert_eq!(before.len(), 1, "{before:?}");
    for (action, code) in [("monitor", 1), ("start", 1)] {
        let r = agent(action, p, &[]);
        assert_eq!(r.code, code, "{action} with {before:?}: {}", r.stderr);
        assert!(
            r.reason().contains(foreign) && r.reason().contains(configured),
            "{action}: reason {:?} does not name {foreign:?} and {configured:?}",
            r.reason()
        );
        assert!(r.reason().len() <= 128, "{}", r.reason());
    }
    let r = agent("monitor", p, &[("OCF_CHECK_LEVEL", "20")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = agent("stop", p, &[]);
    assert_eq!(r.code, 0, "stop: {}", r.stderr);
    assert!(r.stderr.contains("not unmounting"), "{}", r.stderr);
    assert_eq!(stack(dir), before, "stop touched the foreign mount");
}

#[test]
#[ignore = "needs root"]
fn a_tmpfs_on_the_directory_is_not_the_configured_block_device() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("id-tmpfs", "ext4");
    let dir = fx.path("mnt");
    std::fs::create_dir(&dir).unwrap();
    // Named like the device, even: the name of a tmpfs is whatever its mounter chose.
    for name in ["tmpfs", fx.dev()] {
        assert!(sh(&format!("mount -t tmpfs {name} {dir}")));
        let p = [
            ("device", fx.dev()),
            ("directory", &dir),
            ("fstype", "ext4"),
        ];
        foreign_is_refused(&p, &dir, &format!("{name} (tmpfs)"), fx.dev());
        assert!(sh(&format!("umount {dir}")));
    }
}

#[test]
#[ignore = "needs root"]
fn another_tmpfs_or_a_block_device_is_not_the_configured_tmpfs() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("id-tmpfs2", "ext4");
    let dir = fx.path("mnt");
    let p = [
        ("device", "rustha-scratch"),
        ("directory", &dir),
        ("fstype", "tmpfs"),
    ];
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert_eq!(
        agent("monitor", &p, &[("OCF_CHECK_LEVEL", "20")]).code,
        0,
        "depth 20 on our own tmpfs"
    );
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(stack(&dir).is_empty());

    assert!(sh(&format!("mount -t tmpfs someone-else {dir}")));
    foreign_is_refused(&p, &dir, "someone-else (tmpfs)", "rustha-scratch");
    assert!(sh(&format!("umount {dir}")));
    assert!(sh(&format!("mount {} {dir}", fx.dev())));
    foreign_is_refused(&p, &dir, fx.dev(), "rustha-scratch");
    assert!(sh(&format!("umount {dir}")));
}

#[test]
#[ignore = "needs root"]
fn another_directory_bound_there_is_not_the_configured_bind_mount() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("id-bind", "ext4");
    let (src, other, dir) = (fx.path("src"), fx.path("other"), fx.path("mnt"));
    for d in [&src, &other, &dir] {
        std::fs::create_dir(d).unwrap();
    }
    let p = [
        ("device", src.as_str()),
        ("directory", &dir),
        ("fstype", "none"),
        ("options", "bind"),
    ];
    assert_eq!(agent("start", &p, &[]).code, 0);
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(stack(&dir).is_empty());
    assert!(sh(&format!("mount --bind {other} {dir}")));
    foreign_is_refused(&p, &dir, "other", "src");
    assert!(sh(&format!("umount {dir}")));
    // The configured directory's parent bound there is not it either (same file system).
    assert!(sh(&format!("mount --bind {} {dir}", fx.dir.0.display())));
    let r = agent("monitor", &p, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(sh(&format!("umount {dir}")));
}

#[test]
#[ignore = "needs root"]
fn another_image_is_not_the_configured_loop_image() {
    require_root("loop devices and mounts");
    let mut fx = Fixture::new("id-image", "ext4");
    let dir = fx.path("mnt");
    // Two images, not attached: the agent attaches them through mount -o loop.
    let other = fx.add("ext4");
    let image = fx.loops[0].image.to_string_lossy().into_owned();
    let other_image = fx.loops[1].image.to_string_lossy().into_owned();
    for l in &fx.loops {
        assert!(sh(&format!("losetup -d {}", l.dev)));
    }
    let _ = other;
    let p = [
        ("device", image.as_str()),
        ("directory", &dir),
        ("fstype", "ext4"),
        ("options", "loop"),
    ];
    let r = agent("start", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(stack(&dir).is_empty());
    std::fs::create_dir_all(&dir).unwrap();
    assert!(sh(&format!("mount -o loop {other_image} {dir}")));
    let r = agent("monitor", &p, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.reason().contains("img1"), "{}", r.reason());
    let r = agent("stop", &p, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(stack(&dir).len(), 1, "stop unmounted the other image");
    assert!(sh(&format!("umount -d {dir}")));
}

#[test]
#[ignore = "needs root"]
fn ours_under_a_foreign_mount_is_unmounted_with_it_on_stop() {
    require_root("loop devices and mounts");
    // Something stacked on top hides ours: monitor fails naming both, stop takes both down.
    let fx = Fixture::new("id-stack", "ext4");
    let dir = fx.path("mnt");
    let p = [
        ("device", fx.dev()),
        ("directory", &dir),
        ("fstype", "ext4"),
    ];
    assert_eq!(agent("start", &p, &[]).code, 0);
    assert!(sh(&format!("mount -t tmpfs cover {dir}")));
    let r = agent("monitor", &p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.reason().contains("cover (tmpfs)") && r.reason().contains(fx.dev()),
        "{}",
        r.reason()
    );
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(stack(&dir).is_empty(), "{:?}", stack(&dir));
}

#[test]
#[ignore = "needs root"]
fn a_directory_is_bind_mounted_only_when_the_options_say_bind() {
    require_root("loop devices and mounts");
    let fx = Fixture::new("id-dirdev", "ext4");
    let src = fx.path("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(format!("{src}/marker"), "x").unwrap();
    let dir = fx.path("mnt");
    for (fstype, options) in [("ext4", ""), ("none", ""), ("xfs", "noatime")] {
        let p = [
            ("device", src.as_str()),
            ("directory", &dir),
            ("fstype", fstype),
            ("options", options),
        ];
        let r = agent("start", &p, &[]);
        assert_eq!(r.code, 5, "fstype={fstype} options={options}: {}", r.stderr);
        assert!(
            r.reason().contains("not a block device") && r.reason().contains(&src),
            "{}",
            r.reason()
        );
        assert!(r.reason().len() <= 128, "{}", r.reason());
        assert!(stack(&dir).is_empty(), "{fstype}: {:?}", stack(&dir));
        assert_eq!(agent("validate-all", &p, &[]).code, 5);
        assert_eq!(agent("monitor", &p, &[]).code, 7);
        assert_eq!(agent("stop", &p, &[]).code, 0);
    }
    for options in ["bind", "rbind", "rbind,ro", "ro,bind,nosuid"] {
        let p = [
            ("device", src.as_str()),
            ("directory", &dir),
            ("fstype", "none"),
            ("options", options),
        ];
        let r = agent("start", &p, &[]);
        assert_eq!(r.code, 0, "{options}: {}", r.stderr);
        assert!(std::path::Path::new(&format!("{dir}/marker")).exists());
        assert_eq!(agent("monitor", &p, &[]).code, 0, "{options}");
        assert_eq!(agent("stop", &p, &[]).code, 0, "{options}");
        assert!(stack(&dir).is_empty());
    }
    // A bind mount made by an older version (a directory without "bind") is still found and
    // stopped.
    std::fs::create_dir_all(&dir).unwrap();
    assert!(sh(&format!("mount --bind {src} {dir}")));
    let p = [
        ("device", src.as_str()),
        ("directory", &dir),
        ("fstype", "ext4"),
    ];
    assert_eq!(agent("monitor", &p, &[]).code, 0);
    assert_eq!(agent("stop", &p, &[]).code, 0);
    assert!(stack(&dir).is_empty());
}
