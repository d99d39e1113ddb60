// SPDX-License-Identifier: GPL-2.0-or-later
//! Whether a mount is the configured resource, for every kind of source: the same block device
//! (by device number), the same directory bound (by file system and root), the same share, the
//! same tmpfs or dataset, the same image behind a loop device. Anything else on the directory is
//! a foreign mount: monitor fails naming both, start refuses, stop leaves it alone.
//!
//! [`identify`] looks the configured device up (the only I/O: resolving UUID/LABEL, a stat of the
//! device node, canonical paths); [`Identity::matches`] compares it with a mount-table entry,
//! asking a [`Lookup`] for the little it cannot read from the entry itself.

use crate::mountinfo::{self, Mount};
use crate::params::{is_network, Config, Source, NO_DEVICE_FS};
use rustha_support::Deadline;

/// What the configured device is, as the mount table would show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// A block device node and its number.
    Device { rdev: (u32, u32), path: String },
    /// A block device that cannot be resolved now (a UUID/LABEL link gone, a node removed):
    /// the text as configured.
    Unresolved { device: String, tag: bool },
    /// A directory (a bind mount): the file system it lives on and its path within it.
    Tree { dev: (u32, u32), root: String },
    /// A network share or a FUSE source (`host:/export`, `//server/share`, `user@host:path`).
    Share { source: String },
    /// A file system without a device (tmpfs, overlay, a zfs dataset): its name and type.
    Named { source: String, fstype: String },
    /// An image file attached through a loop device.
    Image { file: String },
}

/// The lookups [`Identity::matches`] needs beyond the mount-table entry.
pub(crate) trait Lookup {
    /// `realpath`, or `None` when the path does not exist.
    fn canonical(&self, path: &str) -> Option<String>;
    /// The backing file of loop device `minor`, or `None` when it is not a loop device.
    fn loop_backing(&self, major: u32, minor: u32) -> Option<String>;
}

/// The real system.
pub(crate) struct System;

impl Lookup for System {
    fn canonical(&self, path: &str) -> Option<String> {
        std::fs::canonicalize(path)
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    }
    fn loop_backing(&self, major: u32, minor: u32) -> Option<String> {
        const LOOP_MAJOR: u32 = 7;
        if major != LOOP_MAJOR {
            return None;
        }
        let text =
            std::fs::read_to_string(format!("/sys/dev/block/{major}:{minor}/loop/backing_file"))
                .ok()?;
        let file = text.trim_end_matches('\n');
        Some(file.strip_suffix(" (deleted)").unwrap_or(file).to_string())
    }
}

/// Look the configured device up.
pub(crate) fn identify(p: &Config, table: &[Mount], deadline: &Deadline) -> Identity {
    let canonical = |d: &str| System.canonical(d);
    match p.source {
        Source::Network => Identity::Share {
            source: p.device.clone(),
        },
        Source::Bind => match canonical(&p.device) {
            Some(dir) => tree(table, &dir),
            None => unresolved(p),
        },
        Source::Other if p.options.loop_device => match canonical(&p.device) {
            Some(file) => Identity::Image { file },
            None => unresolved(p),
        },
        Source::Other => Identity::Named {
            source: p.device.clone(),
            fstype: p.fstype.clone(),
        },
        Source::Block => {
            let Ok(dev) = p.spec.resolve(deadline) else {
                return unresolved(p);
            };
            use std::os::unix::fs::{FileTypeExt, MetadataExt};
            match std::fs::metadata(&dev) {
                Ok(m) if m.file_type().is_block_device() => Identity::Device {
                    rdev: (libc::major(m.rdev()), libc::minor(m.rdev())),
                    path: dev.to_string_lossy().into_owned(),
                },
                // Not mountable as configured (start refuses it), but an older version bound a
                // directory and mount -o loop attaches a file: what is mounted is still that.
                Ok(m) if m.is_dir() => match canonical(&p.device) {
                    Some(dir) => tree(table, &dir),
                    None => unresolved(p),
                },
                Ok(m) if m.is_file() => match canonical(&p.device) {
                    Some(file) => Identity::Image { file },
                    None => unresolved(p),
                },
                _ => unresolved(p),
            }
        }
    }
}

fn unresolved(p: &Config) -> Identity {
    Identity::Unresolved {
        device: p.device.clone(),
        tag: p.spec.tag().is_some(),
    }
}

/// A directory as a bind mount of it shows in the mount table: the device of the file system it
/// is on, and its path relative to that file system's root.
pub(crate) fn tree(table: &[Mount], dir: &str) -> Identity {
    // The mount the directory is on: the deepest mount point above it, the last one mounted there.
    let on = table
        .iter()
        .enumerate()
        .filter(|(_, m)| mountinfo::is_under(dir, &m.mount_point))
        .max_by_key(|(i, m)| (depth(&m.mount_point), *i))
        .map(|(_, m)| m);
    match on {
        Some(m) => {
            let rel = relative(dir, &m.mount_point);
            Identity::Tree {
                dev: (m.major, m.minor),
                root: join(&m.root, &rel),
            }
        }
        None => Identity::Unresolved {
            device: dir.to_string(),
            tag: false,
        },
    }
}

fn depth(p: &str) -> usize {
    p.split('/').filter(|c| !c.is_empty() && *c != ".").count()
}

/// `path` below `base` (both absolute, `path` under `base`), without a leading slash.
fn relative(path: &str, base: &str) -> String {
    let skip = depth(base);
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .skip(skip)
        .collect::<Vec<_>>()
        .join("/")
}

fn join(root: &str, rel: &str) -> String {
    match (root.trim_end_matches('/'), rel) {
        ("", "") => "/".to_string(),
        (r, "") => r.to_string(),
        (r, rel) => format!("{r}/{rel}"),
    }
}

/// A share's source as mount helpers and the kernel show it: no trailing slash (but `host:/`
/// stays), SMB paths with forward slashes and compared without case (as the server does).
fn normalize_share(s: &str) -> String {
    let s = s.trim();
    let smb = s.starts_with("//") || s.starts_with("\\\\");
    let mut s = if smb {
        s.replace('\\', "/").to_lowercase()
    } else {
        s.to_string()
    };
    while s.len() > 1 && s.ends_with('/') && !s.ends_with(":/") {
        s.pop();
    }
    s
}

/// The kernel's name for a file system type (`overlayfs` is mounted as `overlay`).
fn kernel_fstype(t: &str) -> &str {
    match t {
        "overlayfs" => "overlay",
        t => t,
    }
}

/// Whether a mount's type is one that has a device of its own to compare (not tmpfs, not a
/// network or FUSE file system whose source is free text).
fn device_backed(fstype: &str) -> bool {
    !(NO_DEVICE_FS.contains(&fstype) || is_network(fstype) || fstype.starts_with("fuse"))
}

impl Identity {
    /// Whether mount `m` is this identity; `fstype` is the configured type ("" when unset).
    pub(crate) fn matches(&self, m: &Mount, fstype: &str, lookup: &dyn Lookup) -> bool {
        let type_ok = fstype.is_empty()
            || fstype == "none"
            || kernel_fstype(fstype) == kernel_fstype(&m.fstype);
        match self {
            Identity::Device { rdev, path } => {
                if m.major != 0 {
                    (m.major, m.minor) == *rdev
                } else {
                    // btrfs and friends report an anonymous device number: compare the source,
                    // which a tmpfs can name anything (so only for types with a device).
                    device_backed(&m.fstype)
                        && type_ok
                        && lookup.canonical(&m.source).as_deref()
                            == lookup.canonical(path).as_deref().or(Some(path))
                }
            }
            Identity::Unresolved { device, tag } => {
                if *tag {
                    // UUID=/LABEL= not resolvable now: a block device of the configured type is
                    // all that can be checked.
                    m.major != 0 && m.source.starts_with("/dev/") && !fstype.is_empty() && type_ok
                } else {
                    device_backed(&m.fstype) && m.source == *device
                }
            }
            Identity::Tree { dev, root } => {
                (m.major, m.minor) == *dev && mountinfo::same_path(&m.root, root)
            }
            Identity::Share { source } => {
                (is_network(&m.fstype) || m.fstype.starts_with("fuse"))
                    && normalize_share(&m.source) == normalize_share(source)
            }
            Identity::Named { source, fstype } => {
                kernel_fstype(fstype) == kernel_fstype(&m.fstype) && m.source == *source
            }
            Identity::Image { file } => {
                lookup.loop_backing(m.major, m.minor).as_deref() == Some(file)
            }
        }
    }
}

/// What a mount is, for messages: `source (fstype)`, the directory within it for a bind mount,
/// the image behind a loop device.
pub(crate) fn describe(m: &Mount, lookup: &dyn Lookup) -> String {
    let mut s = format!("{} ({})", m.source, m.fstype);
    if m.root != "/" {
        s = format!("{}[{}] ({})", m.source, m.root, m.fstype);
    }
    if let Some(file) = lookup.loop_backing(m.major, m.minor) {
        s = format!("{s} of {file}");
    }
    s
}

/// What is on the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Nothing mounted there.
    Absent,
    /// The configured resource, on top.
    Ours(Mount),
    /// Something else on top; `ours_below`: the resource is mounted underneath it.
    Foreign { top: Mount, ours_below: bool },
}

/// What is mounted on `dir` (its mounts in table order, the last one on top).
pub(crate) fn presence(
    id: &Identity,
    fstype: &str,
    table: &[Mount],
    dir: &str,
    lookup: &dyn Lookup,
) -> Presence {
    let stack: Vec<&Mount> = table
        .iter()
        .filter(|m| mountinfo::same_path(&m.mount_point, dir))
        .collect();
    let Some(top) = stack.last() else {
        return Presence::Absent;
    };
    if id.matches(top, fstype, lookup) {
        return Presence::Ours((*top).clone());
    }
    Presence::Foreign {
        top: (*top).clone(),
        ours_below: stack.iter().any(|m| id.matches(m, fstype, lookup)),
    }
}

impl Presence {
    /// The failure monitor and start report for a foreign mount: the foreign source first, the
    /// directory only if it still fits in the 128 bytes Pacemaker keeps.
    pub(crate) fn foreign_reason(&self, p: &Config, dir: &str, lookup: &dyn Lookup) -> String {
        let Presence::Foreign { top, .. } = self else {
            return String::new();
        };
        let core = format!(
            "{} is mounted instead of {}",
            describe(top, lookup),
            p.device
        );
        let full = format!("{core} on {dir}");
        if full.len() <= 128 {
            full
        } else {
            tracing::error!("{full}");
            core
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mountinfo::parse_line;

    struct Fake;
    impl Lookup for Fake {
        fn canonical(&self, path: &str) -> Option<String> {
            match path {
                "/dev/disk/by-label/data" | "/dev/sdb1" => Some("/dev/sdb1".into()),
                "/dev/sdc1" => Some("/dev/sdc1".into()),
                _ => None,
            }
        }
        fn loop_backing(&self, major: u32, minor: u32) -> Option<String> {
            (major == 7 && minor == 3).then(|| "/srv/images/a.img".into())
        }
    }

    fn mount(line: &str) -> Mount {
        parse_line(line).unwrap()
    }

    const TABLE: &str = "\
27 1 8:1 / / rw - ext4 /dev/sda1 rw
30 27 8:2 / /srv rw - xfs /dev/sda2 rw
31 30 0:40 / /srv/scratch rw - tmpfs tmpfs rw
";

    #[test]
    fn block_devices_by_number_and_anonymous_ones_by_source() {
        let id = Identity::Device {
            rdev: (8, 17),
            path: "/dev/sdb1".into(),
        };
        assert!(id.matches(
            &mount("40 27 8:17 / /d rw - ext4 /dev/sdb1 rw"),
            "ext4",
            &Fake
        ));
        assert!(!id.matches(
            &mount("40 27 8:33 / /d rw - ext4 /dev/sdc1 rw"),
            "ext4",
            &Fake
        ));
        // btrfs: 0:N, compared by source.
        let btrfs = mount("40 27 0:55 / /d rw - btrfs /dev/sdb1 rw");
        assert!(id.matches(&btrfs, "btrfs", &Fake));
        assert!(id.matches(&btrfs, "", &Fake));
        assert!(!id.matches(&btrfs, "xfs", &Fake));
        // A tmpfs named like the device is not it.
        let fake = mount("40 27 0:56 / /d rw - tmpfs /dev/sdb1 rw");
        assert!(!id.matches(&fake, "", &Fake));
        assert!(!id.matches(&mount("40 27 0:56 / /d rw - tmpfs tmpfs rw"), "", &Fake));
    }

    #[test]
    fn unresolvable_devices() {
        let tag = Identity::Unresolved {
            device: "UUID=x".into(),
            tag: true,
        };
        assert!(tag.matches(
            &mount("40 27 8:17 / /d rw - xfs /dev/sdb1 rw"),
            "xfs",
            &Fake
        ));
        assert!(!tag.matches(
            &mount("40 27 8:17 / /d rw - ext4 /dev/sdb1 rw"),
            "xfs",
            &Fake
        ));
        assert!(!tag.matches(
            &mount("40 27 0:5 / /d rw - tmpfs /dev/x rw"),
            "tmpfs",
            &Fake
        ));
        let path = Identity::Unresolved {
            device: "/dev/gone".into(),
            tag: false,
        };
        assert!(path.matches(&mount("40 27 8:17 / /d rw - xfs /dev/gone rw"), "", &Fake));
        assert!(!path.matches(&mount("40 27 0:5 / /d rw - tmpfs /dev/gone rw"), "", &Fake));
    }

    #[test]
    fn bind_mounts_by_file_system_and_root() {
        let t: Vec<Mount> = crate::mountinfo::parse(TABLE);
        assert_eq!(
            tree(&t, "/srv/www/site"),
            Identity::Tree {
                dev: (8, 2),
                root: "/www/site".into()
            }
        );
        assert_eq!(
            tree(&t, "/srv/scratch"),
            Identity::Tree {
                dev: (0, 40),
                root: "/".into()
            }
        );
        assert_eq!(
            tree(&t, "/etc"),
            Identity::Tree {
                dev: (8, 1),
                root: "/etc".into()
            }
        );
        let id = tree(&t, "/srv/www/site");
        assert!(id.matches(
            &mount("50 27 8:2 /www/site /var/www rw - xfs /dev/sda2 rw"),
            "none",
            &Fake
        ));
        assert!(!id.matches(
            &mount("50 27 8:2 /www /var/www rw - xfs /dev/sda2 rw"),
            "none",
            &Fake
        ));
        assert!(!id.matches(
            &mount("50 27 8:1 /www/site /var/www rw - ext4 /dev/sda1 rw"),
            "none",
            &Fake
        ));
        // A bind of a bind: the root is relative to the file system, not to the mount.
        let t2: Vec<Mount> = crate::mountinfo::parse(&format!(
            "{TABLE}32 27 8:2 /www /web rw - xfs /dev/sda2 rw\n"
        ));
        assert_eq!(
            tree(&t2, "/web/site"),
            Identity::Tree {
                dev: (8, 2),
                root: "/www/site".into()
            }
        );
    }

    #[test]
    fn shares_by_source() {
        let nfs = Identity::Share {
            source: "nfs1:/export/home/".into(),
        };
        assert!(nfs.matches(
            &mount("60 27 0:60 / /home rw - nfs4 nfs1:/export/home rw"),
            "nfs",
            &Fake
        ));
        assert!(!nfs.matches(
            &mount("60 27 0:60 / /home rw - nfs4 nfs2:/export/home rw"),
            "nfs",
            &Fake
        ));
        assert!(!nfs.matches(
            &mount("60 27 0:60 / /home rw - tmpfs nfs1:/export/home rw"),
            "nfs",
            &Fake
        ));
        let root = Identity::Share {
            source: "nfs1:/".into(),
        };
        assert!(root.matches(&mount("60 27 0:60 / /n rw - nfs4 nfs1:/ rw"), "nfs4", &Fake));
        let smb = Identity::Share {
            source: "\\\\Server\\Share".into(),
        };
        assert!(smb.matches(
            &mount("61 27 0:61 / /s rw - cifs //server/share rw"),
            "cifs",
            &Fake
        ));
        let sshfs = Identity::Share {
            source: "root@10.0.0.1:/srv".into(),
        };
        assert!(sshfs.matches(
            &mount("62 27 0:62 / /x rw - fuse.sshfs root@10.0.0.1:/srv rw"),
            "fuse.sshfs",
            &Fake
        ));
    }

    #[test]
    fn named_file_systems_and_images() {
        let id = Identity::Named {
            source: "scratch".into(),
            fstype: "tmpfs".into(),
        };
        assert!(id.matches(
            &mount("70 27 0:70 / /t rw - tmpfs scratch rw"),
            "tmpfs",
            &Fake
        ));
        assert!(!id.matches(
            &mount("70 27 0:70 / /t rw - tmpfs other rw"),
            "tmpfs",
            &Fake
        ));
        assert!(!id.matches(
            &mount("70 27 0:70 / /t rw - ramfs scratch rw"),
            "tmpfs",
            &Fake
        ));
        let ov = Identity::Named {
            source: "overlay".into(),
            fstype: "overlayfs".into(),
        };
        assert!(ov.matches(
            &mount("71 27 0:71 / /o rw - overlay overlay rw"),
            "overlayfs",
            &Fake
        ));
        let img = Identity::Image {
            file: "/srv/images/a.img".into(),
        };
        let m = mount("72 27 7:3 / /i rw - ext4 /dev/loop3 rw");
        assert!(img.matches(&m, "ext4", &Fake));
        assert!(!img.matches(
            &mount("72 27 7:4 / /i rw - ext4 /dev/loop4 rw"),
            "ext4",
            &Fake
        ));
        assert_eq!(
            describe(&m, &Fake),
            "/dev/loop3 (ext4) of /srv/images/a.img"
        );
    }

    #[test]
    fn presence_on_a_stack() {
        let id = Identity::Device {
            rdev: (8, 17),
            path: "/dev/sdb1".into(),
        };
        let t = crate::mountinfo::parse(
            "27 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
             40 27 8:17 / /d rw - ext4 /dev/sdb1 rw\n\
             41 40 0:9 / /d rw - tmpfs cover rw\n",
        );
        match presence(&id, "ext4", &t, "/d/", &Fake) {
            Presence::Foreign { top, ours_below } => {
                assert!(ours_below);
                assert_eq!(top.source, "cover");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            presence(&id, "ext4", &t[..2], "/d", &Fake),
            Presence::Ours(_)
        ));
        assert_eq!(
            presence(&id, "ext4", &t[..1], "/d", &Fake),
            Presence::Absent
        );
        match presence(&id, "ext4", &[t[0].clone(), t[2].clone()], "/d", &Fake) {
            Presence::Foreign { ours_below, .. } => assert!(!ours_below),
            other => panic!("{other:?}"),
        }
    }
}
