//! I/O that may hang on a dying device or a dead server, kept off the main thread: the direct
//! read of depth 10, the status file of depth 20, and the buffer flush around mount and unmount.

use rustha_ocf::{Error, Result};
use rustha_support::Deadline;
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

pub(crate) fn write_read_remove(file: &Path, content: &[u8], direct: bool) -> Result<()> {
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let err = |what: &str, e: std::io::Error| {
        Error::generic(format!(
            "Failed to {what} status file {}: {e}",
            file.display()
        ))
    };
    let mut created_dir = None;
    if let Some(dir) = file.parent().filter(|d| !d.exists()) {
        std::fs::create_dir_all(dir).map_err(|e| err("create the directory of the", e))?;
        created_dir = Some(dir.to_path_buf());
    }
    let mut block = Box::new(Block([0; 4096]));
    let n = content.len().min(4096);
    block.0[..n].copy_from_slice(&content[..n]);
    let open = |write: bool, direct: bool| {
        let mut o = std::fs::OpenOptions::new();
        if write {
            o.write(true)
                .create(true)
                .truncate(true)
                .custom_flags(libc::O_SYNC | if direct { libc::O_DIRECT } else { 0 });
        } else {
            o.read(true)
                .custom_flags(if direct { libc::O_DIRECT } else { 0 });
        }
        o.open(file)
    };
    // O_DIRECT bypasses the page cache (the point of the check); file systems without it
    // (tmpfs, some FUSE) answer EINVAL and get a synchronous write instead.
    let (mut f, direct) = match open(true, direct) {
        Err(e) if direct && e.raw_os_error() == Some(libc::EINVAL) => {
            (open(true, false).map_err(|e| err("write", e))?, false)
        }
        r => (r.map_err(|e| err("write", e))?, direct),
    };
    let len = if direct { 4096 } else { n };
    let result = f
        .write_all(&block.0[..len])
        .and_then(|_| f.sync_all())
        .map_err(|e| err("write", e))
        .and_then(|_| {
            let mut back = Box::new(Block([0; 4096]));
            let got = open(false, direct)
                .and_then(|mut r| r.read(&mut back.0))
                .map_err(|e| err("read", e))?;
            if got < n || back.0[..n] != block.0[..n] {
                return Err(Error::generic(format!(
                    "status file {} read back differs from what was written",
                    file.display()
                )));
            }
            Ok(())
        });
    drop(f);
    let removed = std::fs::remove_file(file);
    if let Some(d) = created_dir {
        let _ = std::fs::remove_dir(d);
    }
    result?;
    removed.map_err(|e| err("remove", e))
}
