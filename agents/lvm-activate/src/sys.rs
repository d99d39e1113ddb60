// SPDX-License-Identifier: GPL-2.0-or-later
//! The tier that touches the system: sysfs, O_DIRECT reads, /proc. Every read of a disk runs
//! in a helper thread bounded by the deadline (a dead PV must not hang an operation).

use crate::dm::{self, DmDevice};
use crate::pvmeta::{self, VgMeta};
use rustha_support::Deadline;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub const SYS_BLOCK: &str = "/sys/block";
const ALIGN: usize = 4096;

/// Every device-mapper device.
pub fn dm_devices() -> Result<Vec<DmDevice>, String> {
    dm::scan(Path::new(SYS_BLOCK)).map_err(|e| format!("cannot read {SYS_BLOCK}: {e}"))
}

/// Read `len` bytes at `offset` of a block device with O_DIRECT (past any cache: what the
/// disk holds now, also when another node wrote it).
fn read_direct_now(path: &Path, offset: u64, len: usize) -> Result<Vec<u8>, String> {
    let start = offset / ALIGN as u64 * ALIGN as u64;
    let skip = (offset - start) as usize;
    let total = (skip + len).div_ceil(ALIGN) * ALIGN;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let layout = std::alloc::Layout::from_size_align(total, ALIGN).map_err(|e| e.to_string())?;
    // SAFETY: layout has a non-zero size; the buffer is freed below on every path.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err("out of memory".into());
    }
    // SAFETY: ptr is valid for `total` bytes until dealloc.
    let buf = unsafe { std::slice::from_raw_parts_mut(ptr, total) };
    let result = f
        .seek(SeekFrom::Start(start))
        .and_then(|_| {
            let mut got = 0;
            while got < total {
                match f.read(&mut buf[got..])? {
                    0 => break,
                    n => got += n,
                }
            }
            Ok(got)
        })
        .map_err(|e| format!("reading {} at {offset}: {e}", path.display()))
        .and_then(|got| {
            if got < skip + len {
                Err(format!(
                    "{} ends before byte {}",
                    path.display(),
                    offset + len as u64
                ))
            } else {
                Ok(buf[skip..skip + len].to_vec())
            }
        });
    // SAFETY: allocated above with the same layout.
    unsafe { std::alloc::dealloc(ptr, layout) };
    result
}

/// [`read_direct_now`] bounded by the deadline.
pub fn read_direct(
    path: &Path,
    offset: u64,
    len: usize,
    deadline: &Deadline,
) -> Result<Vec<u8>, String> {
    let p = path.to_path_buf();
    deadline
        .run(move || read_direct_now(&p, offset, len))
        .unwrap_or_else(|| {
            Err(format!(
                "reading {} did not finish in time (device hung?)",
                path.display()
            ))
        })
}

/// The VG metadata as written on the PV `/dev/KNAME` now.
pub fn vg_meta_on(kname: &str, deadline: &Deadline) -> Result<VgMeta, String> {
    let path = PathBuf::from(format!("/dev/{kname}"));
    let p = path.clone();
    deadline
        .run(move || {
            pvmeta::read_vg_meta(&mut |off, len| read_direct_now(&p, off, len))
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .unwrap_or_else(|| {
            Err(format!(
                "reading the LVM metadata on {} did not finish in time",
                path.display()
            ))
        })
}

/// The VG metadata from the first of `pvs` that holds readable metadata; `Ok(None)` when no PV
/// in use carries a metadata area.
pub fn vg_meta(pvs: &[String], deadline: &Deadline) -> Result<Option<VgMeta>, String> {
    let mut last_err = None;
    for kname in pvs {
        match vg_meta_on(kname, deadline) {
            Ok(m) => return Ok(Some(m)),
            Err(e) if e.contains("no metadata area") => continue,
            Err(e) => last_err = Some(e),
        }
    }
    match last_err {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

/// Read the first block of a device with O_DIRECT (monitor depth 10).
pub fn read_first_block(dev: &DmDevice, deadline: &Deadline) -> Result<(), String> {
    let path = PathBuf::from(format!("/dev/{}", dev.kname));
    read_direct(&path, 0, ALIGN, deadline).map(|_| ())
}

/// Parse `MAJOR:MINOR`.
pub fn parse_devno(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.trim().split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// What keeps a device-mapper device open: devices built on it, mounts, swap and processes.
/// Only procfs/sysfs records are read (never the device).
pub fn holders(dev: &DmDevice, all: &[DmDevice]) -> Vec<String> {
    let mut out = Vec::new();
    for h in &dev.holders {
        match all.iter().find(|d| &d.kname == h) {
            Some(d) => out.push(format!("device {}", d.name)),
            None => out.push(format!("device {h}")),
        }
    }
    let Some((maj, min)) = parse_devno(&dev.dev) else {
        return out;
    };
    if let Ok(mi) = std::fs::read_to_string("/proc/self/mountinfo") {
        for line in mi.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            if f.len() > 4 && f[2] == dev.dev {
                out.push(format!("mounted on {}", f[4]));
            }
        }
    }
    if let Ok(sw) = std::fs::read_to_string("/proc/swaps") {
        for line in sw.lines().skip(1) {
            let name = line.split_whitespace().next().unwrap_or("");
            if same_device(Path::new(name), maj, min) {
                out.push(format!("swap {name}"));
            }
        }
    }
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    let me = std::process::id().to_string();
    for p in procs.flatten() {
        let pid = p.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        if fds.flatten().any(|fd| same_device(&fd.path(), maj, min)) {
            let comm = std::fs::read_to_string(p.path().join("comm")).unwrap_or_default();
            out.push(format!("pid {pid} ({})", comm.trim()));
        }
    }
    out
}

/// Whether `path` (followed) is the block device MAJ:MIN. stat of a device node does not
/// touch the device.
fn same_device(path: &Path, maj: u64, min: u64) -> bool {
    std::fs::metadata(path)
        .map(|m| {
            m.file_type().is_block_device()
                && libc::major(m.rdev()) as u64 == maj
                && libc::minor(m.rdev()) as u64 == min
        })
        .unwrap_or(false)
}

/// Whether a process with this command name runs (pgrep -x).
pub fn process_running(comm: &str) -> bool {
    std::fs::read_dir("/proc")
        .map(|rd| {
            rd.flatten().any(|p| {
                std::fs::read_to_string(p.path().join("comm")).is_ok_and(|c| c.trim() == comm)
            })
        })
        .unwrap_or(false)
}

/// Whether a program is installed in the usual directories.
pub fn have_program(name: &str) -> bool {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin"]
        .iter()
        .any(|d| Path::new(d).join(name).exists())
}

/// DRBD devices present (`/dev/drbdN`), each with every name LVM would try it under: the node,
/// `/dev/block/M:m` and the udev links under /dev/drbd and /dev/disk that resolve to it.
pub fn drbd_devices() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(SYS_BLOCK) else {
        return out;
    };
    let mut knames: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("drbd"))
        .collect();
    knames.sort();
    let mut links = Vec::new();
    for dir in ["/dev/drbd", "/dev/disk"] {
        collect_links(Path::new(dir), 0, &mut links);
    }
    for k in knames {
        let node = format!("/dev/{k}");
        let mut names = vec![node.clone()];
        if let Ok(dev) = std::fs::read_to_string(format!("{SYS_BLOCK}/{k}/dev")) {
            names.push(format!("/dev/block/{}", dev.trim()));
        }
        for l in &links {
            if std::fs::canonicalize(l).is_ok_and(|t| t == Path::new(&node)) {
                names.push(l.display().to_string());
            }
        }
        out.push((node, names));
    }
    out
}

fn collect_links(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    if depth > 4 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_symlink() => out.push(p),
            Ok(t) if t.is_dir() => collect_links(&p, depth + 1, out),
            _ => {}
        }
    }
}

/// The agent's memory between operations (our system ID, recorded at start), in the OCF
/// state directory: `key=value` lines.
pub fn read_state(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn write_state(path: &Path, pairs: &[(&str, &str)]) {
    let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    if let Err(e) = rustha_support::state::replace(path, &text) {
        tracing::warn!("cannot write {}: {e}", path.display());
    }
}

/// `CLOCK_BOOTTIME`: monotonic, the same in every process, counting suspend; restarts at boot.
pub fn boottime() -> Option<std::time::Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime fills the timespec we own.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } != 0 {
        return None;
    }
    Some(std::time::Duration::new(
        u64::try_from(ts.tv_sec).ok()?,
        u32::try_from(ts.tv_nsec).ok()?,
    ))
}

/// The kernel's random ID of this boot.
pub fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// The last ownership check ([`crate::recheck`]); `None` when absent or not a record.
pub fn read_checked(path: &Path) -> Option<crate::recheck::Checked> {
    crate::recheck::Checked::parse(&std::fs::read_to_string(path).ok()?)
}

/// Replace the record atomically: a monitor running at the same time reads the old record or
/// the new one, never a mixture.
pub fn write_checked(path: &Path, checked: &crate::recheck::Checked) {
    if let Err(e) = rustha_support::state::replace(path, &checked.render()) {
        tracing::debug!("cannot write {}: {e}", path.display());
    }
}

/// Forget the last check (the next monitor reads the metadata).
pub fn forget_checked(path: &Path) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!("cannot remove {}: {e}", path.display())
        }
        _ => {}
    }
}
