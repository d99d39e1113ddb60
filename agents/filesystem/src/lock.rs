// SPDX-License-Identifier: GPL-2.0-or-later
//! One start or stop of a mount point at a time on this node: a second start of the same
//! resource waits for the first and then finds it mounted (instead of failing with EBUSY, or
//! stacking a second bind mount or tmpfs), and two fscks never run on one device at once.

use rustha_ocf::{Error, Result};
use rustha_support::Deadline;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tracing::{debug, warn};

/// Held until dropped (the kernel releases the flock when the file is closed, also on a crash).
pub(crate) struct MountPointLock {
    _file: Option<std::fs::File>,
}

/// The lock file's name for mount point `dir`: readable, one file per directory.
pub(crate) fn file_name(dir: &str) -> String {
    let mut name = String::from("Filesystem");
    for b in dir.bytes() {
        match b {
            b'/' => name.push('-'),
            b if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' => name.push(char::from(b)),
            b => name.push_str(&format!("%{b:02x}")),
        }
    }
    if name.len() > 200 {
        // FNV-1a of the whole path keeps long names apart.
        let hash = dir.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let tail: String = name
            .chars()
            .rev()
            .take(100)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        name = format!("Filesystem-{hash:016x}-{tail}");
    }
    name + ".lock"
}

/// Take the lock of mount point `dir` in `state_dir`, waiting at most until `deadline`. Without
/// a usable state directory the operation goes on unlocked (with a warning): the lock only
/// orders concurrent invocations, each of which still checks what is mounted.
pub(crate) fn lock(state_dir: &Path, dir: &str, deadline: &Deadline) -> Result<MountPointLock> {
    let path: PathBuf = state_dir.join(file_name(dir));
    let file = std::fs::create_dir_all(state_dir).and_then(|_| {
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
            .open(&path)
    });
    let file = match file {
        Ok(f) => f,
        Err(e) => {
            warn!(
                "cannot open the lock file {}: {e}; going on unlocked",
                path.display()
            );
            return Ok(MountPointLock { _file: None });
        }
    };
    let try_lock = || {
        // SAFETY: flock on an fd owned by `file`, which outlives the call.
        (unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0).then_some(())
    };
    if try_lock().is_none() {
        debug!("waiting for another start or stop of {dir}");
        if deadline.poll(Duration::from_millis(20), try_lock).is_none() {
            return Err(Error::generic(format!(
                "another start or stop of {dir} is still running (lock {})",
                path.display()
            )));
        }
    }
    Ok(MountPointLock { _file: Some(file) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(file_name("/srv/data"), "Filesystem-srv-data.lock");
        assert_eq!(file_name("/a b/ü"), "Filesystem-a%20b-%c3%bc.lock");
        let long = format!("/{}", "x".repeat(300));
        let n = file_name(&long);
        assert!(n.len() < 255 && n.ends_with("xxx.lock"), "{n}");
        assert_ne!(n, file_name(&format!("/y{}", "x".repeat(299))));
    }

    #[test]
    fn a_second_lock_waits_until_the_deadline() {
        let dir = std::env::temp_dir().join(format!("rustha-lock-{}", std::process::id()));
        let d = Deadline::after(Duration::from_secs(2));
        let first = lock(&dir, "/srv/x", &d).unwrap();
        assert!(first._file.is_some());
        // flock is per open file: a second open in the same process conflicts too.
        let short = Deadline::after(Duration::from_millis(100));
        let e = lock(&dir, "/srv/x", &short).err().unwrap();
        assert!(
            e.reason.contains("another start or stop of /srv/x"),
            "{}",
            e.reason
        );
        drop(first);
        assert!(lock(&dir, "/srv/x", &short).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
