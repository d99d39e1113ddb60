// SPDX-License-Identifier: GPL-2.0-or-later
//! Helpers for the root-only integration tests: temp dirs, loop devices and mounts that are
//! always cleaned up (Drop guards), and a way to run the agent like Pacemaker does.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const AGENT: &str = env!("CARGO_BIN_EXE_Filesystem");

/// True when the test may run; prints why not otherwise.
pub fn root() -> bool {
    if nix::unistd::geteuid().is_root() {
        true
    } else {
        println!("SKIPPED: needs root (loop devices and mounts)");
        false
    }
}

/// A temp directory; on drop, everything mounted below it is unmounted (deepest first) and
/// the directory removed.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p =
            nix::unistd::mkdtemp(format!("/tmp/rustha-fs-{tag}.XXXXXX").as_str()).expect("mkdtemp");
        TempDir(p)
    }
    pub fn path(&self, rel: &str) -> String {
        self.0.join(rel).to_string_lossy().into_owned()
    }
}

pub fn mounts_under(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let d = dir.to_string_lossy().into_owned();
    let mut v: Vec<String> = text
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|m| m.replace("\\040", " "))
        .filter(|m| m == &d || m.starts_with(&format!("{d}/")))
        .collect();
    v.sort_by_key(|m| std::cmp::Reverse(m.len()));
    v
}

impl Drop for TempDir {
    fn drop(&mut self) {
        for m in mounts_under(&self.0) {
            let _ = nix::mount::umount2(m.as_str(), nix::mount::MntFlags::MNT_DETACH);
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loop device over a sparse image, formatted with `mkfs`; on drop, whatever still mounts
/// the device is unmounted and the device detached.
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
            other => panic!("no mkfs for {other}"),
        };
        let st = Command::new(mkfs[0])
            .args(&mkfs[1..])
            .arg(&image)
            .status()
            .expect("mkfs");
        assert!(st.success(), "mkfs failed");
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
        // Unmount anything still using the device, then detach it.
        let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        for l in text.lines() {
            let f: Vec<&str> = l.split(' ').collect();
            if f.iter().skip_while(|x| **x != "-").nth(2) == Some(&self.dev.as_str()) {
                let _ = nix::mount::umount2(f[4], nix::mount::MntFlags::MNT_DETACH);
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
            let _ = nix::mount::umount2(m.as_str(), nix::mount::MntFlags::MNT_DETACH);
        }
    }
}

/// The agent's exit code, stdout and stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The last `ocf-exit-reason:` line.
    pub fn reason(&self) -> String {
        self.stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("ocf-exit-reason:"))
            .unwrap_or("")
            .to_string()
    }
}

pub fn agent(action: &str, params: &[(&str, &str)], extra_env: &[(&str, &str)]) -> Run {
    agent_args(&[action], params, extra_env)
}

pub fn agent_args(args: &[&str], params: &[(&str, &str)], extra_env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(AGENT);
    c.args(args)
        .env("OCF_ROOT", "/usr/lib/ocf")
        .env("OCF_RESOURCE_INSTANCE", "fs-test")
        .env("HA_LOGFACILITY", "none")
        .env_remove("HA_LOGFILE")
        .env_remove("HA_DEBUGLOG");
    for (k, v) in params {
        c.env(format!("OCF_RESKEY_{k}"), v);
    }
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let out = c.output().expect("run agent");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn is_mounted(dir: &str) -> bool {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|m| m == dir)
}

/// The per-mount options of the mount at `dir`.
pub fn mount_options(dir: &str) -> Option<String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .rev()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .find(|f| f.len() > 5 && f[4] == dir)
        .map(|f| f[5].to_string())
}

pub fn sh(script: &str) -> bool {
    Command::new("sh")
        .args(["-c", script])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
