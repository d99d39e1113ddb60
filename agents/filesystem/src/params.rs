// SPDX-License-Identifier: GPL-2.0-or-later
//! The parameters, parsed and checked once: what the rest of the agent works with.

use crate::device::{self, DeviceSpec};
use crate::holders;
use crate::mountinfo::{self, Mount};
use crate::options::{self, MountOptions};
use nix::sys::signal::Signal;
use rustha_ocf::parse_bool;
use rustha_ocf::{bail, Action, Error, Invocation, Result};
use rustha_support::Deadline;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tracing::warn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fsck {
    Auto,
    Force,
    No,
}

/// What kind of source the device is; decides fsck, depth-10 checks and how to mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
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
pub(crate) struct Params {
    pub(crate) device: String,
    pub(crate) spec: DeviceSpec,
    /// As given, without trailing slashes.
    pub(crate) directory: String,
    pub(crate) fstype: String,
    pub(crate) options_raw: String,
    pub(crate) options: MountOptions,
    pub(crate) source: Source,
    /// The status file of monitor depth 20, relative to the mount point: `NAME` or `DIR/NAME`.
    pub(crate) statusfile: PathBuf,
    pub(crate) run_fsck: Fsck,
    pub(crate) fast_stop: bool,
    pub(crate) force_clones: bool,
    /// force_unmount other than false: signal the holders.
    pub(crate) kill_holders: bool,
    pub(crate) term_signals: Vec<Signal>,
    pub(crate) kill_signals: Vec<Signal>,
    pub(crate) signal_delay: Duration,
}

pub(crate) const NETWORK_FS: &[&str] = &[
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

pub(crate) const NO_DEVICE_FS: &[&str] = &["tmpfs", "overlay", "overlayfs", "zfs", "ramfs"];

/// Journalled or network file systems `run_fsck=auto` does not check (the stock list).
pub(crate) const NO_FSCK_FS: &[&str] = &[
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
pub(crate) const CLUSTER_FS: &[&str] = &[
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

pub(crate) fn is_network(fstype: &str) -> bool {
    NETWORK_FS.contains(&fstype) || fstype.starts_with("fuse.")
}

impl Params {
    pub(crate) fn from(inv: &Invocation) -> Result<Params> {
        let v = &inv.params;
        let device = v.str("device").trim().to_string();
        if device.is_empty() {
            return Err(no_device(inv));
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

        // A directory is bound only when the options say so (as mount(8)): with fstype=ext4 a
        // directory is a mistake, and binding it would put the data on the root file system.
        let source = if options.bind {
            Source::Bind
        } else if is_network(&fstype) {
            Source::Network
        } else if NO_DEVICE_FS.contains(&fstype.as_str()) || options.loop_device {
            Source::Other
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

        // A stop does its job with the identifying parameters (device, directory) whatever the
        // others say: a bad side parameter is logged and its default used, so that a stop never
        // reports success while the file system stays mounted (issue 9 item 1).
        let lenient = inv.action == Action::Stop;
        let kill_holders = side_param(lenient, parse_force_unmount(v.str("force_unmount")), true)?;
        let signals = |name: &str| {
            holders::parse_signals(v.str(name))
                .map_err(|e| Error::configured(format!("{name}={:?}: {e}", v.str(name))))
        };
        let term_signals = side_param(lenient, signals("term_signals"), vec![Signal::SIGTERM])?;
        let kill_signals = side_param(lenient, signals("kill_signals"), vec![Signal::SIGKILL])?;
        let delay = v.int("signal_delay").unwrap_or(1);
        let delay = side_param(
            lenient,
            if delay < 0 {
                Err(Error::configured(format!(
                    "signal_delay={delay} is negative (expected seconds >= 0)"
                )))
            } else {
                Ok(delay)
            },
            1,
        )?;

        // The status file for depth 20: DIRECTORY/PREFIX INSTANCE[_CLONE]_NODE, as the stock
        // agent; kept relative to the mount point, which monitor opens first.
        let prefix = side_param(
            lenient,
            parse_statusfile_prefix(v.str("statusfile_prefix")),
            DEFAULT_STATUSFILE_PREFIX.to_string(),
        )?;
        let mut suffix = inv.instance.clone();
        if let Some(c) = inv.meta.get("clone").filter(|c| !c.is_empty()) {
            suffix = format!("{suffix}_{c}");
        }
        let node = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        // The instance and node name are file name parts, never separators.
        let name = format!("{suffix}_{}", node.trim()).replace('/', "_");
        let statusfile = PathBuf::from(format!("{prefix}{name}"));

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

    /// The status file of monitor depth 20 as a path, for messages.
    pub(crate) fn statusfile_in(&self, mount_point: &str) -> PathBuf {
        Path::new(mount_point).join(&self.statusfile)
    }

    /// The mount point as the kernel reports it. A mount point itself is never touched (a
    /// dead NFS server would block even an lstat of it): first the directory as given, then
    /// with only its parent resolved (/var/run/x -> /run/x) are looked up in the mount table;
    /// only a directory that is not a mount point is canonicalised in full.
    pub(crate) fn mount_point(&self, table: &[Mount]) -> String {
        if mountinfo::mounted_at(table, &self.directory).is_some() {
            return self.directory.clone();
        }
        let path = Path::new(&self.directory);
        if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
            let resolved = Path::new(&canonical(&parent.to_string_lossy()))
                .join(name)
                .to_string_lossy()
                .into_owned();
            if mountinfo::mounted_at(table, &resolved).is_some() {
                return resolved;
            }
        }
        canonical(&self.directory)
    }

    pub(crate) fn fsck_needed(&self) -> bool {
        match self.run_fsck {
            Fsck::Force => true,
            Fsck::No => false,
            Fsck::Auto => !NO_FSCK_FS.contains(&self.fstype.as_str()),
        }
    }

    /// The device node for a block device, or an error naming what was not found.
    pub(crate) fn block_device(&self, deadline: &Deadline) -> Result<PathBuf> {
        let dev = self.spec.resolve(deadline).map_err(|e| {
            Error::installed(format!("Couldn't find device [{}]: {e}", self.device))
        })?;
        use std::os::unix::fs::FileTypeExt;
        match std::fs::metadata(&dev) {
            Ok(m) if m.file_type().is_block_device() => Ok(dev),
            Ok(m) if m.is_dir() => Err(Error::installed(format!(
                "device [{}] is a directory, not a block device (to bind-mount it add bind to options)",
                dev.display()
            ))),
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

/// `device` is empty: a configuration error. On stop and monitor, if something is mounted on the
/// directory, nothing tells whether it is this resource's: that is not "nothing can be running",
/// so the stop fails rather than report success with the file system still mounted.
fn no_device(inv: &Invocation) -> Error {
    let e = Error::configured("Please set OCF_RESKEY_device to the device to be managed");
    if !matches!(inv.action, Action::Stop | Action::Monitor | Action::Status) {
        return e;
    }
    let dir = inv.params.str("directory").trim_end_matches('/');
    if !dir.starts_with('/') {
        return e;
    }
    let table = mountinfo::read().unwrap_or_default();
    let on = mountinfo::mounted_at(&table, dir)
        .or_else(|| mountinfo::mounted_at(&table, &canonical(dir)));
    match on {
        Some(m) => Error::configured(format!(
            "device is empty, and {} ({}) is mounted on {dir}: is it this resource's?",
            m.source, m.fstype
        ))
        .even_on_stop(),
        None => e,
    }
}

/// A side parameter's parse result; on stop (`lenient`) a bad value is logged and `default`
/// used instead.
fn side_param<T>(lenient: bool, r: Result<T>, default: T) -> Result<T> {
    match r {
        Err(e) if lenient => {
            warn!("{}; stop uses the default", e.reason);
            Ok(default)
        }
        r => r,
    }
}

pub(crate) const DEFAULT_STATUSFILE_PREFIX: &str = ".Filesystem_status/";

/// `force_unmount`: whether to signal the holders (true, safe; false), with the stock modifiers.
pub(crate) fn parse_force_unmount(value: &str) -> Result<bool> {
    let fu = value.to_ascii_lowercase();
    let mut words = fu.split([',', ' ', '+']).filter(|w| !w.is_empty());
    let kill = match words.next() {
        None | Some("safe") => true,
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
    Ok(kill)
}

/// `statusfile_prefix`: a file name prefix, or a directory name ending in `/` (the default,
/// `.Filesystem_status/`). Any other path separator, `.` or `..` could lead the status file out
/// of the mount (`../../x`): refused.
pub(crate) fn parse_statusfile_prefix(value: &str) -> Result<String> {
    if value.is_empty() {
        return Ok(DEFAULT_STATUSFILE_PREFIX.to_string());
    }
    let name = value.strip_suffix('/').unwrap_or(value);
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        bail!(
            ErrConfigured,
            "statusfile_prefix={value:?} is not a file or directory name (a path separator only at the end)"
        );
    }
    Ok(value.to_string())
}

/// `readlink -f` that also works for a directory that does not exist yet: the deepest existing
/// ancestor is resolved (symlinks such as /var/run -> /run) and the rest appended.
pub(crate) fn canonical(dir: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn statusfile_prefixes() {
        for ok in ["", ".Filesystem_status/", "st_", ".x/", "a.b"] {
            assert!(parse_statusfile_prefix(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_statusfile_prefix("").unwrap(),
            DEFAULT_STATUSFILE_PREFIX
        );
        for bad in [
            "../../x", "../", "./", "/", "a/b/", "a/b", "/abs", "..", "//",
        ] {
            let e = parse_statusfile_prefix(bad).unwrap_err();
            assert!(
                e.reason.starts_with("statusfile_prefix="),
                "{bad}: {}",
                e.reason
            );
            assert!(e.reason.len() <= 128);
        }
    }

    #[test]
    fn force_unmount_values() {
        assert!(parse_force_unmount("").unwrap());
        assert!(parse_force_unmount("safe,move").unwrap());
        assert!(parse_force_unmount("yes").unwrap());
        assert!(!parse_force_unmount("false").unwrap());
        assert!(parse_force_unmount("sometimes").is_err());
        assert!(parse_force_unmount("true,fast").is_err());
    }
}
