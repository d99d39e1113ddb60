//! The parameters, parsed and checked once: what the rest of the agent works with.

use crate::device::{self, DeviceSpec};
use crate::holders;
use crate::mountinfo::{self, Mount};
use crate::options::{self, MountOptions};
use nix::sys::signal::Signal;
use rustha_ocf::parse_bool;
use rustha_ocf::{bail, Error, Invocation, Result};
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
}
