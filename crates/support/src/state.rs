// SPDX-License-Identifier: GPL-2.0-or-later
//! An agent's small files between operations (in the OCF state directory).

use std::io;
use std::path::{Path, PathBuf};

/// Replace `path` with `text` atomically: the parent directory is created, the text written to a
/// temporary file of this process beside it, then renamed over `path`. An agent running at the
/// same time (a monitor beside a stop, two resources' operations) reads the old text or the new
/// one, never a mixture, and two writers never share a temporary file. On failure nothing of the
/// temporary file is left.
pub fn replace(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let r = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rustha-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn replaces_creating_the_directory_and_leaving_no_temporary_file() {
        let d = scratch("replace");
        let f = d.join("sub").join("x.state");
        replace(&f, "a=1\n").unwrap();
        replace(&f, "a=2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "a=2\n");
        let names: Vec<_> = std::fs::read_dir(d.join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.state"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_failed_replace_is_an_error_and_leaves_nothing_behind() {
        let d = scratch("fail");
        // The target is a non-empty directory: the rename fails after the write succeeded.
        let f = d.join("x.state");
        std::fs::create_dir_all(f.join("inside")).unwrap();
        assert!(replace(&f, "a=1\n").is_err());
        let names: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.state"]);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
