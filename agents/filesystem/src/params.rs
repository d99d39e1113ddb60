// SPDX-License-Identifier: GPL-2.0-or-later
//! The parameters of Filesystem, each declared once (name, default, whether it identifies the
//! resource, reloadable, descriptions, parser), and [`Config`]: what they mean together (the
//! kind of source, the mount options), still without a system call.
//!
//! `directory` identifies the resource: when it is invalid (empty, relative) nothing this agent
//! mounted can be there, so stop succeeds without acting and monitor finds it stopped. Every
//! other parameter is a side parameter for the runtime's stop rule: when invalid, stop and
//! monitor use its default. `device` is not marked identifying although it names what is
//! mounted: an empty device (its default) still leaves a mount on the directory to account for,
//! which stop and monitor do (the agent's `no_device`).

use crate::device::{self, DeviceSpec};
use crate::holders;
use crate::mountinfo::{self, Mount};
use crate::options::{self, MountOptions};
use nix::sys::signal::Signal;
use rustha_ocf::params::parse;
use rustha_ocf::{params, Error, Kind, Parameter, Result};
use rustha_support::{parse_bool, Deadline, Dialect};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fsck {
    Auto,
    Force,
    No,
}

/// `run_fsck` as given: the stock agent warns about an unknown value and uses `auto`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFsck {
    pub(crate) mode: Fsck,
    /// The unknown value that was replaced by `auto`, for the warning.
    pub(crate) unknown: Option<String>,
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

fn parse_directory(v: &str) -> std::result::Result<String, String> {
    if !v.starts_with('/') {
        return Err("an absolute path (e.g. /srv/data)".to_string());
    }
    let trimmed = v.trim_end_matches('/');
    Ok(if trimmed.is_empty() { "/" } else { trimmed }.to_string())
}

fn parse_trimmed(v: &str) -> std::result::Result<String, String> {
    Ok(v.trim().to_string())
}

fn parse_run_fsck(v: &str) -> std::result::Result<RunFsck, String> {
    let (mode, unknown) = match v.trim() {
        "" | "auto" => (Fsck::Auto, None),
        "force" => (Fsck::Force, None),
        "no" => (Fsck::No, None),
        other => (Fsck::Auto, Some(other.to_string())),
    };
    Ok(RunFsck { mode, unknown })
}

/// `force_unmount`: whether to signal the holders (true, safe; false), with the stock modifiers.
pub(crate) fn parse_force_unmount(value: &str) -> std::result::Result<bool, String> {
    let expected = || "true, safe or false, optionally with move, xargs or ps".to_string();
    let fu = value.to_ascii_lowercase();
    let mut words = fu.split([',', ' ', '+']).filter(|w| !w.is_empty());
    let kill = match words.next() {
        None | Some("safe") => true,
        Some(w) => parse_bool(w, Dialect::Ocf).ok_or_else(expected)?,
    };
    if words.any(|w| !matches!(w, "move" | "xargs" | "ps")) {
        return Err(expected());
    }
    Ok(kill)
}

fn parse_signal_list(v: &str) -> std::result::Result<Vec<Signal>, String> {
    holders::parse_signals(v).map_err(|e| format!("signal names or numbers ({e})"))
}

fn parse_seconds(v: &str) -> std::result::Result<Duration, String> {
    parse::u32(v).map(|n| Duration::from_secs(n.into()))
}

params! {
    /// The parameters of `ocf:rustha:Filesystem`, as those of `ocf:heartbeat:Filesystem`.
    pub struct Params {
        pub device: Option<String> = Parameter::new("device", Kind::String, "block device")
            .required()
            .example("/dev/disk/by-label/data")
            .long(
                "The name of the block device for the file system, or -U/-L (or UUID=/LABEL=) \
options for mount, or an NFS/CIFS mount specification, or the source directory of a bind \
mount (with \"bind\" in options).

NOTE: /dev/disk/by-{uuid,label}/ paths are preferred to -U/-L.",
            )
            => parse::optional,
        pub directory: String = Parameter::new("directory", Kind::String, "mount point")
            .required()
            .identifies()
            .example("/srv/data")
            .long("The mount point for the file system (an absolute path).")
            => parse_directory,
        pub fstype: String = Parameter::new("fstype", Kind::String, "filesystem type")
            .required()
            .example("ext4")
            .long(
                "The type of file system to be mounted (ext4, xfs, nfs, cifs, none for bind \
mounts, ...).",
            )
            => parse_trimmed,
        pub options: String = Parameter::new("options", Kind::String, "options")
            .long(
                "Any extra options to be given as -o options to mount.

For bind mounts, add \"bind\" here and set fstype to \"none\". Options such as \"bind,ro\" \
are handled (ro is applied by a remount). A directory as the device is bound only when the \
options say bind or rbind.",
            )
            => parse_trimmed,
        pub statusfile_prefix: String = Parameter::new("statusfile_prefix", Kind::String, "status file prefix")
            .reloadable()
            .default(".Filesystem_status/")
            .long(
                "The prefix to be used for a status file for resource monitoring with depth 20. \
If you don't specify this parameter, all status files will be created in a separate directory. \
A file name prefix, or one directory name ending in /: no other path separator.",
            )
            => parse::file_name_prefix,
        pub run_fsck: RunFsck = Parameter::new("run_fsck", Kind::String, "run_fsck")
            .reloadable()
            .default("auto")
            .long(
                "Specify how to decide whether to run fsck or not.

\"auto\"  : decide to run fsck depending on the fstype (default): journalled and network \
file systems are not checked
\"force\" : always run fsck regardless of the fstype
\"no\"    : do not run fsck ever.",
            )
            => parse_run_fsck,
        pub fast_stop: bool = Parameter::new("fast_stop", Kind::Boolean, "fast stop")
            .reloadable()
            .default("no")
            .long(
                "Normally, we expect no users of the filesystem and the stop operation to \
finish quickly. If you cannot control the filesystem users easily and want to prevent the \
stop action from failing, then set this parameter to \"no\" and add an appropriate timeout \
for the stop operation. With \"yes\", each mount gets at most 6 seconds.",
            )
            => parse::boolean,
        pub force_clones: bool = Parameter::new(
            "force_clones",
            Kind::Boolean,
            "allow running as a clone, regardless of filesystem type",
        )
            .default("false")
            .long(
                "The use of a clone setup for local filesystems is forbidden by default. For \
special setups like glusterfs, cloning a mount of a local device with a filesystem like ext4 \
or xfs independently on several nodes is a valid use case.

Only set this to \"true\" if you know what you are doing!",
            )
            => parse::boolean,
        pub force_unmount: bool = Parameter::new("force_unmount", Kind::String, "Kill processes before unmount")
            .reloadable()
            .default("true")
            .long(
                "How to handle processes that are currently accessing the mount directory.

\"true\"  : Kill processes accessing mount point
\"safe\"  : Kill processes accessing mount point using methods that avoid functions that \
could potentially block during process detection
\"false\" : Do not kill any processes.

This agent always uses the non-blocking method (a walk of /proc that reads links and memory \
maps but never touches the mount), so \"true\" and \"safe\" behave the same. The stock \
modifiers (\"move\", \"xargs\", \"ps\", e.g. \"safe,move\") are accepted.",
            )
            => parse_force_unmount,
        pub term_signals: Vec<Signal> = Parameter::new("term_signals", Kind::String, "Signals to end processes")
            .reloadable()
            .default("TERM")
            .long(
                "Signals (names or numbers, separated by spaces or commas) sent first to the \
processes that keep the file system busy on stop.",
            )
            => parse_signal_list,
        pub kill_signals: Vec<Signal> = Parameter::new("kill_signals", Kind::String, "Signals to kill processes")
            .reloadable()
            .default("KILL")
            .long(
                "Signals sent to the processes that still keep the file system busy \
signal_delay seconds after term_signals.",
            )
            => parse_signal_list,
        pub signal_delay: Duration = Parameter::new("signal_delay", Kind::Integer, "Delay between signals")
            .reloadable()
            .default("1")
            .long("Seconds to wait after term_signals before sending kill_signals.")
            => parse_seconds,
    }
}

/// What the parameters mean together: the agent's actions work with this.
#[derive(Debug, Clone)]
pub(crate) struct Config {
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
    pub(crate) run_fsck: RunFsck,
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

/// Why there is no [`Config`]: the device is not set.
pub(crate) const NO_DEVICE: &str = "Please set OCF_RESKEY_device to the device to be managed";

impl Config {
    /// `statusfile_name`: the status file's name after the prefix (`INSTANCE[_CLONE]_NODE`,
    /// as the stock agent). `Err` only for an empty device.
    pub(crate) fn new(p: &Params, statusfile_name: &str) -> Result<Config> {
        let Some(device) = p.device.clone() else {
            return Err(Error::configured(NO_DEVICE));
        };
        let options = options::parse(&p.options);
        // A directory is bound only when the options say so (as mount(8)): with fstype=ext4 a
        // directory is a mistake, and binding it would put the data on the root file system.
        let source = if options.bind {
            Source::Bind
        } else if is_network(&p.fstype) {
            Source::Network
        } else if NO_DEVICE_FS.contains(&p.fstype.as_str()) || options.loop_device {
            Source::Other
        } else {
            Source::Block
        };
        Ok(Config {
            spec: device::parse(&device),
            device,
            directory: p.directory.clone(),
            fstype: p.fstype.clone(),
            options_raw: p.options.clone(),
            options,
            source,
            statusfile: PathBuf::from(format!(
                "{}{}",
                p.statusfile_prefix,
                statusfile_name.replace('/', "_")
            )),
            run_fsck: p.run_fsck.clone(),
            fast_stop: p.fast_stop,
            force_clones: p.force_clones,
            kill_holders: p.force_unmount,
            term_signals: p.term_signals.clone(),
            kill_signals: p.kill_signals.clone(),
            signal_delay: p.signal_delay,
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
        match self.run_fsck.mode {
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

    #[test]
    fn declarations() {
        rustha_ocf::params::check_declarations::<Params>("Filesystem").unwrap();
    }

    fn parsed(pairs: &[(&str, &str)]) -> std::result::Result<Params, String> {
        let raw: rustha_ocf::params::RawValues = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), std::ffi::OsString::from(v)))
            .collect();
        rustha_ocf::params::parse::<Params>("Filesystem", &raw, rustha_ocf::params::Mode::Strict)
            .map(|(p, _)| p)
            .map_err(|r| r.to_string())
    }

    #[test]
    fn what_the_parameters_mean_together() {
        let base = [
            ("device", "/srv/src"),
            ("directory", "/srv/dst/"),
            ("fstype", "none"),
        ];
        let p = parsed(&base).unwrap();
        assert_eq!(p.directory, "/srv/dst");
        let c = Config::new(&p, "fs_node1").unwrap();
        // A directory without bind in the options is not bound.
        assert_eq!(c.source, Source::Block);
        assert_eq!(c.statusfile, PathBuf::from(".Filesystem_status/fs_node1"));
        let p = parsed(&[base[0], base[1], base[2], ("options", "ro,rbind")]).unwrap();
        let c = Config::new(&p, "x/y").unwrap();
        assert_eq!(c.source, Source::Bind);
        assert_eq!(c.statusfile, PathBuf::from(".Filesystem_status/x_y"));
        let p = parsed(&[("device", "srv:/e"), ("directory", "/"), ("fstype", "nfs4")]).unwrap();
        assert_eq!(p.directory, "/");
        assert_eq!(Config::new(&p, "").unwrap().source, Source::Network);
        let p = parsed(&[("device", " "), ("directory", "/d"), ("fstype", "tmpfs")]).unwrap();
        assert_eq!(Config::new(&p, "").unwrap_err().reason, NO_DEVICE);
        let e = parsed(&[
            ("device", "/dev/x"),
            ("directory", "rel/d"),
            ("fstype", "xfs"),
        ]);
        assert!(e.unwrap_err().starts_with("invalid directory \"rel/d\""));
        let p = parsed(&[base[0], base[1], base[2], ("run_fsck", "sometimes")]).unwrap();
        assert_eq!(p.run_fsck.unknown.as_deref(), Some("sometimes"));
        let e = parsed(&[base[0], base[1], base[2], ("term_signals", "TERM NOPE")]);
        assert!(e.unwrap_err().contains("NOPE"));
        let e = parsed(&[base[0], base[1], base[2], ("signal_delay", "-1")]);
        assert!(e.unwrap_err().starts_with("invalid signal_delay \"-1\""));
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
