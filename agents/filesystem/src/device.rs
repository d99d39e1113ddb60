// SPDX-License-Identifier: GPL-2.0-or-later
//! The `device` parameter: what it names (parsing without I/O) and which device node that is.

use rustha_support::{command, Command, Deadline};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// `-U x`, `--uuid=x`, `UUID=x`.
    Uuid(String),
    /// `-L x`, `--label=x`, `LABEL=x`.
    Label(String),
    /// A path (block device, image file, bind source) or a network spec (`host:/export`,
    /// `//server/share`), used as given.
    Path(String),
}

/// Parse the forms mount(8) accepts.
pub fn parse(device: &str) -> DeviceSpec {
    let d = device.trim();
    let value = |rest: &str| rest.trim_start_matches(['=', ' ', '\t']).trim().to_string();
    for (prefix, uuid) in [
        ("--uuid", true),
        ("--label", false),
        ("-U", true),
        ("-L", false),
        ("UUID=", true),
        ("LABEL=", false),
    ] {
        if let Some(rest) = d.strip_prefix(prefix) {
            let v = value(rest);
            let v = v.trim_matches('"').to_string();
            return if uuid {
                DeviceSpec::Uuid(v)
            } else {
                DeviceSpec::Label(v)
            };
        }
    }
    DeviceSpec::Path(d.to_string())
}

/// udev's encoding of a label or uuid in /dev/disk/by-*: unsafe bytes become `\xNN`.
pub fn udev_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"#+-.:=@_".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

impl DeviceSpec {
    /// `UUID=x` / `LABEL=x`, as blkid -t wants it; `None` for paths.
    pub fn tag(&self) -> Option<String> {
        match self {
            DeviceSpec::Uuid(u) => Some(format!("UUID={u}")),
            DeviceSpec::Label(l) => Some(format!("LABEL={l}")),
            DeviceSpec::Path(_) => None,
        }
    }

    /// The device node: /dev/disk/by-uuid|by-label when udev keeps them, else `blkid -t`.
    /// Paths are returned as given.
    pub fn resolve(&self, deadline: &Deadline) -> Result<PathBuf, String> {
        let (dir, v) = match self {
            DeviceSpec::Path(p) => return Ok(PathBuf::from(p)),
            DeviceSpec::Uuid(u) => ("/dev/disk/by-uuid", u),
            DeviceSpec::Label(l) => ("/dev/disk/by-label", l),
        };
        let tag = self.tag().unwrap_or_default();
        if v.is_empty() {
            return Err(format!(
                "device {tag:?} names no {}",
                if matches!(self, DeviceSpec::Uuid(_)) {
                    "UUID"
                } else {
                    "label"
                }
            ));
        }
        let link = Path::new(dir).join(udev_encode(v));
        if let Ok(p) = std::fs::canonicalize(&link) {
            return Ok(p);
        }
        let out = command::run(
            &Command::new("blkid").args(["-t", &tag, "-o", "device", "-l"]),
            &deadline.capped(std::time::Duration::from_secs(10)),
        )
        .map_err(|e| format!("cannot resolve {tag}: {e}"))?;
        match out.stdout.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(dev) if out.success() => Ok(PathBuf::from(dev)),
            _ => Err(format!(
                "no device with {tag} found (neither {} nor blkid knows it)",
                link.display()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for d in [
            "-U 1234-ab",
            "-U1234-ab",
            "--uuid=1234-ab",
            "--uuid 1234-ab",
            "UUID=1234-ab",
            "UUID=\"1234-ab\"",
        ] {
            assert_eq!(parse(d), DeviceSpec::Uuid("1234-ab".into()), "{d}");
        }
        for d in ["-L data", "-Ldata", "--label=data", "LABEL=data"] {
            assert_eq!(parse(d), DeviceSpec::Label("data".into()), "{d}");
        }
        assert_eq!(parse("/dev/sda1"), DeviceSpec::Path("/dev/sda1".into()));
        assert_eq!(parse("srv:/export"), DeviceSpec::Path("srv:/export".into()));
        assert_eq!(parse("UUID=x").tag().as_deref(), Some("UUID=x"));
    }

    #[test]
    fn udev_names() {
        assert_eq!(udev_encode("my data/1"), "my\\x20data\\x2f1");
        assert_eq!(udev_encode("abc-1.2_x"), "abc-1.2_x");
    }

    #[test]
    fn empty_tag_is_an_error_not_a_lookup() {
        let d = Deadline::after(std::time::Duration::from_secs(1));
        assert!(parse("UUID=")
            .resolve(&d)
            .unwrap_err()
            .contains("names no UUID"));
    }
}
