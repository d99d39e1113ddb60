//! `ocf:rustha:Filesystem`: mounts a file system on start, unmounts it on stop (stopping the
//! processes that hold it), and checks it on monitor. Drop-in for `ocf:heartbeat:Filesystem`.
//!
//! - start: validate, refuse `/` and a directory with mounts below it, resolve UUID/LABEL, fsck per
//!   `run_fsck`, create the directory, mount (mount(2) for block devices and bind mounts, the
//!   `mount` helper only for network and helper-backed file systems and loop images).
//! - monitor: depth 0 the right device is mounted on the directory; 10 the device's first block
//!   reads (O_DIRECT); 20 a status file can be written, synced, read back and removed.
//! - stop: unmount submounts deepest first, then the directory; while busy, signal the processes
//!   that hold it (`term_signals`, `signal_delay`, `kill_signals`); network file systems fall back
//!   to a forced, then lazy, unmount. Everything within the operation's deadline.

mod device;
mod holders;
mod mountinfo;
mod options;

use device::DeviceSpec;
use mountinfo::Mount;
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use nix::sys::signal::Signal;
use ocf_metadata::agents::filesystem::FILESYSTEM;
use options::MountOptions;
use rustha_ocf::{bail, Action, Code, Error, Invocation, Result};
use rustha_support::{command, Command, Deadline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tracing::{info, warn};

fn main() -> ExitCode {
    rustha_ocf::run(&FILESYSTEM, Some(legacy_args), |inv| {
        let p = Params::from(inv)?;
        match inv.action {
            Action::Start => start(&p, inv),
            Action::Stop => stop(&p, inv),
            Action::Monitor | Action::Status => monitor(&p, inv),
            Action::ValidateAll => validate(&p, inv).map(|_| Code::Success),
            ref other => Err(Error::new(
                Code::Unimplemented,
                format!("action {:?} is not supported by Filesystem", other.name()),
            )),
        }
    })
}

/// heartbeat v1: `Filesystem DEVICE DIRECTORY [FSTYPE [OPTIONS]] ACTION`.
fn legacy_args(pos: &[String]) -> Result<Vec<(&'static str, String)>> {
    if pos.len() > 4 {
        bail!(
            ErrArgs,
            "expected at most 4 positional arguments (device directory fstype options), got {}: {:?}",
            pos.len(),
            pos.join(" ")
        );
    }
    Ok(["device", "directory", "fstype", "options"]
        .into_iter()
        .zip(pos.iter().cloned())
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Parameters

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fsck {
    Auto,
    Force,
    No,
}

/// What kind of source the device is; decides fsck, depth-10 checks and how to mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A block device (path, -U, -L).
    Block,
    /// A network share (nfs, cifs, glusterfs, ceph ...).
    Network,
    /// A bind mount of a directory.
    Bind,
    /// No device at all (tmpfs, overlay, zfs datasets ...) or an image through the loop option.
    Other,
}

#[derive(Debug)]
struct Params {
    device: String,
    spec: DeviceSpec,
    /// As given, without trailing slashes.
    directory: String,
    fstype: String,
    options_raw: String,
    options: MountOptions,
    source: Source,
    statusfile: PathBuf,
    run_fsck: Fsck,
    fast_stop: bool,
    force_clones: bool,
    /// force_unmount other than false: signal the holders.
    kill_holders: bool,
    term_signals: Vec<Signal>,
    kill_signals: Vec<Signal>,
    signal_delay: Duration,
}

const NETWORK_FS: &[&str] = &[
    "nfs",
    "nfs4",
    "efs",
    "smbfs",
    "cifs",
    "smb3",
    "glusterfs",
    "ceph",
    "lustre",
    "rozofs",
    "cvfs",
];
const NO_DEVICE_FS: &[&str] = &["tmpfs", "overlay", "overlayfs", "zfs", "ramfs"];
/// Journalled or network file systems `run_fsck=auto` does not check (the stock list).
const NO_FSCK_FS: &[&str] = &[
    "ext4",
    "ext4dev",
    "ext3",
    "reiserfs",
    "reiser4",
    "nss",
    "xfs",
    "jfs",
    "vfat",
    "fat",
    "nfs4",
    "nfs",
    "efs",
    "cifs",
    "smbfs",
    "ocfs2",
    "gfs2",
    "none",
    "lustre",
    "glusterfs",
    "ceph",
    "tmpfs",
    "overlay",
    "overlayfs",
    "rozofs",
    "zfs",
    "cvfs",
    "btrfs",
];
/// Cluster-aware or shared file systems that may run as clones.
const CLUSTER_FS: &[&str] = &[
    "nfs4",
    "nfs",
    "efs",
    "smbfs",
    "cifs",
    "none",
    "gfs2",
    "glusterfs",
    "ceph",
    "ocfs2",
    "overlay",
    "overlayfs",
    "tmpfs",
    "cvfs",
    "lustre",
];

/// `ocf_is_true`'s spellings and their negations.
fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" | "ja" => Some(true),
        "0" | "false" | "no" | "n" | "off" | "nein" => Some(false),
        _ => None,
    }
}

fn is_network(fstype: &str) -> bool {
    NETWORK_FS.contains(&fstype) || fstype.starts_with("fuse.")
}

impl Params {
    fn from(inv: &Invocation) -> Result<Params> {
        let v = &inv.params;
        let device = v.str("device").trim().to_string();
        if device.is_empty() {
            bail!(
                ErrConfigured,
                "Please set OCF_RESKEY_device to the device to be managed"
            );
        }
        let raw_dir = v.str("directory");
        if raw_dir.is_empty() {
            bail!(
                ErrConfigured,
                "Please specify the directory (OCF_RESKEY_directory is empty)"
            );
        }
        if !raw_dir.starts_with('/') {
            bail!(
                ErrConfigured,
                "directory {raw_dir:?} is not an absolute path (expected e.g. /srv/data)"
            );
        }
        let trimmed = raw_dir.trim_end_matches('/');
        let directory = if trimmed.is_empty() { "/" } else { trimmed }.to_string();
        let fstype = v.str("fstype").trim().to_string();
        let options_raw = v.str("options").trim().to_string();
        let options = options::parse(&options_raw);
        let spec = device::parse(&device);

        let source = if options.bind || fstype == "none" {
            Source::Bind
        } else if is_network(&fstype) {
            Source::Network
        } else if NO_DEVICE_FS.contains(&fstype.as_str()) || options.loop_device {
            Source::Other
        } else if matches!(&spec, DeviceSpec::Path(p) if Path::new(p).is_dir()) {
            Source::Bind
        } else {
            Source::Block
        };

        let run_fsck = match v.str("run_fsck") {
            "" | "auto" => Fsck::Auto,
            "force" => Fsck::Force,
            "no" => Fsck::No,
            other => {
                warn!("Invalid parameter value for fsck: {other:?}; setting to 'auto'");
                Fsck::Auto
            }
        };

        let fu = v.str("force_unmount").to_ascii_lowercase();
        let mut words = fu.split([',', ' ', '+']).filter(|w| !w.is_empty());
        let kill_holders = match words.next() {
            None => true,
            Some("safe") => true,
            Some(w) => parse_bool(w).ok_or_else(|| {
                Error::configured(format!(
                    "force_unmount={fu:?} is not valid (expected true, safe or false, optionally with move, xargs or ps)"
                ))
            })?,
        };
        if let Some(bad) = words.find(|w| !matches!(*w, "move" | "xargs" | "ps")) {
            bail!(
                ErrConfigured,
                "force_unmount={fu:?}: unknown modifier {bad:?} (expected move, xargs or ps)"
            );
        }
        let signals = |name: &str| {
            holders::parse_signals(v.str(name))
                .map_err(|e| Error::configured(format!("{name}={:?}: {e}", v.str(name))))
        };
        let term_signals = signals("term_signals")?;
        let kill_signals = signals("kill_signals")?;
        let delay = v.int("signal_delay").unwrap_or(1);
        if delay < 0 {
            bail!(
                ErrConfigured,
                "signal_delay={delay} is negative (expected seconds >= 0)"
            );
        }

        // The status file for depth 20: DIRECTORY/PREFIX INSTANCE[_CLONE]_NODE, as the stock agent.
        let prefix = match v.str("statusfile_prefix") {
            "" => ".Filesystem_status/",
            p => p,
        };
        let mut suffix = inv.instance.clone();
        if let Some(c) = inv.meta.get("clone").filter(|c| !c.is_empty()) {
            suffix = format!("{suffix}_{c}");
        }
        let node = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let statusfile = PathBuf::from(format!(
            "{}/{prefix}{suffix}_{}",
            directory.trim_end_matches('/'),
            node.trim()
        ));

        Ok(Params {
            device,
            spec,
            directory,
            fstype,
            options_raw,
            options,
            source,
            statusfile,
            run_fsck,
            fast_stop: v.flag("fast_stop"),
            force_clones: v.flag("force_clones"),
            kill_holders,
            term_signals,
            kill_signals,
            signal_delay: Duration::from_secs(delay.unsigned_abs()),
        })
    }

    /// The mount point as the kernel reports it: the directory as given if something is mounted
    /// there (never touching it: a dead NFS server must not block us), else canonicalised.
    fn mount_point(&self, table: &[Mount]) -> String {
        if mountinfo::mounted_at(table, &self.directory).is_some() {
            return self.directory.clone();
        }
        canonical(&self.directory)
    }

    fn fsck_needed(&self) -> bool {
        match self.run_fsck {
            Fsck::Force => true,
            Fsck::No => false,
            Fsck::Auto => !NO_FSCK_FS.contains(&self.fstype.as_str()),
        }
    }

    /// The device node for a block device, or an error naming what was not found.
    fn block_device(&self, deadline: &Deadline) -> Result<PathBuf> {
        let dev = self.spec.resolve(deadline).map_err(|e| {
            Error::installed(format!("Couldn't find device [{}]: {e}", self.device))
        })?;
        use std::os::unix::fs::FileTypeExt;
        match std::fs::metadata(&dev) {
            Ok(m) if m.file_type().is_block_device() => Ok(dev),
            Ok(m) if m.is_file() => Err(Error::installed(format!(
                "device [{}] is a regular file, not a block device (add \"loop\" to options to mount an image)",
                dev.display()
            ))),
            Ok(_) => Err(Error::installed(format!(
                "device [{}] is not a block device",
                dev.display()
            ))),
            Err(e) => Err(Error::installed(format!(
                "Couldn't find device [{}]. Expected /dev/??? to exist ({e})",
                dev.display()
            ))),
        }
    }
}

/// `readlink -f` that also works for a directory that does not exist yet: the deepest existing
/// ancestor is resolved (symlinks such as /var/run -> /run) and the rest appended.
fn canonical(dir: &str) -> String {
    let path = Path::new(dir);
    let mut rest = Vec::new();
    let mut cur = path;
    loop {
        if let Ok(c) = std::fs::canonicalize(cur) {
            let mut out = c;
            out.extend(rest.iter().rev());
            return out.to_string_lossy().into_owned();
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                cur = parent;
            }
            _ => return dir.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// validate-all

/// Everything start checks before it changes anything.
fn validate(p: &Params, inv: &Invocation) -> Result<()> {
    if p.directory == "/" {
        bail!(
            ErrConfigured,
            "directory \"/\" cannot be managed (the root file system)"
        );
    }
    if inv.meta.is_clone() {
        check_clone(p)?;
    }
    fstype_supported(&p.fstype, &inv.deadline, false)?;
    match std::fs::metadata(&p.directory) {
        Ok(m) if !m.is_dir() => bail!(
            ErrInstalled,
            "Couldn't use [{}] as a mount point: it exists and is not a directory",
            p.directory
        ),
        _ => {}
    }
    match p.source {
        Source::Block => {
            p.block_device(&inv.deadline)?;
        }
        Source::Bind => {
            if !Path::new(&p.device).exists() {
                bail!(
                    ErrInstalled,
                    "bind mount source [{}] does not exist",
                    p.device
                );
            }
        }
        Source::Network | Source::Other => {}
    }
    Ok(())
}

fn check_clone(p: &Params) -> Result<()> {
    let safe = CLUSTER_FS.contains(&p.fstype.as_str()) || is_network(&p.fstype);
    if safe {
        return Ok(());
    }
    if p.force_clones {
        warn!(
            "{} on {} is NOT cluster-aware! But we'll let it run because force_clones is set.",
            p.fstype, p.device
        );
        return Ok(());
    }
    if p.options.read_only {
        warn!(
            "{} on {} is NOT cluster-aware! But we'll let it run because it is mounted read-only.",
            p.fstype, p.device
        );
        return Ok(());
    }
    bail!(
        ErrConfigured,
        "DANGER! {} on {} is NOT cluster-aware! Refusing to run it as a clone (set force_clones=true if you are sure)",
        p.fstype,
        p.device
    )
}

/// Whether the kernel knows `fstype` (loading the module if `load`).
fn fstype_supported(fstype: &str, deadline: &Deadline, load: bool) -> Result<()> {
    if fstype.is_empty() || fstype == "none" {
        return Ok(());
    }
    let support = if fstype.starts_with("fuse.") || fstype == "glusterfs" || fstype == "rozofs" {
        "fuse"
    } else if fstype == "efs" {
        "nfs4"
    } else {
        fstype
    };
    let known = || {
        std::fs::read_to_string("/proc/filesystems")
            .map(|t| {
                t.lines()
                    .any(|l| l.split_whitespace().last() == Some(support))
            })
            .unwrap_or(false)
    };
    if known() {
        return Ok(());
    }
    if !load {
        // Loadable later (start runs modprobe)?
        if module_available(support) {
            return Ok(());
        }
        bail!(
            ErrInstalled,
            "Couldn't find filesystem {support} in /proc/filesystems, nor a kernel module for it"
        );
    }
    {
        let out = command::run(
            &Command::new("modprobe").arg(support),
            &deadline.capped(Duration::from_secs(10)),
        );
        if matches!(&out, Ok(o) if o.success())
            && deadline
                .capped(Duration::from_secs(5))
                .poll(Duration::from_millis(100), || known().then_some(()))
                .is_some()
        {
            return Ok(());
        }
    }
    bail!(
        ErrInstalled,
        "Couldn't find filesystem {support} in /proc/filesystems and failed to load kernel module"
    )
}

/// Whether modules.dep of the running kernel lists a module named `name`.
fn module_available(name: &str) -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let dep = std::fs::read_to_string(format!("/lib/modules/{}/modules.dep", release.trim()))
        .unwrap_or_default();
    module_listed(&dep, name)
}

/// Whether the text of a modules.dep lists module `name` (`kernel/fs/nfs/nfs.ko.xz: deps`).
fn module_listed(modules_dep: &str, name: &str) -> bool {
    modules_dep.lines().any(|l| {
        let path = l.split(':').next().unwrap_or("");
        let file = path.rsplit('/').next().unwrap_or("");
        file.split('.').next() == Some(name) && file.contains(".ko")
    })
}

// ---------------------------------------------------------------------------------------------
// start

fn start(p: &Params, inv: &Invocation) -> Result<Code> {
    validate(p, inv)?;
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    if dir == "/" {
        bail!(
            ErrConfigured,
            "directory {:?} resolves to \"/\" (the root file system)",
            p.directory
        );
    }
    if let Some(m) = mountinfo::mounted_at(&table, &dir) {
        check_device(p, m, &inv.deadline)?;
        info!("Filesystem {dir} is already mounted.");
        return Ok(Code::Success);
    }
    if let Some(sub) = mountinfo::submounts(&table, &dir).last() {
        bail!(
            ErrConfigured,
            "There is one or more mounts mounted under {dir} (e.g. {}); refusing to mount over them",
            sub.mount_point
        );
    }
    let device = match p.source {
        Source::Block => Some(p.block_device(&inv.deadline)?),
        _ => None,
    };
    fstype_supported(&p.fstype, &inv.deadline, true)?;
    if let (Some(dev), true) = (&device, p.fsck_needed()) {
        fsck(p, dev, &inv.deadline)?;
    }
    if !Path::new(&dir).is_dir() {
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::installed(format!(
                "Couldn't create directory [{dir}] to use as a mount point: {e}"
            ))
        })?;
    }
    if let Some(dev) = &device {
        flush_buffers(dev);
    }
    do_mount(p, device.as_deref(), &dir, &inv.deadline)?;

    let table = read_mounts()?;
    match mountinfo::mounted_at(&table, &dir) {
        Some(m) => {
            check_device(p, m, &inv.deadline)?;
            info!("mounted {} on {dir} ({})", m.source, m.fstype);
            Ok(Code::Success)
        }
        None => bail!(
            ErrGeneric,
            "mount of [{}] on {dir} reported success, but nothing is mounted there",
            p.device
        ),
    }
}

fn fsck(p: &Params, dev: &Path, deadline: &Deadline) -> Result<()> {
    info!("Starting filesystem check on {}", dev.display());
    let mut cmd = Command::new("fsck");
    if !p.fstype.is_empty() {
        cmd = cmd.args(["-t", &p.fstype]);
    }
    let out = command::run(&cmd.arg("-p").arg(dev.as_os_str()), deadline)?;
    // fsck: 0 clean, 1 errors corrected, 2 reboot advised, >= 4 errors left, usage or operational error.
    if out.code() >= 4 {
        // The tool's complaint first (stderr), then its explanation, without banners.
        let text = format!("{}\n{}", out.stderr, out.stdout);
        let summary: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.len() > 1 && !l.starts_with("fsck from") && !l.ends_with(':'))
            .take(3)
            .collect();
        let tail = summary.join(" | ");
        bail!(
            ErrGeneric,
            "Couldn't successfully fsck filesystem for {} (fsck exit {}): {tail}",
            dev.display(),
            out.code()
        );
    }
    if out.code() != 0 {
        warn!(
            "fsck of {} corrected errors (exit {})",
            dev.display(),
            out.code()
        );
    }
    Ok(())
}

/// A helper (`mount.nfs`, `mount.cifs`, ...) does what the kernel alone cannot.
fn needs_helper(p: &Params) -> bool {
    p.options.loop_device
        || p.fstype.is_empty()
        || p.source == Source::Network
        || (!p.fstype.is_empty()
            && p.source != Source::Bind
            && ["/sbin", "/usr/sbin", "/bin", "/usr/bin"]
                .iter()
                .any(|d| Path::new(&format!("{d}/mount.{}", p.fstype)).exists()))
}

fn do_mount(p: &Params, device: Option<&Path>, dir: &str, deadline: &Deadline) -> Result<()> {
    let fail = |why: String| {
        Error::generic(format!(
            "Couldn't mount device [{}] as {dir}: {why}",
            p.device
        ))
    };
    if needs_helper(p) {
        let mut cmd = Command::new("mount");
        if !p.fstype.is_empty() && p.fstype != "none" {
            cmd = cmd.args(["-t", &p.fstype]);
        }
        // mount.cifs takes the password from PASSWD: keep it out of argv.
        let mut opts = p.options_raw.clone();
        if matches!(p.fstype.as_str(), "cifs" | "smb3" | "smbfs") {
            let (rest, password) = options::split_password(&p.options_raw);
            if let Some(pw) = password {
                opts = rest;
                cmd = cmd.env("PASSWD", pw);
            }
        }
        if !opts.is_empty() {
            cmd = cmd.args(["-o", &opts]);
        }
        let dev = device
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.spec.tag().unwrap_or_else(|| p.device.clone()));
        let out =
            command::run(&cmd.arg(dev).arg(dir), deadline).map_err(|e| fail(e.to_string()))?;
        if !out.success() {
            return Err(fail(format!(
                "mount exit {}: {}",
                out.code(),
                out.last_line()
            )));
        }
        return Ok(());
    }
    let describe = |e: Errno| match e {
        Errno::EINVAL => format!(
            "the kernel rejected it (EINVAL: wrong fstype {:?}, \
             bad options {:?} or a bad superblock)",
            p.fstype,
            options::redact(&p.options_raw)
        ),
        e => format!("{} ({e:?})", e.desc()),
    };
    if p.source == Source::Bind {
        let flags = MsFlags::MS_BIND | (p.options.flags & MsFlags::MS_REC);
        nix::mount::mount(
            Some(p.device.as_str()),
            dir,
            None::<&str>,
            flags,
            None::<&str>,
        )
        .map_err(|e| fail(describe(e)))?;
        if p.options.bind_needs_remount() {
            if let Err(e) = nix::mount::mount(
                None::<&str>,
                dir,
                None::<&str>,
                p.options.bind_remount_flags(),
                None::<&str>,
            ) {
                let _ = nix::mount::umount2(dir, MntFlags::MNT_DETACH);
                return Err(fail(format!(
                    "bind mount made, but applying {:?} by remount failed: {}",
                    options::redact(&p.options_raw),
                    describe(e)
                )));
            }
        }
        return Ok(());
    }
    let source = device
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.device.clone());
    let data = p.options.data_string();
    nix::mount::mount(
        Some(source.as_str()),
        dir,
        Some(p.fstype.as_str()),
        p.options.flags,
        data.as_deref(),
    )
    .map_err(|e| fail(describe(e)))
}

/// `blockdev --flushbufs`: drop the device's buffers so another node's writes are seen.
fn flush_buffers(dev: &Path) {
    const BLKFLSBUF: libc::c_ulong = 0x1261;
    if let Ok(f) = std::fs::File::open(dev) {
        use std::os::fd::AsRawFd;
        // SAFETY: BLKFLSBUF takes no argument; the fd is valid for the call.
        unsafe { libc::ioctl(f.as_raw_fd(), BLKFLSBUF as _, 0) };
    }
}

// ---------------------------------------------------------------------------------------------
// monitor

fn read_mounts() -> Result<Vec<Mount>> {
    mountinfo::read().map_err(|e| Error::generic(format!("cannot read /proc/self/mountinfo: {e}")))
}

/// The mounted file system must be the configured device: same major:minor for block devices.
fn check_device(p: &Params, m: &Mount, deadline: &Deadline) -> Result<()> {
    if p.source != Source::Block {
        return Ok(());
    }
    let Ok(dev) = p.spec.resolve(deadline) else {
        // Not resolvable here (e.g. the by-uuid link is gone): the mount is all we can see.
        return Ok(());
    };
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(&dev) else {
        return Ok(());
    };
    let (maj, min) = (libc::major(meta.rdev()), libc::minor(meta.rdev()));
    let same = if m.major == 0 {
        // btrfs and friends report an anonymous device: compare the source instead.
        std::fs::canonicalize(&m.source)
            .map(|s| s == std::fs::canonicalize(&dev).unwrap_or_default())
            .unwrap_or(true)
    } else {
        (m.major, m.minor) == (maj, min)
    };
    if !same {
        bail!(
            ErrGeneric,
            "{} has {} ({}:{}) mounted, not the configured device {} ({maj}:{min})",
            m.mount_point,
            m.source,
            m.major,
            m.minor,
            dev.display()
        );
    }
    Ok(())
}

fn monitor(p: &Params, inv: &Invocation) -> Result<Code> {
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    let Some(m) = mountinfo::mounted_at(&table, &dir) else {
        if inv.action == Action::Status {
            info!("{} is unmounted (stopped)", p.directory);
        }
        return Ok(Code::NotRunning);
    };
    check_device(p, m, &inv.deadline)?;
    match inv.check_level {
        0 => {}
        10 => read_first_block(p, m, &inv.deadline)?,
        20 => status_file(p, m, &inv.deadline)?,
        n => bail!(
            ErrConfigured,
            "unsupported monitor level {n} (expected 0, 10 or 20)"
        ),
    }
    Ok(Code::Success)
}

/// Run `f` on a worker thread and give up on it at the deadline: I/O on a dying device or a
/// dead server must not hold the answer past the operation timeout.
fn bounded<T: Send + 'static>(
    deadline: &Deadline,
    what: String,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(deadline.remaining()) {
        Ok(r) => r,
        Err(_) => bail!(
            ErrGeneric,
            "{what} did not complete within the operation timeout"
        ),
    }
}

/// A 4 KiB buffer aligned for O_DIRECT.
#[repr(C, align(4096))]
struct Block([u8; 4096]);

fn read_first_block(p: &Params, m: &Mount, deadline: &Deadline) -> Result<()> {
    if p.source != Source::Block || m.major == 0 {
        warn!("{} is not a block device, monitor 10 is noop", p.device);
        return Ok(());
    }
    let dev = p
        .block_device(deadline)
        .map_err(|e| Error::generic(e.reason))?;
    let what = format!("direct read of the first block of {}", dev.display());
    bounded(deadline, what, move || {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let mut buf = Box::new(Block([0; 4096]));
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECT)
            .open(&dev)
            .and_then(|mut f| f.read(&mut buf.0))
            .map_err(|e| Error::generic(format!("Failed to read device {}: {e}", dev.display())))
            .and_then(|n| match n {
                0 => Err(Error::generic(format!(
                    "Failed to read device {}: it is empty",
                    dev.display()
                ))),
                _ => Ok(()),
            })
    })
}

fn status_file(p: &Params, m: &Mount, deadline: &Deadline) -> Result<()> {
    let file = p.statusfile.clone();
    if m.read_only() {
        bail!(
            ErrGeneric,
            "Failed to write status file {}: {} is mounted read-only",
            file.display(),
            m.mount_point
        );
    }
    let direct = p.source == Source::Block;
    let content = format!(
        "{}\n",
        std::env::var("OCF_RESOURCE_INSTANCE").unwrap_or_default()
    );
    let what = format!("writing the status file {}", file.display());
    bounded(deadline, what, move || {
        write_read_remove(&file, content.as_bytes(), direct)
    })
}

fn write_read_remove(file: &Path, content: &[u8], direct: bool) -> Result<()> {
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

// ---------------------------------------------------------------------------------------------
// stop

fn stop(p: &Params, inv: &Invocation) -> Result<Code> {
    let table = read_mounts()?;
    let dir = p.mount_point(&table);
    let Some(first) = mountinfo::mounted_at(&table, &dir).cloned() else {
        info!("{dir} is not mounted");
        return Ok(Code::Success);
    };
    if dir == "/" {
        bail!(ErrConfigured, "refusing to unmount \"/\"");
    }
    // Mounts stacked on the directory are unmounted one layer per round.
    let mut table = table;
    for _ in 0..16 {
        let Some(top) = mountinfo::mounted_at(&table, &dir).cloned() else {
            break;
        };
        for m in unmount_order(p, &table, &dir, &top) {
            let budget = if p.fast_stop {
                inv.deadline.capped(Duration::from_secs(6))
            } else {
                inv.deadline
            };
            info!("Trying to unmount {}", m.mount_point);
            unmount(p, &m, &budget)?;
        }
        table = read_mounts()?;
    }
    if let Some(m) = mountinfo::mounted_at(&table, &dir) {
        bail!(
            ErrGeneric,
            "Couldn't unmount {dir}: {} is still mounted there",
            m.source
        );
    }
    if p.source == Source::Block && first.major != 0 {
        let dev = PathBuf::from(&first.source);
        flush_buffers(&dev);
        warn_if_still_in_use(&dev, (first.major, first.minor), &inv.deadline);
    }
    Ok(Code::Success)
}

/// Submounts deepest first, other mounts of the same block device (as the stock agent does,
/// unless this is a bind mount), then the directory itself.
fn unmount_order(p: &Params, table: &[Mount], dir: &str, top: &Mount) -> Vec<Mount> {
    let mut targets: Vec<Mount> = mountinfo::submounts(table, dir)
        .into_iter()
        .cloned()
        .collect();
    if p.source != Source::Bind && top.major != 0 && top.source.starts_with("/dev/") {
        let mut others: Vec<Mount> = table
            .iter()
            .filter(|m| (m.major, m.minor) == (top.major, top.minor))
            .filter(|m| !mountinfo::is_under(&m.mount_point, dir) && m.mount_point != "/")
            .cloned()
            .collect();
        others.sort_by_key(|m| std::cmp::Reverse(m.mount_point.matches('/').count()));
        targets.extend(others);
    }
    targets.push(top.clone());
    targets
}

/// After the last unmount the device should be free. If it is not, the usual reason is a copy
/// of the mount in another mount namespace (a container, or any `unshare -m` made while the
/// file system was mounted): the file system is then still mounted on this node. Say so.
fn warn_if_still_in_use(dev: &Path, (major, minor): (u32, u32), deadline: &Deadline) {
    use std::os::unix::fs::OpenOptionsExt;
    let free = || {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_EXCL)
            .open(dev)
            .is_ok()
            .then_some(())
    };
    if deadline
        .capped(Duration::from_millis(500))
        .poll(Duration::from_millis(20), free)
        .is_some()
    {
        return;
    }
    let mine = std::fs::read_link("/proc/self/ns/mnt").ok();
    let mut seen = Vec::new();
    let mut holders = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let ns = std::fs::read_link(format!("/proc/{pid}/ns/mnt")).ok();
        if ns.is_none() || ns == mine || seen.contains(&ns) {
            continue;
        }
        seen.push(ns);
        let text = std::fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap_or_default();
        if let Some(m) = mountinfo::parse(&text)
            .into_iter()
            .find(|m| (m.major, m.minor) == (major, minor))
        {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            holders.push(format!("pid {pid} ({}) on {}", comm.trim(), m.mount_point));
        }
        if holders.len() >= 3 || deadline.expired() {
            break;
        }
    }
    warn!(
        "{} is still in use after unmount{}",
        dev.display(),
        if holders.is_empty() {
            String::new()
        } else {
            format!(
                ": still mounted in another mount namespace ({})",
                holders.join(", ")
            )
        }
    );
}

fn still_mounted(mp: &str) -> bool {
    mountinfo::read()
        .map(|t| mountinfo::mounted_at(&t, mp).is_some())
        .unwrap_or(true)
}

/// One umount2 call; for network file systems on a worker thread, so a dead server cannot hold
/// us (`Err(ETIMEDOUT)` then).
fn umount_call(
    mp: &str,
    flags: MntFlags,
    network: bool,
    deadline: &Deadline,
) -> std::result::Result<(), Errno> {
    if !network {
        return nix::mount::umount2(mp, flags);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let path = mp.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(nix::mount::umount2(path.as_str(), flags));
    });
    rx.recv_timeout(deadline.remaining().min(Duration::from_secs(2)))
        .unwrap_or(Err(Errno::ETIMEDOUT))
}

fn unmount(p: &Params, m: &Mount, deadline: &Deadline) -> Result<()> {
    let mp = m.mount_point.as_str();
    let network = is_network(&m.fstype);
    let flags = if network {
        MntFlags::MNT_FORCE
    } else {
        MntFlags::empty()
    };
    let exclude = holders::self_and_ancestors();
    let mut signalled_term = false;
    let mut last_holders: Vec<holders::Holder> = Vec::new();
    let mut last_err;
    loop {
        match umount_call(mp, flags, network, deadline) {
            Ok(()) => {
                info!("unmounted {mp} successfully");
                return Ok(());
            }
            Err(Errno::EINVAL | Errno::ENOENT) if !still_mounted(mp) => return Ok(()),
            Err(e) => last_err = e,
        }
        if network
            && (signalled_term || !p.kill_holders || deadline.remaining() < Duration::from_secs(3))
        {
            // The server may be gone for good: detach the mount so nothing new can use it.
            if nix::mount::umount2(mp, MntFlags::MNT_DETACH).is_ok() {
                warn!("{mp}: forced unmount failed ({last_err}); lazily unmounted (detached) it");
                return Ok(());
            }
        }
        if deadline.expired() {
            break;
        }
        if !p.kill_holders {
            deadline.sleep(Duration::from_secs(1));
            continue;
        }
        let found = holders::find(&[mp.to_string()], &exclude, deadline);
        if found.is_empty() {
            // Busy without a visible holder (in-flight I/O, another namespace): retry shortly.
            deadline.sleep(Duration::from_millis(100));
            continue;
        }
        let sigs = if signalled_term {
            &p.kill_signals
        } else {
            &p.term_signals
        };
        for h in &found {
            for &s in sigs {
                info!(
                    "sending signal {s} to pid {} ({}): {}",
                    h.pid, h.comm, h.how
                );
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(h.pid), s);
            }
        }
        let wait = if signalled_term {
            Duration::from_secs(2)
        } else {
            p.signal_delay
        };
        let pids: Vec<i32> = found.iter().map(|h| h.pid).collect();
        // Wait until they are gone, at most `wait`.
        deadline.capped(wait).poll(Duration::from_millis(20), || {
            pids.iter()
                .all(|pid| !Path::new(&format!("/proc/{pid}")).exists() || is_zombie(*pid))
                .then_some(())
        });
        signalled_term = true;
        last_holders = found;
    }
    let who: Vec<String> = last_holders
        .iter()
        .take(5)
        .map(|h| format!("pid {} ({}): {}", h.pid, h.comm, h.how))
        .collect();
    bail!(
        ErrGeneric,
        "Couldn't unmount {mp}: {}{}",
        last_err.desc(),
        if who.is_empty() {
            String::new()
        } else {
            format!("; held by {}", who.join(", "))
        }
    )
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rfind(')')
                .map(|i| s[i + 1..].trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_dep_lookup() {
        let dep =
            "kernel/fs/nfs/nfs.ko.xz: kernel/net/sunrpc/sunrpc.ko.xz\nkernel/fs/xfs/xfs.ko:\n";
        assert!(module_listed(dep, "nfs"));
        assert!(module_listed(dep, "xfs"));
        assert!(!module_listed(dep, "nfsd"));
        assert!(!module_listed(dep, "sunrpc.ko"));
        assert!(!module_listed("", "ext4"));
    }

    #[test]
    fn legacy_positional_arguments() {
        let args: Vec<String> = ["/dev/sda3", "/ogfs", "ogfs", "hostdata=x"]
            .map(String::from)
            .to_vec();
        let v = legacy_args(&args).unwrap();
        assert_eq!(
            v,
            vec![
                ("device", "/dev/sda3".to_string()),
                ("directory", "/ogfs".to_string()),
                ("fstype", "ogfs".to_string()),
                ("options", "hostdata=x".to_string())
            ]
        );
        assert_eq!(legacy_args(&args[..2]).unwrap().len(), 2);
        let too_many: Vec<String> = vec!["a".into(); 5];
        assert_eq!(legacy_args(&too_many).unwrap_err().code, Code::ErrArgs);
    }

    #[test]
    fn canonical_keeps_missing_tails() {
        let tmp = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let want = tmp
            .join("rustha-no-such-dir/x")
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            canonical(&format!(
                "{}/rustha-no-such-dir/x",
                std::env::temp_dir().display()
            )),
            want
        );
        assert_eq!(canonical("/"), "/");
    }
}
