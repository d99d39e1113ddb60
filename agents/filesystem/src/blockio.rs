// SPDX-License-Identifier: GPL-2.0-or-later
//! I/O that may hang on a dying device or a dead server, kept off the main thread: the direct
//! read of depth 10, the status file of depth 20, and the buffer flush around mount and unmount.

use crate::mountinfo::Mount;
use nix::errno::Errno;
use nix::fcntl::{open, openat, OFlag};
use nix::sys::stat::{mkdirat, Mode};
use nix::unistd::{unlinkat, UnlinkatFlags};
use rustha_ocf::{Error, Result};
use rustha_support::Deadline;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

/// Run `f` on a worker thread and give up on it at the deadline: I/O on a dying device or a
/// dead server must not hold the answer past the operation timeout.
pub(crate) fn bounded<T: Send + 'static>(
    deadline: &Deadline,
    what: String,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    deadline.run(f).unwrap_or_else(|| {
        Err(Error::generic(format!(
            "{what} did not complete within the operation timeout"
        )))
    })
}

/// A 4 KiB buffer aligned for O_DIRECT.
#[repr(C, align(4096))]
pub(crate) struct Block(pub(crate) [u8; 4096]);

/// `blockdev --flushbufs`: drop the device's buffers so another node's writes are seen.
pub(crate) fn flush_buffers(dev: &Path) {
    const BLKFLSBUF: libc::c_ulong = 0x1261;
    if let Ok(f) = std::fs::File::open(dev) {
        use std::os::fd::AsRawFd;
        // SAFETY: BLKFLSBUF takes no argument; the fd is valid for the call.
        unsafe { libc::ioctl(f.as_raw_fd(), BLKFLSBUF as _, 0) };
    }
}

/// The mount id of an open file (`mnt_id` in /proc/self/fdinfo, Linux 3.15 and later).
fn mount_id_of(fd: &OwnedFd) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", fd.as_raw_fd())).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("mnt_id:"))
        .and_then(|v| v.trim().parse().ok())
}

/// The depth-20 check: write `content` to the status file `rel` (relative to the mount point)
/// with O_SYNC (and O_DIRECT for block devices), read it back, remove it.
///
/// Everything goes through a descriptor of the mount point opened first and checked to be
/// mount `m` itself: a file system unmounted meanwhile (a concurrent stop) is never written
/// under, and while the check runs the open descriptor keeps the mount in place; stop knows
/// its own agent's I/O and waits for it instead of signalling it. Symlinks are not followed.
pub(crate) fn write_read_remove(m: &Mount, rel: &Path, content: &[u8], direct: bool) -> Result<()> {
    use std::io::{Read, Write};
    let shown = Path::new(&m.mount_point).join(rel);
    let err = |what: &str, e: nix::Error| {
        Error::generic(format!(
            "Failed to {what} status file {}: {}",
            shown.display(),
            std::io::Error::from(e)
        ))
    };
    let root = open(
        m.mount_point.as_str(),
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| err("open the directory of the", e))?;
    if mount_id_of(&root) != Some(m.id) {
        return Err(Error::not_running(format!(
            "{} was unmounted during the status file check",
            m.mount_point
        )));
    }
    let (sub, name) = match (rel.parent(), rel.file_name()) {
        (Some(d), Some(n)) if !d.as_os_str().is_empty() => (Some(d), n),
        (_, Some(n)) => (None, n),
        _ => {
            return Err(Error::generic(format!(
                "bad status file name {}",
                rel.display()
            )))
        }
    };
    let nofollow = OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut created_dir = false;
    let dir = match sub {
        Some(d) => {
            match mkdirat(&root, d, Mode::from_bits_truncate(0o755)) {
                Ok(()) => created_dir = true,
                Err(Errno::EEXIST) => {}
                Err(e) => return Err(err("create the directory of the", e)),
            }
            openat(
                &root,
                d,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | nofollow,
                Mode::empty(),
            )
            .map_err(|e| err("open the directory of the", e))?
        }
        None => root
            .try_clone()
            .map_err(|e| Error::generic(format!("Failed to open {}: {e}", m.mount_point)))?,
    };
    let mut block = Box::new(Block([0; 4096]));
    let n = content.len().min(4096);
    block.0[..n].copy_from_slice(&content[..n]);
    let open_file = |write: bool, direct: bool| {
        let mut flags = nofollow;
        if write {
            flags |= OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC | OFlag::O_SYNC;
        } else {
            flags |= OFlag::O_RDONLY;
        }
        if direct {
            flags |= OFlag::O_DIRECT;
        }
        openat(&dir, name, flags, Mode::from_bits_truncate(0o644)).map(std::fs::File::from)
    };
    // O_DIRECT bypasses the page cache (the point of the check); file systems without it
    // (tmpfs, some FUSE) answer EINVAL and get a synchronous write instead.
    let (mut f, direct) = match open_file(true, direct) {
        Err(Errno::EINVAL) if direct => {
            (open_file(true, false).map_err(|e| err("write", e))?, false)
        }
        r => (r.map_err(|e| err("write", e))?, direct),
    };
    let len = if direct { 4096 } else { n };
    let io = |what: &str, e: std::io::Error| {
        Error::generic(format!(
            "Failed to {what} status file {}: {e}",
            shown.display()
        ))
    };
    let result = f
        .write_all(&block.0[..len])
        .and_then(|_| f.sync_all())
        .map_err(|e| io("write", e))
        .and_then(|_| {
            let mut back = Box::new(Block([0; 4096]));
            let got = open_file(false, direct)
                .map_err(|e| err("read", e))?
                .read(&mut back.0)
                .map_err(|e| io("read", e))?;
            if got < n || back.0[..n] != block.0[..n] {
                return Err(Error::generic(format!(
                    "status file {} read back differs from what was written",
                    shown.display()
                )));
            }
            Ok(())
        });
    drop(f);
    let removed = unlinkat(&dir, name, UnlinkatFlags::NoRemoveDir);
    if let (true, Some(d)) = (created_dir, sub) {
        let _ = unlinkat(&root, d, UnlinkatFlags::RemoveDir);
    }
    result?;
    removed.map_err(|e| err("remove", e))
}
