// SPDX-License-Identifier: GPL-2.0-or-later
//! The `options` parameter, split the way mount(8) does it: flags for mount(2), the rest as the
//! file system's data string, and userspace-only options dropped. No I/O.

use nix::mount::MsFlags;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOptions {
    pub flags: MsFlags,
    /// Options for the file system itself (the `data` argument of mount(2)).
    pub data: Vec<String>,
    pub bind: bool,
    pub recursive: bool,
    pub read_only: bool,
    /// Needs the `mount` helper (loop devices are set up by it).
    pub loop_device: bool,
}

/// Options that only mean something to mount(8), fstab or other userspace tools.
fn userspace_only(o: &str) -> bool {
    matches!(
        o,
        "defaults"
            | "auto"
            | "noauto"
            | "user"
            | "nouser"
            | "users"
            | "owner"
            | "group"
            | "nofail"
            | "_netdev"
            | "x-systemd"
    ) || o.starts_with("x-")
        || o.starts_with("comment=")
        || o.starts_with("X-")
}

/// Split `options` (comma-separated, as for `mount -o`).
pub fn parse(options: &str) -> MountOptions {
    let mut m = MountOptions {
        flags: MsFlags::empty(),
        data: Vec::new(),
        bind: false,
        recursive: false,
        read_only: false,
        loop_device: false,
    };
    for o in options.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let (set, clear) = match o {
            "ro" => {
                m.read_only = true;
                (MsFlags::MS_RDONLY, MsFlags::empty())
            }
            "rw" => {
                m.read_only = false;
                (MsFlags::empty(), MsFlags::MS_RDONLY)
            }
            "nosuid" => (MsFlags::MS_NOSUID, MsFlags::empty()),
            "suid" => (MsFlags::empty(), MsFlags::MS_NOSUID),
            "nodev" => (MsFlags::MS_NODEV, MsFlags::empty()),
            "dev" => (MsFlags::empty(), MsFlags::MS_NODEV),
            "noexec" => (MsFlags::MS_NOEXEC, MsFlags::empty()),
            "exec" => (MsFlags::empty(), MsFlags::MS_NOEXEC),
            "sync" => (MsFlags::MS_SYNCHRONOUS, MsFlags::empty()),
            "async" => (MsFlags::empty(), MsFlags::MS_SYNCHRONOUS),
            "dirsync" => (MsFlags::MS_DIRSYNC, MsFlags::empty()),
            "mand" => (MsFlags::MS_MANDLOCK, MsFlags::empty()),
            "nomand" => (MsFlags::empty(), MsFlags::MS_MANDLOCK),
            "noatime" => (MsFlags::MS_NOATIME, MsFlags::empty()),
            "atime" => (MsFlags::empty(), MsFlags::MS_NOATIME),
            "nodiratime" => (MsFlags::MS_NODIRATIME, MsFlags::empty()),
            "diratime" => (MsFlags::empty(), MsFlags::MS_NODIRATIME),
            "relatime" => (MsFlags::MS_RELATIME, MsFlags::empty()),
            "norelatime" => (MsFlags::empty(), MsFlags::MS_RELATIME),
            "strictatime" => (MsFlags::MS_STRICTATIME, MsFlags::empty()),
            "nostrictatime" => (MsFlags::empty(), MsFlags::MS_STRICTATIME),
            "lazytime" => (MsFlags::MS_LAZYTIME, MsFlags::empty()),
            "nolazytime" => (MsFlags::empty(), MsFlags::MS_LAZYTIME),
            "silent" => (MsFlags::MS_SILENT, MsFlags::empty()),
            "loud" => (MsFlags::empty(), MsFlags::MS_SILENT),
            "bind" => {
                m.bind = true;
                (MsFlags::MS_BIND, MsFlags::empty())
            }
            "rbind" => {
                m.bind = true;
                m.recursive = true;
                (MsFlags::MS_BIND | MsFlags::MS_REC, MsFlags::empty())
            }
            "loop" => {
                m.loop_device = true;
                continue;
            }
            o if userspace_only(o) => continue,
            o if o.starts_with("loop=")
                || o.starts_with("offset=")
                || o.starts_with("sizelimit=") =>
            {
                m.loop_device = true;
                continue;
            }
            other => {
                m.data.push(other.to_string());
                continue;
            }
        };
        m.flags = (m.flags | set) & !clear;
    }
    m
}

impl MountOptions {
    pub fn data_string(&self) -> Option<String> {
        (!self.data.is_empty()).then(|| self.data.join(","))
    }

    /// Flags for the remount that applies per-mount flags (ro, nosuid...) to a bind mount.
    pub fn bind_remount_flags(&self) -> MsFlags {
        (self.flags & !(MsFlags::MS_REC)) | MsFlags::MS_REMOUNT | MsFlags::MS_BIND
    }

    /// Whether a bind mount needs the remount step (anything beyond plain `bind`).
    pub fn bind_needs_remount(&self) -> bool {
        !(self.flags & !(MsFlags::MS_BIND | MsFlags::MS_REC)).is_empty()
    }
}

fn is_password(o: &str) -> bool {
    let key = o.split('=').next().unwrap_or("").to_ascii_lowercase();
    matches!(key.as_str(), "password" | "pass" | "passwd") && o.contains('=')
}

/// `options` without `password=`/`pass=` entries, and the password: mount.cifs reads it from
/// the PASSWD environment variable, which keeps it out of argv (and `ps`).
pub fn split_password(options: &str) -> (String, Option<String>) {
    let mut password = None;
    let rest: Vec<&str> = options
        .split(',')
        .filter(|o| {
            if is_password(o) {
                password = o.split_once('=').map(|(_, v)| v.to_string());
                false
            } else {
                true
            }
        })
        .collect();
    (rest.join(","), password)
}

/// `options` for messages: password values replaced by `***`.
pub fn redact(options: &str) -> String {
    options
        .split(',')
        .map(|o| {
            if is_password(o) {
                format!("{}=***", o.split('=').next().unwrap_or(""))
            } else {
                o.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_data() {
        let o =
            parse("ro,noatime,errors=remount-ro,defaults,_netdev,x-systemd.automount,data=ordered");
        assert!(o.read_only);
        assert_eq!(o.flags, MsFlags::MS_RDONLY | MsFlags::MS_NOATIME);
        assert_eq!(
            o.data_string().as_deref(),
            Some("errors=remount-ro,data=ordered")
        );
    }

    #[test]
    fn later_options_win() {
        let o = parse("ro,rw,noexec,exec");
        assert!(!o.read_only);
        assert!(o.flags.is_empty());
        assert_eq!(o.data_string(), None);
    }

    #[test]
    fn passwords_leave_argv_and_messages() {
        let (rest, pw) = split_password("username=bob,password=s3cret,vers=3.0");
        assert_eq!(rest, "username=bob,vers=3.0");
        assert_eq!(pw.as_deref(), Some("s3cret"));
        assert_eq!(split_password("ro").1, None);
        assert_eq!(redact("user=x,pass=hunter2,ro"), "user=x,pass=***,ro");
        assert!(!redact("PASSWORD=a=b").contains("a=b"));
    }

    #[test]
    fn bind_and_loop() {
        let o = parse("bind,ro");
        assert!(o.bind && o.read_only && !o.recursive);
        assert!(o.bind_needs_remount());
        assert!(o
            .bind_remount_flags()
            .contains(MsFlags::MS_RDONLY | MsFlags::MS_REMOUNT | MsFlags::MS_BIND));
        assert!(!parse("bind").bind_needs_remount());
        assert!(parse("rbind").recursive);
        assert!(parse("loop,offset=0").loop_device);
        assert!(!parse("").loop_device);
    }
}
