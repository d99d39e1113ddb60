// SPDX-License-Identifier: GPL-2.0-or-later
//! Temp dirs, loop devices and mounts that are cleaned up on drop, also when the test fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh directory `/tmp/rustha-TAG.PID.N`; on drop, everything mounted below it is unmounted
/// (deepest first, lazily) and the directory removed.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let base = std::env::temp_dir();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let p = base.join(format!("rustha-{tag}.{}.{n}", std::process::id()));
            match std::fs::create_dir(&p) {
                Ok(()) => return TempDir(p),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("create {}: {e}", p.display()),
            }
        }
    }

    /// `rel` below the directory, as a string (what agents get in their environment).
    pub fn path(&self, rel: &str) -> String {
        self.0.join(rel).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        for m in mounts_under(&self.0) {
            umount_lazy(&m);
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn umount_lazy(target: &str) {
    if let Ok(c) = std::ffi::CString::new(target) {
        // SAFETY: umount2 with a valid C string; failure is ignored (cleanup is best effort).
        unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
    }
}

fn mountinfo() -> String {
    std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default()
}

/// Mount points at or below `dir`, deepest first.
pub fn mounts_under(dir: &Path) -> Vec<String> {
    let d = dir.to_string_lossy().into_owned();
    let mut v: Vec<String> = mountinfo()
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|m| m.replace("\\040", " "))
        .filter(|m| m == &d || m.starts_with(&format!("{d}/")))
        .collect();
    v.sort_by_key(|m| std::cmp::Reverse(m.len()));
    v
}

/// Whether something is mounted on `dir`.
pub fn is_mounted(dir: &str) -> bool {
    mountinfo()
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|m| m == dir)
}

/// The per-mount options of the (topmost) mount at `dir`.
pub fn mount_options(dir: &str) -> Option<String> {
    mountinfo()
        .lines()
        .rev()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .find(|f| f.len() > 5 && f[4] == dir)
        .map(|f| f[5].to_string())
}

/// A loop device over a sparse image formatted with `mkfs`; on drop, whatever still mounts the
/// device is unmounted and the device detached.
pub struct Loop {
    pub dev: String,
    pub image: PathBuf,
}

impl Loop {
    pub fn new(dir: &Path, name: &str, size_mb: u64, fstype: &str) -> Loop {
        let image = dir.join(name);
        let f = std::fs::File::create(&image).expect("image");
        f.set_len(size_mb << 20).expect("truncate");
        drop(f);
        let mkfs = match fstype {
            "xfs" => vec!["mkfs.xfs", "-q", "-f"],
            "ext4" => vec!["mkfs.ext4", "-q", "-F"],
            "ext3" => vec!["mkfs.ext3", "-q", "-F"],
            "ext2" => vec!["mkfs.ext2", "-q", "-F"],
            "btrfs" => vec!["mkfs.btrfs", "-q", "-f"],
            other => panic!("no mkfs for {other}"),
        };
        let st = Command::new(mkfs[0])
            .args(&mkfs[1..])
            .arg(&image)
            .status()
            .unwrap_or_else(|e| panic!("{}: {e}", mkfs[0]));
        assert!(st.success(), "{} failed", mkfs[0]);
        // losetup -f can race with parallel tests: retry.
        for _ in 0..5 {
            let out = Command::new("losetup")
                .args(["-f", "--show"])
                .arg(&image)
                .output()
                .expect("losetup");
            if out.status.success() {
                let dev = String::from_utf8_lossy(&out.stdout).trim().to_string();
                return Loop { dev, image };
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("losetup failed");
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        for l in mountinfo().lines() {
            let f: Vec<&str> = l.split(' ').collect();
            if f.iter().skip_while(|x| **x != "-").nth(2) == Some(&self.dev.as_str()) {
                umount_lazy(f[4]);
            }
        }
        let _ = Command::new("losetup").args(["-d", &self.dev]).status();
    }
}

/// A temp dir with loop devices in it. On drop: everything mounted below the dir is unmounted,
/// then the loop devices are detached (field order), then the dir is removed.
pub struct Fixture {
    pub loops: Vec<Loop>,
    pub dir: TempDir,
}

impl Fixture {
    /// One loop device formatted with `fstype` (xfs needs 300 MiB, the others get 64).
    pub fn new(tag: &str, fstype: &str) -> Fixture {
        let dir = TempDir::new(tag);
        let size = if fstype == "xfs" { 320 } else { 64 };
        let l = Loop::new(&dir.0, "img0", size, fstype);
        Fixture {
            loops: vec![l],
            dir,
        }
    }

    pub fn dev(&self) -> &str {
        &self.loops[0].dev
    }

    /// Another 64 MiB loop device; returns its path.
    pub fn add(&mut self, fstype: &str) -> String {
        let n = self.loops.len();
        let l = Loop::new(&self.dir.0, &format!("img{n}"), 64, fstype);
        let dev = l.dev.clone();
        self.loops.push(l);
        dev
    }

    pub fn path(&self, rel: &str) -> String {
        self.dir.path(rel)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for m in mounts_under(&self.dir.0) {
            umount_lazy(&m);
        }
    }
}
