// SPDX-License-Identifier: GPL-2.0-or-later
//! `/proc/self/mountinfo`: a parser without I/O, and path questions answered by components.
//!
//! Format (proc(5)): `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
//! — mount id, parent id, major:minor, root, mount point, mount options, optional fields ending
//! with `-`, fstype, source, super options. Spaces, tabs, newlines and backslashes in paths are
//! octal escapes (`\040`).

use std::path::{Component, Path};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub id: u32,
    pub parent: u32,
    pub major: u32,
    pub minor: u32,
    /// The directory of the file system that is mounted (not `/` for bind mounts of subtrees).
    pub root: String,
    pub mount_point: String,
    pub options: String,
    pub fstype: String,
    pub source: String,
    pub super_options: String,
}

impl Mount {
    /// Whether the mount is read-only (per-mount flag or file system flag).
    pub fn read_only(&self) -> bool {
        has_option(&self.options, "ro") || has_option(&self.super_options, "ro")
    }
}

/// Whether the comma-separated `list` contains `word` exactly.
pub fn has_option(list: &str, word: &str) -> bool {
    list.split(',').any(|o| o == word)
}

/// Undo the kernel's octal escapes (`\040` → space). Malformed escapes stay as they are.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            let digits = &b[i + 1..i + 4];
            if digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                let v = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                if let Ok(byte) = u8::try_from(v) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parse one line; `None` for a line that does not have the expected shape.
pub fn parse_line(line: &str) -> Option<Mount> {
    let mut f = line.split(' ');
    let id = f.next()?.parse().ok()?;
    let parent = f.next()?.parse().ok()?;
    let (major, minor) = f.next()?.split_once(':')?;
    let (major, minor) = (major.parse().ok()?, minor.parse().ok()?);
    let root = unescape(f.next()?);
    let mount_point = unescape(f.next()?);
    let options = f.next()?.to_string();
    // Optional fields, up to the separator.
    loop {
        if f.next()? == "-" {
            break;
        }
    }
    let fstype = unescape(f.next()?);
    let source = unescape(f.next()?);
    let super_options = f.next().unwrap_or("").to_string();
    Some(Mount {
        id,
        parent,
        major,
        minor,
        root,
        mount_point,
        options,
        fstype,
        source,
        super_options,
    })
}

/// Parse the whole table, skipping malformed lines.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_line).collect()
}

/// Read this process's mount table.
pub fn read() -> std::io::Result<Vec<Mount>> {
    use std::io::Read;
    // /proc files report size 0, so `fs::read_to_string` starts with a 32-byte probe and doubles
    // its buffer (eight reads for a 4 KiB table); with room for a typical table it is one read
    // and the one that sees the end. Every action reads this table one to three times.
    let mut text = String::with_capacity(16 * 1024);
    std::fs::File::open("/proc/self/mountinfo")?.read_to_string(&mut text)?;
    Ok(parse(&text))
}

/// The mount on top at exactly `dir` (the last one mounted there), if any.
pub fn mounted_at<'a>(table: &'a [Mount], dir: &str) -> Option<&'a Mount> {
    table.iter().rev().find(|m| same_path(&m.mount_point, dir))
}

/// Mounts strictly below `dir`, deepest first (so they can be unmounted in this order).
pub fn submounts<'a>(table: &'a [Mount], dir: &str) -> Vec<&'a Mount> {
    let mut v: Vec<(usize, &Mount)> = table
        .iter()
        .enumerate()
        .filter(|(_, m)| is_under(&m.mount_point, dir) && !same_path(&m.mount_point, dir))
        .collect();
    // Deepest first; among equal depth, the later mounted (stacked on top) first.
    v.sort_by(|(ia, a), (ib, b)| {
        depth(&b.mount_point)
            .cmp(&depth(&a.mount_point))
            .then(ib.cmp(ia))
    });
    v.into_iter().map(|(_, m)| m).collect()
}

fn depth(p: &str) -> usize {
    Path::new(p)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count()
}

fn normal_components(p: &str) -> impl Iterator<Item = &std::ffi::OsStr> {
    Path::new(p).components().filter_map(|c| match c {
        Component::Normal(s) => Some(s),
        _ => None,
    })
}

/// Whether `path` is `dir` or inside it, comparing whole components: `/srv/data2` is not under
/// `/srv/data`. Both must be absolute; `.` components are ignored (`..` is not resolved: the
/// kernel never reports it in /proc links).
pub fn is_under(path: &str, dir: &str) -> bool {
    if !path.starts_with('/') || !dir.starts_with('/') {
        return false;
    }
    // Without collecting: this runs for every line of the mount table, several times per action.
    let mut p = normal_components(path);
    normal_components(dir).all(|d| p.next() == Some(d))
}

/// Whether two absolute paths name the same place, ignoring repeated and trailing slashes.
pub fn same_path(a: &str, b: &str) -> bool {
    is_under(a, b) && is_under(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 27 7:3 / /srv/data rw,noatime shared:7 master:2 - ext4 /dev/loop3 rw
37 36 7:4 / /srv/data/sub rw - xfs /dev/loop4 rw,attr2
38 37 0:50 / /srv/data/sub/deeper ro - tmpfs tmpfs rw
39 27 7:5 / /srv/data2 rw - ext4 /dev/loop5 rw
40 27 0:51 / /mnt/with\\040space rw - nfs4 server:/export\\040x rw,vers=4.2
41 27 7:3 /dir /bound ro - ext4 /dev/loop3 rw
";

    #[test]
    fn parses_fields_and_optional_fields() {
        let t = parse(SAMPLE);
        assert_eq!(t.len(), 8);
        let m = &t[2];
        assert_eq!((m.id, m.parent, m.major, m.minor), (36, 27, 7, 3));
        assert_eq!(m.mount_point, "/srv/data");
        assert_eq!(m.fstype, "ext4");
        assert_eq!(m.source, "/dev/loop3");
        assert_eq!(m.options, "rw,noatime");
        assert!(!m.read_only());
        assert!(t[4].read_only());
        assert_eq!(t[7].root, "/dir");
    }

    #[test]
    fn octal_escapes() {
        let t = parse(SAMPLE);
        assert_eq!(t[6].mount_point, "/mnt/with space");
        assert_eq!(t[6].source, "server:/export x");
        assert_eq!(unescape("a\\011b\\134c\\012"), "a\tb\\c\n");
        assert_eq!(unescape("trailing\\04"), "trailing\\04");
        assert_eq!(unescape("\\999"), "\\999");
    }

    #[test]
    fn malformed_lines_are_skipped() {
        assert!(parse_line("").is_none());
        assert!(parse_line("x 1 0:1 / / rw - a b c").is_none());
        assert!(parse_line("1 2 3 / / rw - a b c").is_none());
        assert!(parse_line("1 2 0:1 / / rw shared:1").is_none());
        assert_eq!(parse("garbage\n1 2 0:1 / /x rw - t s o\n").len(), 1);
    }

    #[test]
    fn components_not_prefixes() {
        assert!(is_under("/srv/data", "/srv/data"));
        assert!(is_under("/srv/data/x/y", "/srv/data/"));
        assert!(is_under("/srv//data/./x", "/srv/data"));
        assert!(!is_under("/srv/data2", "/srv/data"));
        assert!(!is_under("/srv/dat", "/srv/data"));
        assert!(!is_under("relative/srv/data", "/srv/data"));
        assert!(is_under("/anything", "/"));
        assert!(same_path("/srv/data/", "/srv//data"));
        assert!(!same_path("/srv/data/x", "/srv/data"));
    }

    #[test]
    fn lookups() {
        let t = parse(SAMPLE);
        assert_eq!(mounted_at(&t, "/srv/data/").map(|m| m.id), Some(36));
        assert!(mounted_at(&t, "/srv/dat").is_none());
        let subs: Vec<u32> = submounts(&t, "/srv/data").iter().map(|m| m.id).collect();
        assert_eq!(subs, vec![38, 37], "deepest first, and not /srv/data2");
        assert!(submounts(&t, "/srv/data2").is_empty());
    }
}
