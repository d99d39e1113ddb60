// SPDX-License-Identifier: GPL-2.0-or-later
//! Whether the kernel supports a file system type (/proc/filesystems, modules.dep, modprobe).

use rustha_ocf::{bail, Result};
use rustha_support::{command, Command, Deadline};
use std::time::Duration;

/// Whether the kernel knows `fstype` (loading the module if `load`).
pub(crate) fn fstype_supported(fstype: &str, deadline: &Deadline, load: bool) -> Result<()> {
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
pub(crate) fn module_available(name: &str) -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let dep = std::fs::read_to_string(format!("/lib/modules/{}/modules.dep", release.trim()))
        .unwrap_or_default();
    module_listed(&dep, name)
}

/// Whether the text of a modules.dep lists module `name` (`kernel/fs/nfs/nfs.ko.xz: deps`).
pub(crate) fn module_listed(modules_dep: &str, name: &str) -> bool {
    modules_dep.lines().any(|l| {
        let path = l.split(':').next().unwrap_or("");
        let file = path.rsplit('/').next().unwrap_or("");
        file.split('.').next() == Some(name) && file.contains(".ko")
    })
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
}
